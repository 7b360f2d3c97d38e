// The typed results of ToolGateway's approval, grant and mode methods (tool_gateway.h). Modules
// and tests read the fields; only the front doors (src/http, src/mcp, src/cli) turn them into
// JSON with toJson(), whose output is the documented wire format (docs/api/openapi.yaml). Plain
// values, no ownership, no locking.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ward/common/json.h"
#include "ward/common/status.h"
#include "ward/gateway/call_decision.h"
#include "ward/gateway/tool_definition.h"
#include "ward/store/tool_store.h"

namespace ward::gateway {

// A request's approval state filter: "" = every state (none); otherwise InvalidArgument
// "field 'state' must be one of pending, ..." for a value that is not a state.
Result<std::optional<store::ApprovalState>> approvalStateFilter(const std::string& state);
// A request's read-only scope: InvalidArgument "field 'scope' must be server, tenant or agent".
Result<store::ModeScope> modeScopeField(const std::string& scope);

// One approval as a viewer sees it: the stored row without its sealed arguments.
struct ApprovalView {
  std::string id;
  std::string tool;
  std::string version;
  std::string requester;
  std::string agent;  // "" = none
  Json args;          // redacted
  std::string rule;
  std::string reason;
  store::ApprovalState state = store::ApprovalState::kPending;
  std::string trace_id;
  std::string reviewer;  // "" until decided
  std::string comment;
  Json result;             // null until executed, failed or denied
  int64_t created_at = 0;  // microseconds since the epoch
  int64_t expires_at = 0;
  int64_t decided_at = 0;  // 0 = not decided

  static ApprovalView of(const store::ApprovalRecord& a);
  // {"id","tool","version","requester","args","rule","reason","state","trace_id","created_at",
  // "expires_at"} and, when set, "agent","reviewer","comment","decided_at","result".
  Json toJson() const;
};

struct ApprovalList {
  std::vector<ApprovalView> approvals;  // newest first
  Json toJson() const;                  // {"approvals": [...]}
};

// A stored grant (store::GrantRecord as the API shows it).
struct GrantView {
  int64_t id = 0;
  store::GrantSubjectKind subject_kind = store::GrantSubjectKind::kPrincipal;
  std::string subject;
  std::string tool;
  Json constraints = Json::object();
  std::string created_by;
  int64_t created_at = 0;

  static GrantView of(const store::GrantRecord& g);
  // {"id","subject_kind","subject","tool","constraints","created_by","created_at"}.
  Json toJson() const;
  // The same without "created_at": what adding a grant answers and records.
  Json toAddedJson() const;
};

struct GrantList {
  std::vector<GrantView> grants;  // by id
  Json toJson() const;            // {"grants": [...]}
};

// The read-only switches that apply to one tenant (store::ToolStore::listModes).
struct ModeList {
  std::vector<store::ModeRecord> modes;
  // {"modes": [{"scope","read_only","set_by","updated_at","agent"?,"tenant"?}], "note"}.
  Json toJson() const;
};

// One stored version of a tool (ToolGateway::listTools).
struct ToolVersionView {
  store::ToolRecord record;
  std::optional<ToolDefinition> definition;  // none when the stored one no longer parses
  // Deprecated by an admin or by its definition.
  bool deprecated() const;
  // {"version","hash","pinned","deprecated","quarantined","created_at","pending_hash"?} and,
  // when the definition parses, "description","risk","backend","input_schema","output_schema",
  // "format_assertion"?,"sunset"?,"replacement"?.
  Json toJson() const;
};

struct ToolVersions {
  std::string name;
  std::vector<ToolVersionView> versions;  // as the store lists them
  Json toJson() const;                    // {"name","versions":[...]}
};

struct ToolList {
  std::vector<ToolVersions> tools;  // by name
  Json toJson() const;              // {"tools": [...]}
};

// A definition ToolGateway::addTool stored (or refused as unchanged).
struct ToolAdded {
  std::string tool;
  std::string version;
  std::string hash;  // the canonical definition hash
  store::ToolPutOutcome outcome = store::ToolPutOutcome::kCreated;
  Json diff;  // the schema diff from the version below it (null when there is none)
  // {"tool","version","hash","outcome","diff"?}.
  Json toJson() const;
};

// The schema changes between two stored versions of one tool (ToolGateway::diffTools).
struct ToolDiffReport {
  std::string tool;
  std::string from;
  std::string to;
  bool breaking_allowed = false;       // `to` is a new major version of `from`
  Json diff;                           // ToolDiff::toJson(): {"classification","changes"}
  std::string classification() const;  // "identical", "compatible" or "breaking"
  // The diff's fields plus "tool","from","to","breaking_allowed".
  Json toJson() const;
};

// A user's consent that an agent may act for them (store::DelegationRecord as the API shows it).
struct DelegationView {
  std::string user;
  std::string agent;
  std::string created_by;
  int64_t created_at = 0;
  Json toJson() const;  // {"user","agent","created_by","created_at"}
};

struct DelegationList {
  std::vector<DelegationView> delegations;
  Json toJson() const;  // {"delegations": [...]}
};

// The names of a tenant's secrets (never their values).
struct SecretNames {
  std::vector<std::string> names;
  Json toJson() const;  // {"secrets": [...]}
};

// One example of a `ward tools test` run (ToolGateway::testTool).
struct ToolExampleRun {
  enum class Outcome { kPassed, kFailed, kSkipped };
  std::string name;
  Outcome outcome = Outcome::kPassed;
  std::optional<CallDecision> decision;  // none when skipped (the call was not made)
  std::string reason;                    // why it failed or was skipped; "" when passed
  std::optional<std::string> error;      // the call's error message when it returned one
  std::string trace_id;                  // "" when skipped

  static std::string_view outcomeName(Outcome o);  // "passed", "failed", "skipped"
  // {"name","outcome","decision"?,"reason"?,"error"?,"trace_id"?}.
  Json toJson() const;
};

struct ToolTestReport {
  std::string tool;
  std::string version;
  bool recorded = false;
  int passed = 0;
  int failed = 0;
  int skipped = 0;
  std::vector<ToolExampleRun> examples;  // in the definition's order
  // {"tool","version","recorded","passed","failed","skipped","examples":[...]}.
  Json toJson() const;
};

}  // namespace ward::gateway
