// The tool gateway: registry, grants, modes, approvals and the call path through the stage chain
// (stage.h). The one API the REST handlers and the CLI call for tools. Methods return typed
// results (gateway_results.h) whose toJson() only the front doors call; `call`, `syncUpstream`
// and `listUpstreams` still return their JSON.
//
// Ownership: borrows the stores, clock, trace sink, search service and redactor given in
// GatewayOptions (all must outlive it). Thread-safe: every method may be called concurrently; the
// per-tenant policy snapshot (tools, grants, modes) is cached and reloaded when the tool store's
// generation changes, so CLI changes reach a running server on its next call.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "ward/common/clock.h"
#include "ward/common/config.h"
#include "ward/common/json.h"
#include "ward/common/status.h"
#include "ward/gateway/builtin_handler.h"
#include "ward/gateway/call_decision.h"
#include "ward/gateway/gateway_results.h"
#include "ward/gateway/stage.h"
#include "ward/gateway/untrusted_gate.h"
#include "ward/identity/directory.h"
#include "ward/store/tool_store.h"
#include "ward/trace/redactor.h"
#include "ward/trace/trace.h"

namespace ward::store {
class Store;
}
namespace ward::search {
class SearchService;
}
namespace ward::upstream {
class UpstreamPool;
}

namespace ward::gateway {

// Requests waiting for an approval decision (`?wait=`) hold no thread; they are bounded per
// principal (tenant and name) and in all. Over a bound the wait is refused with
// ResourceExhausted (HTTP 429). Documented in docs/design/gateway.md.
inline constexpr int kMaxApprovalWaitersPerPrincipal = 8;
inline constexpr int kMaxApprovalWaiters = 1024;

struct GatewayOptions {
  store::Store* store = nullptr;              // principals (reviewers, requesters) and documents
  store::ToolStore* tools = nullptr;          // required
  trace::TraceSink* traces = nullptr;         // required: every decision is recorded
  search::SearchService* search = nullptr;    // for the builtin search/fetch backends (optional)
  const Clock* clock = nullptr;               // null = SystemClock
  const trace::Redactor* redactor = nullptr;  // applied to results and recorded args when set
  GatewayConfig config;
  std::string secrets_key_path;  // AES-256 key file (created 0600 when absent); "" = no secrets
  // Which risks always need approval: "" (none), "destructive", "write" (write and destructive).
  std::string approve_risk;
  // The untrusted-content gate's settings (untrusted_gate.h; loadUntrustedGateConfig).
  UntrustedGateConfig untrusted;
  // Upstream MCP servers for the "mcp" backend (optional; docs/design/upstream.md). Their header
  // and env values resolve "${secret:NAME}" among config_tenant's secrets.
  upstream::UpstreamPool* upstreams = nullptr;
  std::string config_tenant = "default";
};

// An approval decision by a reviewer.
struct Decision {
  std::string approval_id;
  bool approve = false;
  std::string comment;
  int64_t wait_s = 0;
};

// A run of a tool version's examples (`ward tools test`; tool_contracts.cc).
struct ToolTestRequest {
  identity::Principal principal;             // whose calls they are (grants apply)
  std::optional<identity::Principal> agent;  // the agent acting for it, if any
  std::string tool;
  std::string version;    // "" = the version a call without one resolves to
  bool recorded = false;  // answer from each example's recorded response, not the backend
};

// A tool a caller may call, as a tool listing shows it (MCP tools/list).
struct CallableTool {
  std::string name;
  std::string version;
  std::string description;
  Json input_schema;
  Json output_schema;  // null = any output
  Risk risk = Risk::kRead;
};

class ToolGateway {
 public:
  static Result<std::unique_ptr<ToolGateway>> create(const GatewayOptions& options);
  ~ToolGateway();

  // --- registry (admin) ---
  // Parses, checks and stores a definition.
  Result<ToolAdded> addTool(const std::string& tenant, const Json& definition, bool from_upstream);
  // Every tool with its versions (tenant-scoped), or one tool's versions.
  Result<ToolList> listTools(const std::string& tenant, const std::string& name);
  Status deprecateTool(const std::string& tenant, const std::string& name,
                       const std::string& version, bool deprecated);
  Status pinTool(const std::string& tenant, const std::string& name, const std::string& version,
                 bool pin);
  Status approveDefinition(const std::string& tenant, const std::string& name,
                           const std::string& version);

