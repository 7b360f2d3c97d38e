// What a caller may call: the listing behind MCP tools/list. It applies the same snapshot, grant
// subjects and read-only switches as the call path, so a listed tool is one the chain would let
// through (up to per-call checks: grant constraints, validation, rate limits, approvals).
#include <algorithm>

#include "gateway_impl.h"

namespace ward::gateway {

namespace {

// Whether the read-only switches let this caller run the tool (the mode stage's own rule).
bool modeAllows(const std::shared_ptr<const PolicySnapshot>& snap,
                const std::shared_ptr<const ResolvedTool>& tool, const identity::Principal& who,
                const identity::Principal* agent) {
  if (tool->definition.risk == Risk::kRead) return true;
  CallContext probe;
  probe.policy = snap;
  probe.tool = tool;
  probe.request.principal = who;
  if (agent != nullptr) probe.request.agent = *agent;
  return ModeStage().run(probe).verdict == Verdict::kContinue;
}

}  // namespace

Result<std::vector<CallableTool>> ToolGateway::callableTools(const identity::Principal& principal,
                                                             const identity::Principal* agent) {
  Impl& g = *impl_;
  if (agent != nullptr && agent->tenant != principal.tenant) {
    return Status::permissionDenied("agent and principal belong to different tenants");
  }
  WARD_ASSIGN_OR_RETURN(std::shared_ptr<const PolicySnapshot> snap,
                        g.policy->snapshot(principal.tenant));
  std::vector<CallableTool> out;
  for (const auto& [name, versions] : snap->tools) {
    if (!hasGrantFor(*snap, principal, name)) continue;
    if (agent != nullptr && !hasGrantFor(*snap, *agent, name)) continue;
    auto tool = snap->resolve(name, "");
    if (!tool.ok()) continue;  // every version deprecated or quarantined: nothing to offer
    std::vector<std::string> warnings;
    if (!g.checkCallable(**tool, &warnings).ok()) continue;  // sunset or off its pin
    if (!modeAllows(snap, *tool, principal, agent)) continue;
    const ToolDefinition& d = (*tool)->definition;
    out.push_back(
        CallableTool{d.name, d.version, d.description, d.input_schema, d.output_schema, d.risk});
  }
  return out;  // std::map order: sorted by name
}

Result<Risk> ToolGateway::riskOf(const std::string& tenant, const std::string& name) {
  WARD_ASSIGN_OR_RETURN(std::shared_ptr<const PolicySnapshot> snap,
                        impl_->policy->snapshot(tenant));
  WARD_ASSIGN_OR_RETURN(std::shared_ptr<const ResolvedTool> tool, snap->resolve(name, ""));
  return tool->definition.risk;
}

Result<std::string> ToolGateway::backendTypeOf(const std::string& tenant, const std::string& name) {
  WARD_ASSIGN_OR_RETURN(std::shared_ptr<const PolicySnapshot> snap,
                        impl_->policy->snapshot(tenant));
  WARD_ASSIGN_OR_RETURN(std::shared_ptr<const ResolvedTool> tool, snap->resolve(name, ""));
  return tool->definition.backend.type;
}

Result<int64_t> ToolGateway::policyGeneration(const std::string& tenant) {
  WARD_ASSIGN_OR_RETURN(std::shared_ptr<const PolicySnapshot> snap,
                        impl_->policy->snapshot(tenant));
  return snap->generation;
}

}  // namespace ward::gateway
