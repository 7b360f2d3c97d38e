// Statements on the idempotency_keys table in PostgreSQL (pg_idempotency.h).
#include "pg_idempotency.h"

#include "pg_approvals.h"

namespace ward::store::pg {

namespace {

const std::string kIdemColumns =
    "tenant,principal,key,tool,args_hash,state,response,approval_id,created_at,expires_at";

// Claims of one key that find its holder gone (released between the claim and the read) before
// the claim gives up with Unavailable.
constexpr int kClaimAttempts = 3;

IdempotencyRecord readIdem(const PgResult& r, int i) {
  IdempotencyRecord rec;
  rec.tenant = r.text(i, 0);
  rec.principal = r.text(i, 1);
  rec.key = r.text(i, 2);
  rec.tool = r.text(i, 3);
  rec.args_hash = r.text(i, 4);
  rec.state = r.text(i, 5);
  rec.response = jsonCell(r.text(i, 6));
  rec.approval_id = r.text(i, 7);
  rec.created_at = r.int64(i, 8);
  rec.expires_at = r.int64(i, 9);
  return rec;
}

}  // namespace

Result<IdempotencyRecord> claimKey(PgConn& db, const IdempotencyRecord& rec, int64_t now,
                                   bool* inserted) {
  for (int attempt = 0; attempt < kClaimAttempts; ++attempt) {
    WARD_ASSIGN_OR_RETURN(
        PgResult claimed,
        db.query("claim idempotency key",
                 "INSERT INTO idempotency_keys(" + kIdemColumns +
                     ") VALUES($1,$2,$3,$4,$5,'in_progress','','',$6,$7) "
                     "ON CONFLICT (tenant,principal,key) DO UPDATE SET tool=excluded.tool,"
                     "args_hash=excluded.args_hash,state='in_progress',response='',"
                     "approval_id='',created_at=excluded.created_at,"
                     "expires_at=excluded.expires_at WHERE idempotency_keys.expires_at<=$8 "
                     "RETURNING 1",
                 PgParams()
                     .add(rec.tenant)
                     .add(rec.principal)
                     .add(rec.key)
                     .add(rec.tool)
                     .add(rec.args_hash)
                     .add(rec.created_at)
                     .add(rec.expires_at)
                     .add(now)));
    if (claimed.rows() == 1) {
      *inserted = true;
      IdempotencyRecord out = rec;
      out.state = "in_progress";
      out.response = nullptr;
      out.approval_id.clear();
      return out;
    }
    auto held = selectKey(db, rec.tenant, rec.principal, rec.key);
    if (held.ok() || held.status().code() != StatusCode::kNotFound) {
      *inserted = false;
      return held;
    }
    // Released between the two statements: claim again.
  }
  return Status::unavailable("idempotency key '" + rec.key +
                             "' kept changing hands while being claimed; retry");
}

Result<IdempotencyRecord> selectKey(PgConn& db, const std::string& tenant,
                                    const std::string& principal, const std::string& key) {
  WARD_ASSIGN_OR_RETURN(
      PgResult r, db.query("read idempotency key",
                           "SELECT " + kIdemColumns +
                               " FROM idempotency_keys WHERE tenant=$1 AND principal=$2 AND key=$3",
                           PgParams().add(tenant).add(principal).add(key)));
  if (r.rows() == 0) return Status::notFound("idempotency key not found");
  return readIdem(r, 0);
}

Status completeKey(PgConn& db, const IdempotencyRecord& rec) {
  return db
      .query("complete idempotency key",
             "UPDATE idempotency_keys SET state='done',response=$1,approval_id=$2 "
             "WHERE tenant=$3 AND principal=$4 AND key=$5",
             PgParams()
                 .add(dumpJson(rec.response))
                 .add(rec.approval_id)
                 .add(rec.tenant)
                 .add(rec.principal)
                 .add(rec.key))
      .status();
}

Status releaseKey(PgConn& db, const std::string& tenant, const std::string& principal,
                  const std::string& key) {
  return db
      .query("release idempotency key",
             "DELETE FROM idempotency_keys WHERE tenant=$1 AND principal=$2 AND key=$3 AND "
             "state='in_progress'",
             PgParams().add(tenant).add(principal).add(key))
      .status();
}

}  // namespace ward::store::pg
