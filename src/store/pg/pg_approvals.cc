// Statements on the approvals table in PostgreSQL (pg_approvals.h).
#include "pg_approvals.h"

#include "approval_moves.h"

namespace ward::store::pg {

namespace {

const std::string kApprovalColumns =
    "id,tenant,tool,version,requester,agent,args,rule,reason,idempotency_key,trace_id,state,"
    "reviewer,comment,result,created_at,expires_at,decided_at,sealed_args";

// A state the enum does not know is Corruption (the row was not written by Ward).
Result<ApprovalRecord> readApproval(const PgResult& r, int i) {
  ApprovalRecord a;
  a.id = r.text(i, 0);
  a.tenant = r.text(i, 1);
  a.tool = r.text(i, 2);
  a.version = r.text(i, 3);
  a.requester = r.text(i, 4);
  a.agent = r.text(i, 5);
  a.args = jsonCell(r.text(i, 6));
  a.rule = r.text(i, 7);
  a.reason = r.text(i, 8);
  a.idempotency_key = r.text(i, 9);
  a.trace_id = r.text(i, 10);
  auto state = parseApprovalState(r.text(i, 11));
  if (!state.ok())
    return Status::corruption("approval '" + a.id + "': " + state.status().message());
  a.state = *state;
  a.reviewer = r.text(i, 12);
  a.comment = r.text(i, 13);
  a.result = jsonCell(r.text(i, 14));
  a.created_at = r.int64(i, 15);
  a.expires_at = r.int64(i, 16);
  a.decided_at = r.int64(i, 17);
  a.sealed_args = r.text(i, 18);
  return a;
}

Result<std::vector<ApprovalRecord>> readApprovals(const PgResult& r) {
  std::vector<ApprovalRecord> out;
  out.reserve(static_cast<size_t>(r.rows()));
  for (int i = 0; i < r.rows(); ++i) {
    WARD_ASSIGN_OR_RETURN(ApprovalRecord a, readApproval(r, i));
    out.push_back(std::move(a));
  }
  return out;
}

}  // namespace

Json jsonCell(const std::string& text) {
  if (text.empty()) return nullptr;
  Json j = Json::parse(text, nullptr, false);
  return j.is_discarded() ? Json(nullptr) : j;
}

std::string jsonCellText(const Json& j) { return j.is_null() ? "" : dumpJson(j); }

Status insertApproval(PgConn& db, const ApprovalRecord& a) {
  return db
      .query("insert approval",
             "INSERT INTO approvals(" + kApprovalColumns +
                 ",args_redacted) VALUES($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14,$15,$16,"
                 "$17,$18,$19,true)",
             PgParams()
                 .add(a.id)
                 .add(a.tenant)
                 .add(a.tool)
                 .add(a.version)
                 .add(a.requester)
                 .add(a.agent)
                 .add(dumpJson(a.args))
                 .add(a.rule)
                 .add(a.reason)
                 .add(a.idempotency_key)
                 .add(a.trace_id)
                 .add(toString(a.state))
                 .add(a.reviewer)
                 .add(a.comment)
                 .add(jsonCellText(a.result))
                 .add(a.created_at)
                 .add(a.expires_at)
                 .add(a.decided_at)
                 .add(a.sealed_args))
      .status();
}

Result<ApprovalRecord> selectApproval(PgConn& db, const std::string& tenant,
                                      const std::string& id) {
  WARD_ASSIGN_OR_RETURN(PgResult r, db.query("read approval",
                                             "SELECT " + kApprovalColumns +
                                                 " FROM approvals WHERE tenant=$1 AND id=$2",
                                             PgParams().add(tenant).add(id)));
  if (r.rows() == 0) return Status::notFound("approval '" + id + "' not found");
  return readApproval(r, 0);
}

Result<std::vector<ApprovalRecord>> selectApprovals(PgConn& db, const std::string& tenant,
                                                    std::optional<ApprovalState> state, int limit) {
  WARD_ASSIGN_OR_RETURN(
      PgResult r,
      db.query(
          "list approvals",
          "SELECT " + kApprovalColumns +
              " FROM approvals WHERE tenant=$1 AND ($2='' OR state=$2) "
              "ORDER BY created_at DESC, id LIMIT $3",
          PgParams().add(tenant).add(state ? toString(*state) : std::string_view()).add(limit)));
  return readApprovals(r);
}

Result<ApprovalRecord> casApproval(PgConn& db, const std::string& tenant, const std::string& id,
                                   ApprovalState from, const ApprovalRecord& to) {
  WARD_RETURN_IF_ERROR(checkApprovalMove(id, from, to.state));
  WARD_ASSIGN_OR_RETURN(
      PgResult r, db.query("transition approval",
                           "UPDATE approvals SET state=$1,"
                           "reviewer=CASE WHEN $2='' THEN reviewer ELSE $2 END,"
                           "comment=CASE WHEN $3='' THEN comment ELSE $3 END,"
                           "result=CASE WHEN $4='' THEN result ELSE $4 END,"
                           "decided_at=CASE WHEN $5::bigint=0 THEN decided_at ELSE $5::bigint END,"
                           "sealed_args=CASE WHEN $1='approved' THEN sealed_args ELSE '' END "
                           "WHERE tenant=$6 AND id=$7 AND state=$8 RETURNING " +
                               kApprovalColumns,
                           PgParams()
                               .add(toString(to.state))
                               .add(to.reviewer)
                               .add(to.comment)
                               .add(jsonCellText(to.result))
                               .add(to.decided_at)
                               .add(tenant)
                               .add(id)
                               .add(toString(from))));
  if (r.rows() == 1) return readApproval(r, 0);
  // Nothing moved: another reviewer or node got there first, or there is no such approval.
  WARD_ASSIGN_OR_RETURN(ApprovalRecord current, selectApproval(db, tenant, id));
  return Status::failedPrecondition("approval '" + id + "' is " +
                                    std::string(toString(current.state)) + ", not " +
                                    std::string(toString(from)));
}

Result<int64_t> expirePending(PgConn& db, int64_t now) {
  WARD_ASSIGN_OR_RETURN(PgResult r,
                        db.query("expire approvals",
                                 "UPDATE approvals SET state='expired',decided_at=$1,"
                                 "sealed_args='' WHERE state='pending' AND expires_at<=$1",
                                 PgParams().add(now)));
  return r.affected();
}

Result<std::vector<ApprovalRecord>> selectRawArgApprovals(PgConn& db) {
  WARD_ASSIGN_OR_RETURN(PgResult r, db.query("list approvals with raw arguments",
                                             "SELECT " + kApprovalColumns +
                                                 " FROM approvals WHERE NOT args_redacted"));
  return readApprovals(r);
}

Status replaceRawArgs(PgConn& db, const ApprovalRecord& a) {
  return db
      .query("replace raw approval arguments",
             "UPDATE approvals SET args=$1,sealed_args=$2,args_redacted=true "
             "WHERE tenant=$3 AND id=$4 AND NOT args_redacted",
             PgParams().add(dumpJson(a.args)).add(a.sealed_args).add(a.tenant).add(a.id))
      .status();
}

}  // namespace ward::store::pg
