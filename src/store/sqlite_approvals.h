// The approvals table's statements (schema steps 2 and 5). Private to the store module; callers
// hold the store's lock and, for writes, their own transaction.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "sqlite_db.h"
#include "ward/store/tool_store.h"

namespace ward::store {

Status insertApproval(Database& db, const ApprovalRecord& a);
// NotFound names the approval.
Result<ApprovalRecord> selectApproval(Database& db, const std::string& tenant,
                                      const std::string& id);
// Newest first; no state = every state.
Result<std::vector<ApprovalRecord>> selectApprovals(Database& db, const std::string& tenant,
                                                    std::optional<ApprovalState> state, int limit);
// Moves the approval from state `from` to `to.state` (and sets the non-empty reviewer, comment,
// result, decided_at of `to`); FailedPrecondition when it is not in `from`. Returns the new row.
Result<ApprovalRecord> updateApproval(Database& db, const std::string& tenant,
                                      const std::string& id, ApprovalState from,
                                      const ApprovalRecord& to);
// Pending approvals past their expiry become expired (and lose their sealed arguments); returns
// how many.
Result<int64_t> expirePendingApprovals(Database& db, int64_t now);
// Rows written before schema step 5, whose `args` are still raw (args_redacted=0).
Result<std::vector<ApprovalRecord>> selectRawArgApprovals(Database& db);
// Sets a.args (redacted) and a.sealed_args of such a row and marks it redacted.
Status replaceRawApprovalArgs(Database& db, const ApprovalRecord& a);

}  // namespace ward::store
