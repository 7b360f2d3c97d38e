// The gateway's system of record: tool definitions (versions, canonical hash, pin and quarantine
// state), grants, read-only modes, idempotency records, approvals and encrypted tenant secrets.
// Lives in the same ward.db as Store (schema step 2, docs/formats/ward-db.md).
//
// Every write is one transaction: a bad input leaves nothing behind. Values are opaque to the
// store (definitions and constraints are JSON the gateway validated); the store enforces
// uniqueness and the state transitions that make approvals and idempotency exactly-once across
// threads and processes. Implementations are thread-safe.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "ward/common/json.h"
#include "ward/common/status.h"
#include "ward/store/tool_enums.h"

namespace ward::store {

// One version of one tool in one tenant.
struct ToolRecord {
  std::string tenant;
  std::string name;
  std::string version;         // semver text, "1.2.0"
  Json definition;             // the validated definition file (docs/formats/tool-definition.md)
  std::string canonical_hash;  // sha256 of the canonical definition core
  std::string pinned_hash;     // non-empty once an admin pinned this version
  bool deprecated = false;     // set by an admin (the definition may also carry a deprecation)
  bool quarantined = false;    // a changed definition from an upstream awaits approval
  Json pending_definition;     // that changed definition (null unless quarantined)
  std::string pending_hash;
  int64_t created_at = 0;
  int64_t updated_at = 0;
};

// Who a grant is for.
struct GrantRecord {
  int64_t id = 0;
  std::string tenant;
  GrantSubjectKind subject_kind = GrantSubjectKind::kPrincipal;
  std::string subject;                // principal, group or agent name; "*" for kUsers
  std::string tool;                   // tool name, or "*" for every tool of the tenant
  Json constraints = Json::object();  // {"amount": {"max": 100}, "currency": {"enum": [...]}}
  std::string created_by;
  int64_t created_at = 0;
};

// A user's consent that an agent may call tools on their behalf (the agent still gets only the
// intersection of both principals' grants).
struct DelegationRecord {
  std::string tenant;
  std::string user;
  std::string agent;
  std::string created_by;
  int64_t created_at = 0;
};

// A read-only switch. scope kServer (tenant and subject empty), kTenant (subject empty) or
// kAgent (subject = agent name).
struct ModeRecord {
  ModeScope scope = ModeScope::kServer;
  std::string tenant;
  std::string subject;
  bool read_only = false;
  std::string set_by;
  int64_t updated_at = 0;
};

// An idempotency key of one principal. state "in_progress" while the first call runs, "done"
// once `response` holds what every retry gets back.
struct IdempotencyRecord {
  std::string tenant;
  std::string principal;
  std::string key;
  std::string tool;
  std::string args_hash;
  std::string state;
  Json response;  // null while in_progress
  std::string approval_id;
  int64_t created_at = 0;
  int64_t expires_at = 0;
};

// A parked call. state: pending -> approved -> executing -> executed | failed, pending ->
// denied | expired, or approved -> executed (an approval of Ward's own action, used up by it);
// the stores refuse any other move (transitionApproval).
struct ApprovalRecord {
  std::string id;  // "apr_<24 hex>"
  std::string tenant;
  std::string tool;
  std::string version;
  std::string requester;  // the principal whose call it is
  std::string agent;      // the agent acting for it ("" if none)
  // The arguments as reviewers and listings see them: redacted (docs/design/gateway.md).
  Json args = Json::object();
  // The raw arguments sealed for execution (AES-256-GCM, "v1:" + hex, bound to the approval);
  // "" once destroyed: on every move except pending -> approved (executing, denied, expired).
  std::string sealed_args;
  std::string rule;    // the rule that matched
  std::string reason;  // human text of why
  std::string idempotency_key;
  std::string trace_id;
  ApprovalState state = ApprovalState::kPending;
  std::string reviewer;
  std::string comment;
  Json result;  // set when executed or failed
  int64_t created_at = 0;
  int64_t expires_at = 0;
  int64_t decided_at = 0;
};

// The pinned definition of one upstream prompt (schema step 4; docs/design/mcp.md).
struct PromptPinRecord {
  std::string tenant;
  std::string upstream;
  std::string prompt;        // the upstream's own name
  std::string pinned_hash;   // "" = none approved yet (a prompt added after the first import)
  Json pinned_definition;    // null when none
  std::string pending_hash;  // "" = nothing waits for approval
  Json pending_definition;   // what the upstream offers now, when it differs from the pin
  int64_t updated_at = 0;
};

class ToolStore {
 public:
  virtual ~ToolStore() = default;