  // --- contracts (tool_contracts.cc; docs/design/gateway.md "Contracts") ---
  // Runs the version's examples through the whole chain, one call each, recorded like any call
  // ("via": {"front_door": "tools_test", ...}); each example's outcome and call decision.
  Result<ToolTestReport> testTool(const ToolTestRequest& request);
  // The schema changes from version `from` to `to` and their classification (schema_diff.h).
  Result<ToolDiffReport> diffTools(const std::string& tenant, const std::string& name,
                                   const std::string& from, const std::string& to);

  // Registers the built-in `search` and `fetch` for `tenant` and grants them to every user and
  // service account ("users:*"), once per tenant: true when it did so now, false when the tenant
  // had been provisioned before (an admin's withdrawal is never undone). A tool of the same name
  // the tenant already has is kept. (builtin_tools.cc)
  // Also registers the built-in `ask` (the answer loop, run by the handler registered for it)
  // once per tenant, under its own provisioning key, so tenants provisioned before `ask` existed
  // get it on their next open: true when either was added now.
  Result<bool> provisionBuiltinTools(const std::string& tenant);
  // Runs builtin backend `name` (a definition's backend.name) with `handler`; replaces an earlier
  // one. Register before serving calls. A builtin without a handler fails with Unavailable.
  void registerBuiltin(const std::string& name, BuiltinHandler handler);

  // --- grants, modes, secrets (admin) ---
  // {"subject_kind","subject","tool","constraints"}; subjects must exist in the tenant, except
  // subject_kind "users" with subject "*" (every user and service account, never agents).
  // The stored grant (GrantView::toAddedJson is what the front doors answer).
  Result<GrantView> addGrant(const std::string& tenant, const Json& grant, const std::string& by);
  Result<GrantList> listGrants(const std::string& tenant);
  Status deleteGrant(const std::string& tenant, int64_t id);
  // scope kServer, kTenant or kAgent (subject = agent name). The server scope needs a server
  // admin (identity::isServerAdmin with the config tenant); tenant and agent scopes an admin of
  // `tenant` or a server admin. A refusal is PermissionDenied and recorded as a "tool_mode"
  // event with decision "denied"; a change as one with decision "changed" (a server-wide one in
  // the server tenant's trail).
  Status setReadOnly(store::ModeScope scope, const std::string& tenant, const std::string& subject,
                     bool read_only, const identity::Principal& by);
  Result<ModeList> listModes(const std::string& tenant);
  // Stores a tenant secret encrypted (AES-256-GCM); it is never returned or logged.
  Status putSecret(const std::string& tenant, const std::string& name, const std::string& value);
  Result<SecretNames> listSecrets(const std::string& tenant);
  // Removes a sealed secret (NotFound when absent); recorded as tool_secret {action: deleted}.
  Status deleteSecret(const std::string& tenant, const std::string& name);
  // The plaintext of a tenant secret, for Ward's own outbound credentials (model API keys); never
  // returned by an API or logged. NotFound when absent, FailedPrecondition without a secrets key.
  Result<std::string> secretValue(const std::string& tenant, const std::string& name);

  // --- delegations: which agents may call tools for a user ---
  // {"user","agent"}. An admin may add any; a user (or service account) only their own.
  Result<DelegationView> addDelegation(const identity::Principal& by, const Json& delegation);
  // Admins see the tenant's; anyone else the delegations naming them as user or agent.
  Result<DelegationList> listDelegations(const identity::Principal& viewer);
  // The same rule as adding: an admin, or the user themself.
  Status deleteDelegation(const identity::Principal& by, const std::string& user,
                          const std::string& agent);
  // --- upstream MCP servers (admin; mcp_import.cc) ---
  // Imports one upstream's tools as "<upstream>.<tool>"@1.0.0, pinned; on later syncs a changed,
  // added or removed tool is quarantined. {"upstream","first_import","tools":[{tool,
  // upstream_tool,outcome}],"skipped":[{tool,reason}]}.
  Result<Json> syncUpstream(const std::string& tenant, const std::string& upstream);
  // Every configured upstream: its connection state, imported tools and pinned prompts.
  Result<Json> listUpstreams(const std::string& tenant);
  // --- upstream prompts (prompt_pins.cc; docs/design/mcp.md) ---
  // Pins the prompt definitions an upstream offers now (all of them on its first import) and
  // quarantines a changed or added one. `definitions`: upstream prompt name -> definition.
  // Returns, per offered prompt, the definition hash and whether it is the pinned one.
  Result<std::map<std::string, std::pair<std::string, bool>>> pinUpstreamPrompts(
      const std::string& tenant, const std::string& upstream,
      const std::map<std::string, Json>& definitions);
  // Makes the pending definition of one upstream prompt the pinned one (admin); recorded as an
  // "upstream_prompt" event. NotFound / FailedPrecondition (nothing pending) as the store says.
  // `expected_hash` (the pending_hash the admin reviewed; "" = whatever is pending) makes sure
  // the definition pinned is the one reviewed.
  Status approveUpstreamPrompt(const std::string& tenant, const std::string& upstream,
                               const std::string& prompt, const std::string& expected_hash = "");

