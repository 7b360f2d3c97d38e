// The approvals table on PostgreSQL (ward-postgres.md, step 2): parked tool calls whose state
// moves only by a compare-and-set UPDATE ... WHERE state=$from, so two reviewers on two nodes
// cannot both move one approval, and approved -> executing is claimed by one node only. Private to
// the store module; callers hold a pooled connection (a transaction where they need one).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "pg_conn.h"
#include "ward/common/json.h"
#include "ward/store/tool_store.h"

namespace ward::store::pg {

// A JSON text cell: "" (and text that does not parse) reads as null, null writes as "".
Json jsonCell(const std::string& text);
std::string jsonCellText(const Json& j);

Status insertApproval(PgConn& db, const ApprovalRecord& a);
Result<ApprovalRecord> selectApproval(PgConn& db, const std::string& tenant, const std::string& id);
// Newest first; no state = any.
Result<std::vector<ApprovalRecord>> selectApprovals(PgConn& db, const std::string& tenant,
                                                    std::optional<ApprovalState> state, int limit);
// One statement: moves `id` from `from` to `to.state` (reviewer, comment, result, decided_at
// written when set; sealed_args kept only by a move to approved). FailedPrecondition naming the
// current state when it is not `from`, NotFound when there is no such approval.
Result<ApprovalRecord> casApproval(PgConn& db, const std::string& tenant, const std::string& id,
                                   ApprovalState from, const ApprovalRecord& to);
// Pending approvals past their expiry become expired (sealed arguments destroyed); how many.
Result<int64_t> expirePending(PgConn& db, int64_t now);
// Rows whose args are still raw (args_redacted false); none are written by this store.
Result<std::vector<ApprovalRecord>> selectRawArgApprovals(PgConn& db);
Status replaceRawArgs(PgConn& db, const ApprovalRecord& a);

}  // namespace ward::store::pg