  // --- tools ---
  // Stores a definition. Same name@version and hash: kUnchanged. A different definition for an
  // existing version: from_upstream=false -> AlreadyExists (versions are immutable); from an
  // upstream, kQuarantined if the version is pinned, else kReplaced.
  virtual Result<ToolPutOutcome> putTool(const ToolRecord& tool, bool from_upstream) = 0;
  virtual Result<ToolRecord> getTool(const std::string& tenant, const std::string& name,
                                     const std::string& version) = 0;
  // Every version of one tool (NotFound if none), or of every tool when name is empty.
  virtual Result<std::vector<ToolRecord>> listTools(const std::string& tenant,
                                                    const std::string& name) = 0;
  virtual Status setDeprecated(const std::string& tenant, const std::string& name,
                               const std::string& version, bool deprecated) = 0;
  // Pins the current canonical hash (pin=false clears it).
  virtual Status setPinned(const std::string& tenant, const std::string& name,
                           const std::string& version, bool pin) = 0;
  // Replaces the definition with the quarantined one and re-pins it if it was pinned.
  // FailedPrecondition when nothing is quarantined.
  virtual Status approveDefinition(const std::string& tenant, const std::string& name,
                                   const std::string& version, int64_t now) = 0;
  // Bumped on every tool, grant or mode change; caches compare it.
  virtual Result<int64_t> generation() = 0;

  // --- grants ---
  virtual Result<GrantRecord> addGrant(const GrantRecord& grant) = 0;
  virtual Result<std::vector<GrantRecord>> listGrants(const std::string& tenant) = 0;
  virtual Status deleteGrant(const std::string& tenant, int64_t id) = 0;

  // Provisions a tenant once (gateway/builtin_tools.h): in one transaction, unless the tenant
  // was provisioned under `what` before, adds each tool whose name it lacks and each grant it
  // lacks and remembers that it did; true when it did, false when it had been done already (an
  // admin's later withdrawal of a tool or grant is never undone).
  virtual Result<bool> provisionOnce(const std::string& tenant, const std::string& what,
                                     const std::vector<ToolRecord>& tools,
                                     const std::vector<GrantRecord>& grants) = 0;

  // --- delegations ---
  // Adding an existing delegation is AlreadyExists; removing a missing one NotFound.
  virtual Status addDelegation(const DelegationRecord& delegation) = 0;
  virtual Result<std::vector<DelegationRecord>> listDelegations(const std::string& tenant) = 0;
  virtual Status deleteDelegation(const std::string& tenant, const std::string& user,
                                  const std::string& agent) = 0;

  // --- modes ---
  virtual Status setMode(const ModeRecord& mode) = 0;
  // Every mode row that applies to the tenant: the server row, the tenant row, its agents' rows.
  virtual Result<std::vector<ModeRecord>> listModes(const std::string& tenant) = 0;

  // --- idempotency ---
  // Inserts `rec` as in_progress unless a live (unexpired) record holds the key; returns the
  // record that now holds it: `rec` itself (inserted) or the existing one. Expired records are
  // replaced.
  virtual Result<IdempotencyRecord> claimIdempotencyKey(const IdempotencyRecord& rec, int64_t now,
                                                        bool* inserted) = 0;
  virtual Result<IdempotencyRecord> getIdempotencyKey(const std::string& tenant,
                                                      const std::string& principal,
                                                      const std::string& key) = 0;
  // Stores the response and marks the record done.
  virtual Status completeIdempotencyKey(const IdempotencyRecord& rec) = 0;
  // Drops an in_progress record (the call failed before reaching the backend).
  virtual Status releaseIdempotencyKey(const std::string& tenant, const std::string& principal,
                                       const std::string& key) = 0;