  // --- calls ---
  // Runs the chain. Ok: {"status":"ok"|"pending", ...}; errors name the stage's reason.
  Result<Json> call(CallRequest request);

  // The newest callable version of every tool that `principal` (and `agent`, when it acts for
  // it) holds a grant for and that the read-only switches let it run; sorted by name. Grant
  // constraints are checked per call, not here. (tool_catalog.cc)
  Result<std::vector<CallableTool>> callableTools(const identity::Principal& principal,
                                                  const identity::Principal* agent);
  // The risk of the version of `name` a call without a version resolves to (NotFound if none).
  Result<Risk> riskOf(const std::string& tenant, const std::string& name);
  // Its backend type ("http", "builtin", "mcp"): an "mcp" tool's result is the upstream's own
  // {"content": [...], "structuredContent"?}, which MCP's tools/call passes through.
  Result<std::string> backendTypeOf(const std::string& tenant, const std::string& name);
  // The tenant ward.toml's upstreams belong to (their tools, resources, prompts and secrets).
  const std::string& configTenant() const;
  // The tenant's policy generation: changes whenever tools, grants or modes change.
  Result<int64_t> policyGeneration(const std::string& tenant);

  // --- approvals ---
  // Approvers (admins, members of "approvers") see every approval of their tenant; anyone else
  // only the calls they asked for (others are NotFound).
  // No state = every state.
  Result<ApprovalList> listApprovals(const identity::Principal& viewer,
                                     std::optional<store::ApprovalState> state);
  // wait_s > 0 waits (bounded by config.max_wait_s) while the approval is pending or running,
  // blocking the calling thread (the CLI, MCP); it counts against the waiter bounds.
  Result<ApprovalView> getApproval(const identity::Principal& viewer, const std::string& id,
                                   int64_t wait_s);
  // The same wait without blocking: `now` holds the answer when there is nothing to wait for
  // (settled, or wait_s 0); otherwise `done` runs once later, on the gateway's waiter thread
  // (it must not block), with the approval as `viewer` sees it when it settled or the wait
  // ended. NotFound / InvalidArgument at once; ResourceExhausted over a waiter bound.
  struct ApprovalWait {
    std::optional<ApprovalView> now;
    uint64_t token = 0;  // for cancelApprovalWait
  };
  Result<ApprovalWait> waitForApproval(const identity::Principal& viewer, const std::string& id,
                                       int64_t wait_s,
                                       std::function<void(Result<ApprovalView>)> done);
  // Withdraws a wait (its client went away): `done` will not run. A no-op once it ran.
  void cancelApprovalWait(uint64_t token);
  // Requests waiting now (the /metrics gauge ward_gateway_approval_waiters).
  size_t approvalWaiters() const;
  // What a call parked as `parked` answers once its wait ended with the approval `view`: the
  // executed call's response, else `parked` with the approval's state.
  static Json callResponseAfterWait(Json parked, const ApprovalView& view);
  // Approves (and runs the call, exactly once) or denies. The reviewer needs the approver role
  // (identity::hasRole(Role::kApprover): admin, or a member of the group "approvers") and may
  // not be the requester.
  Result<ApprovalView> decide(const identity::Principal& reviewer, const Decision& decision);

  class Impl;

 private:
  explicit ToolGateway(std::unique_ptr<Impl> impl);
  // call(), also telling the decision the chain recorded (for testTool).
  Result<Json> callWithDecision(CallRequest request, CallDecision* decision);
  std::unique_ptr<Impl> impl_;
};

}  // namespace ward::gateway
