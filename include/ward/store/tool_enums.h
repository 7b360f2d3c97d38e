// The tool store's closed sets of values: an approval's state, a grant's subject kind, a
// read-only switch's scope and what putTool did. The strings are the wire and database format (ward.db's rows, the
// REST and MCP JSON, trace events, docs/formats/ward-db.md); in code they are enums, converted
// only where a row or a document is read or written. Pure functions, thread-safe.
#pragma once

#include <string_view>

#include "ward/common/status.h"

namespace ward::store {

// pending -> approved -> executing -> executed | failed, or pending -> denied | expired
// (checkApprovalMove, src/store/approval_moves.h, holds the moves).
enum class ApprovalState { kPending, kApproved, kExecuting, kExecuted, kFailed, kDenied, kExpired };
// "pending", "approved", ...
std::string_view toString(ApprovalState s);
// InvalidArgument naming the value and the states when it is none of them.
Result<ApprovalState> parseApprovalState(std::string_view s);
// Whether no further move can change it (executed, failed, denied, expired).
bool isSettled(ApprovalState s);

// Who a grant is for: a principal by name, a group (its transitive members), an agent by name, or
// "users" with subject "*" (every user and service account of the tenant, never an agent).
enum class GrantSubjectKind { kPrincipal, kGroup, kAgent, kUsers };
// "principal", "group", "agent", "users".
std::string_view toString(GrantSubjectKind k);
Result<GrantSubjectKind> parseGrantSubjectKind(std::string_view s);

// Where a read-only switch applies: the whole server, one tenant, or one agent of a tenant.
enum class ModeScope { kServer, kTenant, kAgent };
// "server", "tenant", "agent".
std::string_view toString(ModeScope s);
Result<ModeScope> parseModeScope(std::string_view s);

// How putTool treated a definition: "created", "unchanged", "replaced", "quarantined" (the
// "outcome" of POST /v1/tools and of tool_registry events).
enum class ToolPutOutcome { kCreated, kUnchanged, kReplaced, kQuarantined };
std::string_view toolPutOutcomeName(ToolPutOutcome o);

}  // namespace ward::store