  // --- approvals ---
  virtual Status createApproval(const ApprovalRecord& approval) = 0;
  virtual Result<ApprovalRecord> getApproval(const std::string& tenant, const std::string& id) = 0;
  // Approvals of the tenant, newest first; no state = any.
  virtual Result<std::vector<ApprovalRecord>> listApprovals(const std::string& tenant,
                                                            std::optional<ApprovalState> state,
                                                            int limit) = 0;
  // Moves `id` from state `from` to `to.state` with the given fields, atomically. A move the
  // life cycle does not have (ApprovalRecord::state; checkApprovalMove in
  // src/store/approval_moves.h) is refused with InvalidArgument naming both states, whatever
  // the row's state, and nothing is written; FailedPrecondition naming the current state when
  // it is not `from`. reviewer/comment/result/decided_at are written when non-empty / non-null
  // / non-zero; sealed_args is emptied by every move except to approved.
  virtual Result<ApprovalRecord> transitionApproval(const std::string& tenant,
                                                    const std::string& id, ApprovalState from,
                                                    const ApprovalRecord& to) = 0;
  // Marks pending approvals past their expiry as expired; returns how many.
  virtual Result<int64_t> expireApprovals(int64_t now) = 0;
  // Approvals stored before schema step 5, whose `args` are raw (every tenant); the gateway
  // redacts and seals them when it opens (replaceRawApprovalArgs).
  virtual Result<std::vector<ApprovalRecord>> listApprovalsWithRawArgs() = 0;
  // Stores `approval.args` (redacted) and `approval.sealed_args` for such a row; a row already
  // converted is left alone.
  virtual Status replaceRawApprovalArgs(const ApprovalRecord& approval) = 0;

  // --- secrets (ciphertext only; the gateway encrypts) ---
  virtual Status putSecret(const std::string& tenant, const std::string& name,
                           const std::string& ciphertext) = 0;
  virtual Result<std::string> getSecret(const std::string& tenant, const std::string& name) = 0;
  virtual Result<std::vector<std::string>> listSecretNames(const std::string& tenant) = 0;
  // NotFound when the tenant has no secret of that name.
  virtual Status deleteSecret(const std::string& tenant, const std::string& name) = 0;

  // --- upstream prompt pins ---
  // Offers the definitions an upstream serves now (prompt, pinned_hash = their hash,
  // pinned_definition), in one transaction: when the upstream has no pins yet (its first import)
  // each is pinned; later, an unpinned prompt or a different definition becomes pending (its
  // pin unchanged). Returns each offered prompt's record after the offer.
  virtual Result<std::vector<PromptPinRecord>> offerPromptDefinitions(
      const std::string& tenant, const std::string& upstream,
      const std::vector<PromptPinRecord>& offered, int64_t now) = 0;
  // Every pin of the upstream, by prompt name.
  virtual Result<std::vector<PromptPinRecord>> listPromptPins(const std::string& tenant,
                                                              const std::string& upstream) = 0;
  // Pins the pending definition. NotFound when the prompt has no pin record, FailedPrecondition
  // when nothing is pending or `expected_hash` is set and the pending definition is another one
  // (it changed after the admin reviewed it).
  virtual Status approvePromptDefinition(const std::string& tenant, const std::string& upstream,
                                         const std::string& prompt,
                                         const std::string& expected_hash, int64_t now) = 0;
};

// Opens the tool tables of the SQLite ward.db at `path` (its own connection, WAL), migrating the
// schema like openSqliteStore.
Result<std::unique_ptr<ToolStore>> openSqliteToolStore(const std::string& path);

}  // namespace ward::store
