#include "policy_cache.h"
#include "stages.h"

namespace ward::gateway {

StageResult ModeStage::run(CallContext& call) {
  const ToolDefinition& def = call.tool->definition;
  if (def.risk == Risk::kRead) return StageResult::next();
  const std::string& tenant = call.request.principal.tenant;
  std::string why;
  bool agent_row = false;
  for (const store::ModeRecord& m : call.policy->modes) {
    if (m.scope == store::ModeScope::kServer && m.read_only)
      why = "the server is in read-only mode";
    if (m.scope == store::ModeScope::kTenant && m.tenant == tenant && m.read_only && why.empty()) {
      why = "tenant '" + tenant + "' is in read-only mode";
    }
    if (m.scope == store::ModeScope::kAgent && call.request.agent &&
        m.subject == call.request.agent->name) {
      agent_row = true;
      if (m.read_only && why.empty()) {
        why = "agent '" + m.subject + "' is in read-only mode";
      }
    }
  }
  if (why.empty() && call.request.agent && !agent_row) {
    why = "agent '" + call.request.agent->name +
          "' is read-only until an admin turns it off (new agents start read-only)";
  }
  if (why.empty()) return StageResult::next();
  call.reason = why;
  return StageResult::reject(Status::permissionDenied("refused: " + why + "; " +
                                                      std::string(riskName(def.risk)) + " tool '" +
                                                      def.name + "' cannot run"));
}

}  // namespace ward::gateway
