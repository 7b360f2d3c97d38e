// ToolGateway's state, shared by tool_gateway.cc (calls and the chain), gateway_admin.cc
// (registry, grants, modes, secrets), delegations.cc, approval_flow.cc and approval_args.cc
// (approvals). Private.
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <vector>

#include "approval_waiters.h"
#include "builtin_executor.h"
#include "mcp_import.h"
#include "policy_cache.h"
#include "secret_box.h"
#include "stages.h"
#include "ward/common/mutex.h"
#include "ward/gateway/tool_gateway.h"

namespace ward::gateway {

// Unsealed secrets kept by ToolGateway::Impl::secretPlaintext (past it the cache starts afresh).
inline constexpr size_t kMaxUnsealedSecrets = 1024;

class ToolGateway::Impl {
 public:
  explicit Impl(const GatewayOptions& options);

  // Runs stages [0, n) on `call`; fills call.response/decision; records the decision.
  Status runChain(CallContext& call);
  // Records one event of kind "tool_call" or "tool_decision" (never secrets; args redacted).
  void record(const std::string& kind, const CallContext* call, const std::string& tenant,
              const std::string& principal, const trace::TraceContext& trace, Json attributes);
  Json redactedCopy(const Json& value) const;
  int64_t now() const { return clock->nowMicros(); }
  // Upstreams belong to ward.toml's tenant: they authenticate with its secrets. For any other
  // tenant they do not exist (NotFound naming the upstream), so no other tenant can import,
  // call or approve them.
  Status checkUpstreamTenant(const std::string& tenant, const std::string& upstream) const {
    if (tenant == options.config_tenant) return Status();
    return Status::notFound("no upstream MCP server '" + upstream + "' in tenant '" + tenant + "'");
  }
  // A secret's plaintext. The sealed value is read from the store on every call, so a secret
  // changed or deleted by any process takes effect on the next call; only the unseal is cached
  // (by tenant, name and the exact sealed value).
  Result<std::string> secretPlaintext(const std::string& tenant, const std::string& name);
  // Checks sunset/quarantine/pin of a resolved tool; adds deprecation warnings.
  Status checkCallable(const ResolvedTool& tool, std::vector<std::string>* warnings) const;
  // Lazily expires one approval if it is pending and past its expiry.
  Result<store::ApprovalRecord> freshApproval(const std::string& tenant, const std::string& id);
  // The approval as `viewer` may see it (NotFound otherwise); *settled once it cannot change.
  Result<ApprovalView> waitedView(const identity::Principal& viewer, const std::string& id,
                                  bool* settled);
  // A parked call's raw arguments sealed for execution only (approval_args.cc): AES-256-GCM
  // under the secrets key, bound to "approval:<tenant>/<id>". FailedPrecondition without a key.
  Result<std::string> sealApprovalArgs(const std::string& tenant, const std::string& id,
                                       const Json& args) const;
  // The raw arguments of an approval about to execute; FailedPrecondition once destroyed.
  Result<Json> unsealApprovalArgs(const store::ApprovalRecord& a) const;
  // Redacts (and, while the call may still run, seals) the raw arguments of approvals stored
  // before schema step 5. Run once when the gateway opens.
  Status convertRawApprovalArgs();

  GatewayOptions options;
  const Clock* clock;
  std::unique_ptr<SecretBox> secrets;  // null when no key path was given
  struct UnsealedSecret {
    std::string sealed;  // the stored value this plaintext was unsealed from
    std::string plain;
  };
  Mutex unsealed_mu;
  // "tenant/name" -> the last unsealed value; at most kMaxUnsealedSecrets entries.
  std::map<std::string, UnsealedSecret> unsealed WARD_GUARDED_BY(unsealed_mu);
  std::unique_ptr<PolicyCache> policy;
  UntrustedGate gate;  // the untrusted-content gate's settings (read by its stage and record())
  BuiltinHandlers builtins;  // builtins implemented above the gateway (registerBuiltin)
  std::vector<std::unique_ptr<Stage>> stages;
  ToolGateway* owner = nullptr;  // set by ToolGateway's constructor (upstream syncs)
  UpstreamLiveSet live;          // what each upstream offered at its last sync
  Mutex sync_mu;                 // one upstream sync at a time
  // Requests waiting for decisions; declared last so that its thread stops before the rest goes.
  std::unique_ptr<ApprovalWaiters> waiters;
};

// The breaking-change rule for a new version (tool_contracts.cc): FailedPrecondition listing
// the breaking rules when `def` breaks the highest stored version below it under the same major
// version. *diff_out gets the comparison (unset when there is nothing to compare with).
Status checkBreakingChange(store::ToolStore& tools, const std::string& tenant,
                           const ToolDefinition& def, Json* diff_out);

// The string field `key` of a request object; "" when absent and not required.
Result<std::string> stringOf(const Json& j, const std::string& key, bool required);

}  // namespace ward::gateway
