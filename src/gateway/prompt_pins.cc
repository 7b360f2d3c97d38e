// Pinned upstream prompt definitions (docs/design/mcp.md "Upstream resources and prompts"): the
// tool import's trust-on-first-use and quarantine, applied to the prompts an upstream offers.
#include "gateway_impl.h"
#include "mcp_import.h"
#include "ward/gateway/tool_gateway.h"

namespace ward::gateway {

Result<std::map<std::string, std::pair<std::string, bool>>> ToolGateway::pinUpstreamPrompts(
    const std::string& tenant, const std::string& upstream,
    const std::map<std::string, Json>& definitions) {
  WARD_RETURN_IF_ERROR(impl_->checkUpstreamTenant(tenant, upstream));
  std::vector<store::PromptPinRecord> offered;
  for (const auto& [name, def] : definitions) {
    store::PromptPinRecord r;
    r.prompt = name;
    r.pinned_hash = definitionDigest(def);
    r.pinned_definition = def;
    offered.push_back(std::move(r));
  }
  WARD_ASSIGN_OR_RETURN(
      std::vector<store::PromptPinRecord> pins,
      impl_->options.tools->offerPromptDefinitions(tenant, upstream, offered, impl_->now()));
  std::map<std::string, std::pair<std::string, bool>> out;
  for (size_t i = 0; i < pins.size() && i < offered.size(); ++i) {
    out[pins[i].prompt] = {offered[i].pinned_hash, pins[i].pinned_hash == offered[i].pinned_hash};
  }
  return out;
}

Status ToolGateway::approveUpstreamPrompt(const std::string& tenant, const std::string& upstream,
                                          const std::string& prompt,
                                          const std::string& expected_hash) {
  WARD_RETURN_IF_ERROR(impl_->checkUpstreamTenant(tenant, upstream));
  WARD_RETURN_IF_ERROR(impl_->options.tools->approvePromptDefinition(tenant, upstream, prompt,
                                                                     expected_hash, impl_->now()));
  WARD_ASSIGN_OR_RETURN(std::vector<store::PromptPinRecord> pins,
                        impl_->options.tools->listPromptPins(tenant, upstream));
  Json event = {
      {"action", "approve_prompt_definition"}, {"upstream", upstream}, {"prompt", prompt}};
  for (const store::PromptPinRecord& p : pins) {
    if (p.prompt == prompt) event["pinned_hash"] = p.pinned_hash;
  }
  impl_->record("upstream_prompt", nullptr, tenant, "", trace::TraceContext::generate(), event);
  return Status();
}

}  // namespace ward::gateway
