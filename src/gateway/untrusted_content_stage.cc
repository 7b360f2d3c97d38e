#include "exfil_check.h"
#include "stages.h"

namespace ward::gateway {

namespace {

// The sources named in a reason, a few of them: the full list is in the trace event.
std::string sourcesText(const std::vector<std::string>& sources) {
  constexpr size_t kNamed = 3;
  if (sources.empty()) return "untrusted content";
  std::string out;
  for (size_t i = 0; i < sources.size() && i < kNamed; ++i) out += (i ? ", " : "") + sources[i];
  if (sources.size() > kNamed) out += " and " + std::to_string(sources.size() - kNamed) + " more";
  return out;
}

}  // namespace

StageResult UntrustedContentStage::run(CallContext& call) {
  if (call.approval) return StageResult::next();  // a reviewer approved it: run it
  const ToolDefinition& def = call.tool->definition;
  // Exfiltration: flagged on every call (recorded as exfil_suspect); a write or destructive call
  // parks (or is denied) even when the gate would let it run (say its sources are trusted).
  if (!call.request.taint.texts.empty()) {
    if (auto f = findVerbatimRun(call.request.args, call.request.taint.texts)) {
      call.exfil_suspect = f->toJson();
      if (def.risk != Risk::kRead && gate_.enabled()) {
        const std::string why = std::string(riskName(def.risk)) + " tool '" + def.name +
                                "' was called with " + std::to_string(f->length) +
                                " characters of " + f->source + " verbatim in " +
                                (f->pointer.empty() ? "/" : f->pointer);
        if (gate_.writes() == UntrustedWrites::kDeny) {
          call.reason = why + " (gateway.untrusted_writes = \"deny\")";
          return StageResult::reject(Status::permissionDenied(call.reason));
        }
        return approvals_.park(call, kExfiltrationRule, why + ": it needs a reviewer's approval");
      }
    }
  }
  UntrustedGate::Decision d = gate_.decide(call.request.taint, def.risk);
  if (d.action == GateAction::kAllow) return StageResult::next();
  const std::string why = std::string(riskName(def.risk)) + " tool '" + def.name +
                          "' called after the turn read " + sourcesText(d.tainting);
  if (d.action == GateAction::kDeny) {
    call.reason = why + " (gateway.untrusted_writes = \"deny\")";
    return StageResult::reject(Status::permissionDenied(call.reason));
  }
  return approvals_.park(call, kUntrustedContentRule, why + ": it needs a reviewer's approval");
}

}  // namespace ward::gateway
