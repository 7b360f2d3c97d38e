#include "stages.h"
#include "ward/common/hash.h"

namespace ward::gateway {

StageResult ApprovalStage::run(CallContext& call) {
  if (call.approval) return StageResult::next();  // approved by a reviewer: run it
  const ToolDefinition& def = call.tool->definition;
  std::string rule, reason;
  for (const ApprovalRule& r : def.approval_rules) {
    if (r.matches(call.request.args)) {
      rule = r.name;
      reason = "tool '" + def.name + "' needs approval when " + r.describe();
      break;
    }
  }
  if (rule.empty() && !approve_risk_.empty()) {
    bool needs =
        def.risk == Risk::kDestructive || (approve_risk_ == "write" && def.risk == Risk::kWrite);
    if (needs) {
      rule = "risk:" + std::string(riskName(def.risk));
      reason = std::string(riskName(def.risk)) + " tools need approval (gateway.approve_risk)";
    }
  }
  if (rule.empty()) return StageResult::next();
  return park(call, rule, reason);
}

StageResult ApprovalStage::park(CallContext& call, const std::string& rule,
                                const std::string& reason) {
  const ToolDefinition& def = call.tool->definition;
  store::ApprovalRecord a;
  a.id = "apr_" + randomHex(12);
  a.tenant = call.request.principal.tenant;
  a.tool = def.name;
  a.version = def.version;
  a.requester = call.request.principal.name;
  a.agent = call.request.agent ? call.request.agent->name : "";
  // Reviewers see the redacted arguments; the raw ones are kept sealed for execution only.
  a.args = keeping_.redact(call.request.args);
  auto sealed = keeping_.seal(a.tenant, a.id, call.request.args);
  if (!sealed.ok()) return StageResult::reject(sealed.status());
  a.sealed_args = std::move(sealed).value();
  a.rule = rule;
  a.reason = reason;
  a.idempotency_key = call.request.idempotency_key;
  a.trace_id = call.request.trace.trace_id;
  a.state = store::ApprovalState::kPending;
  a.created_at = clock_.nowMicros();
  a.expires_at = a.created_at + ttl_s_ * 1'000'000;
  if (Status st = tools_.createApproval(a); !st.ok()) return StageResult::reject(st);
  call.decision = CallDecision::kPending;
  call.reason = reason;
  call.response = Json{{"status", "pending"},
                       {"approval_id", a.id},
                       {"tool", def.name},
                       {"version", def.version},
                       {"rule", rule},
                       {"reason", reason},
                       {"expires_at", formatRfc3339(a.expires_at)}};
  return StageResult::stop();
}

}  // namespace ward::gateway
