// Parked tool calls in the approvals table. State moves only by a conditional UPDATE ... WHERE
// state=?, so two reviewers (or two processes) cannot both move the same approval. `args` holds
// the redacted arguments; `sealed_args` the sealed copy for execution, emptied by every move
// except pending -> approved (schema step 5).
#include "sqlite_approvals.h"

#include "approval_moves.h"

namespace ward::store {

namespace {

constexpr const char* kApprovalColumns =
    "id,tenant,tool,version,requester,agent,args,rule,reason,idempotency_key,trace_id,state,"
    "reviewer,comment,result,created_at,expires_at,decided_at,sealed_args";

// A state the enum does not know is Corruption (the row was not written by Ward).
Result<ApprovalRecord> readApproval(Statement* st) {
  ApprovalRecord a;
  a.id = st->text(0);
  a.tenant = st->text(1);
  a.tool = st->text(2);
  a.version = st->text(3);
  a.requester = st->text(4);
  a.agent = st->text(5);
  a.args = jsonColumn(st->text(6));
  a.rule = st->text(7);
  a.reason = st->text(8);
  a.idempotency_key = st->text(9);
  a.trace_id = st->text(10);
  auto state = parseApprovalState(st->text(11));
  if (!state.ok())
    return Status::corruption("approval '" + a.id + "': " + state.status().message());
  a.state = *state;
  a.reviewer = st->text(12);
  a.comment = st->text(13);
  a.result = jsonColumn(st->text(14));
  a.created_at = st->int64(15);
  a.expires_at = st->int64(16);
  a.decided_at = st->int64(17);
  a.sealed_args = st->text(18);
  return a;
}

}  // namespace

Status insertApproval(Database& db, const ApprovalRecord& a) {
  WARD_ASSIGN_OR_RETURN(
      StmtRef st, db.prepare(std::string("INSERT INTO approvals(") + kApprovalColumns +
                             ",args_redacted) VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,1)"));
  st->bind(1, a.id);
  st->bind(2, a.tenant);
  st->bind(3, a.tool);
  st->bind(4, a.version);
  st->bind(5, a.requester);
  st->bind(6, a.agent);
  st->bind(7, dumpJson(a.args));
  st->bind(8, a.rule);
  st->bind(9, a.reason);
  st->bind(10, a.idempotency_key);
  st->bind(11, a.trace_id);
  st->bind(12, toString(a.state));
  st->bind(13, a.reviewer);
  st->bind(14, a.comment);
  st->bind(15, jsonText(a.result));
  st->bind(16, a.created_at);
  st->bind(17, a.expires_at);
  st->bind(18, a.decided_at);
  st->bind(19, a.sealed_args);
  return st->exec("insert approval");
}

Result<ApprovalRecord> selectApproval(Database& db, const std::string& tenant,
                                      const std::string& id) {
  WARD_ASSIGN_OR_RETURN(StmtRef st, db.prepare(std::string("SELECT ") + kApprovalColumns +
                                               " FROM approvals WHERE tenant=? AND id=?"));
  st->bind(1, tenant);
  st->bind(2, id);
  if (!st->step()) {
    WARD_RETURN_IF_ERROR(st->error("read approval"));
    return Status::notFound("approval '" + id + "' not found");
  }
  return readApproval(st.operator->());
}

Result<std::vector<ApprovalRecord>> selectApprovals(Database& db, const std::string& tenant,
                                                    std::optional<ApprovalState> state, int limit) {
  std::string sql = std::string("SELECT ") + kApprovalColumns + " FROM approvals WHERE tenant=?" +
                    (state ? " AND state=?" : "") + " ORDER BY created_at DESC, id LIMIT ?";
  WARD_ASSIGN_OR_RETURN(StmtRef st, db.prepare(sql));
  int i = 1;
  st->bind(i++, tenant);
  if (state) st->bind(i++, toString(*state));
  st->bind(i, limit);
  std::vector<ApprovalRecord> out;
  while (st->step()) {
    WARD_ASSIGN_OR_RETURN(ApprovalRecord a, readApproval(st.operator->()));
    out.push_back(std::move(a));
  }
  WARD_RETURN_IF_ERROR(st->error("list approvals"));
  return out;
}

Result<ApprovalRecord> updateApproval(Database& db, const std::string& tenant,
                                      const std::string& id, ApprovalState from,
                                      const ApprovalRecord& to) {
  WARD_RETURN_IF_ERROR(checkApprovalMove(id, from, to.state));
  WARD_ASSIGN_OR_RETURN(ApprovalRecord current, selectApproval(db, tenant, id));
  if (current.state != from) {
    return Status::failedPrecondition("approval '" + id + "' is " +
                                      std::string(toString(current.state)) + ", not " +
                                      std::string(toString(from)));
  }
  WARD_ASSIGN_OR_RETURN(
      StmtRef st,
      db.prepare("UPDATE approvals SET state=?,reviewer=CASE WHEN ?='' THEN reviewer ELSE ? "
                 "END,comment=CASE WHEN ?='' THEN comment ELSE ? END,result=CASE WHEN ?='' "
                 "THEN result ELSE ? END,decided_at=CASE WHEN ?=0 THEN decided_at ELSE ? END,"
                 "sealed_args=CASE WHEN ?='approved' THEN sealed_args ELSE '' END "
                 "WHERE tenant=? AND id=? AND state=?"));
  std::string result = jsonText(to.result);
  st->bind(1, toString(to.state));
  st->bind(2, to.reviewer);
  st->bind(3, to.reviewer);
  st->bind(4, to.comment);
  st->bind(5, to.comment);
  st->bind(6, result);
  st->bind(7, result);
  st->bind(8, to.decided_at);
  st->bind(9, to.decided_at);
  st->bind(10, toString(to.state));
  st->bind(11, tenant);
  st->bind(12, id);
  st->bind(13, toString(from));
  WARD_RETURN_IF_ERROR(st->exec("transition approval"));
  return selectApproval(db, tenant, id);
}

Result<int64_t> expirePendingApprovals(Database& db, int64_t now) {
  WARD_ASSIGN_OR_RETURN(StmtRef st,
                        db.prepare("UPDATE approvals SET state='expired',decided_at=?,"
                                   "sealed_args='' WHERE state='pending' AND expires_at<=?"));
  st->bind(1, now);
  st->bind(2, now);
  WARD_RETURN_IF_ERROR(st->exec("expire approvals"));
  return static_cast<int64_t>(db.changes());
}

Result<std::vector<ApprovalRecord>> selectRawArgApprovals(Database& db) {
  WARD_ASSIGN_OR_RETURN(StmtRef st, db.prepare(std::string("SELECT ") + kApprovalColumns +
                                               " FROM approvals WHERE args_redacted=0"));
  std::vector<ApprovalRecord> out;
  while (st->step()) {
    WARD_ASSIGN_OR_RETURN(ApprovalRecord a, readApproval(st.operator->()));
    out.push_back(std::move(a));
  }
  WARD_RETURN_IF_ERROR(st->error("list approvals with raw arguments"));
  return out;
}

Status replaceRawApprovalArgs(Database& db, const ApprovalRecord& a) {
  WARD_ASSIGN_OR_RETURN(StmtRef st,
                        db.prepare("UPDATE approvals SET args=?,sealed_args=?,args_redacted=1 "
                                   "WHERE tenant=? AND id=? AND args_redacted=0"));
  st->bind(1, dumpJson(a.args));
  st->bind(2, a.sealed_args);
  st->bind(3, a.tenant);
  st->bind(4, a.id);
  return st->exec("replace raw approval arguments");
}

}  // namespace ward::store
