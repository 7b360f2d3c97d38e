#include "stages.h"

namespace ward::gateway {

StageResult RateLimitStage::run(CallContext& call) {
  if (call.approval) return StageResult::next();  // the parked call was counted when it arrived
  const ToolDefinition& def = call.tool->definition;
  const std::string& tenant = call.request.principal.tenant;
  const std::string& who = call.request.principal.name;
  struct Bucket {
    const std::optional<RateSpec>& spec;
    std::string key;
    std::string label;
  };
  const Bucket buckets[] = {
      {def.rate_limits.per_tool, tenant + "\x1ftool\x1f" + def.name, "tool '" + def.name + "'"},
      {def.rate_limits.per_principal, tenant + "\x1fprincipal\x1f" + who,
       "principal '" + who + "'"},
      {def.rate_limits.per_principal_tool, tenant + "\x1fpt\x1f" + who + "\x1f" + def.name,
       "principal '" + who + "' on tool '" + def.name + "'"},
  };
  for (const Bucket& b : buckets) {
    if (!b.spec) continue;
    int64_t wait_us = limiter_.tryTake(b.key, *b.spec);
    if (wait_us > 0) {
      int64_t retry_s = std::max<int64_t>(1, (wait_us + 999'999) / 1'000'000);
      call.reason = "rate limit of " + b.label + " exceeded";
      Status st = Status::resourceExhausted(call.reason + "; retry after " +
                                            std::to_string(retry_s) + " s");
      st.withRetryAfterSeconds(retry_s);
      return StageResult::reject(std::move(st));
    }
  }
  return StageResult::next();
}

}  // namespace ward::gateway
