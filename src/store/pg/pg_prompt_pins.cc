// Pinned upstream prompt definitions on PostgreSQL (pg_prompt_pins.h).
#include "pg_prompt_pins.h"

#include "prompt_pin_rules.h"
#include "pg_approvals.h"

namespace ward::store::pg {

namespace {

// Serializes the offers and approvals of one upstream's prompts across every node.
Status lockUpstream(PgConn& db, const std::string& tenant, const std::string& upstream) {
  return db
      .query("lock upstream prompt pins", "SELECT pg_advisory_xact_lock(hashtext($1))",
             PgParams().add("prompt_pins/" + tenant + "/" + upstream))
      .status();
}

Status upsert(PgConn& db, const PromptPinRecord& r) {
  return db
      .query("write prompt pin",
             "INSERT INTO upstream_prompt_pins(tenant,upstream,prompt,pinned_hash,"
             "pinned_definition,pending_hash,pending_definition,updated_at) "
             "VALUES($1,$2,$3,$4,$5,$6,$7,$8) ON CONFLICT (tenant,upstream,prompt) DO UPDATE SET "
             "pinned_hash=excluded.pinned_hash,pinned_definition=excluded.pinned_definition,"
             "pending_hash=excluded.pending_hash,pending_definition=excluded.pending_definition,"
             "updated_at=excluded.updated_at",
             PgParams()
                 .add(r.tenant)
                 .add(r.upstream)
                 .add(r.prompt)
                 .add(r.pinned_hash)
                 .add(jsonCellText(r.pinned_definition))
                 .add(r.pending_hash)
                 .add(jsonCellText(r.pending_definition))
                 .add(r.updated_at))
      .status();
}

}  // namespace

Result<std::vector<PromptPinRecord>> selectPromptPins(PgConn& db, const std::string& tenant,
                                                      const std::string& upstream) {
  WARD_ASSIGN_OR_RETURN(PgResult r,
                        db.query("list prompt pins",
                                 "SELECT prompt,pinned_hash,pinned_definition,pending_hash,"
                                 "pending_definition,updated_at FROM upstream_prompt_pins "
                                 "WHERE tenant=$1 AND upstream=$2 ORDER BY prompt",
                                 PgParams().add(tenant).add(upstream)));
  std::vector<PromptPinRecord> out;
  out.reserve(r.rows());
  for (int i = 0; i < r.rows(); ++i) {
    out.push_back(PromptPinRecord{tenant, upstream, r.text(i, 0), r.text(i, 1),
                                  jsonCell(r.text(i, 2)), r.text(i, 3), jsonCell(r.text(i, 4)),
                                  r.int64(i, 5)});
  }
  return out;
}

Result<std::vector<PromptPinRecord>> offerPrompts(PgConn& db, const std::string& tenant,
                                                  const std::string& upstream,
                                                  const std::vector<PromptPinRecord>& offered,
                                                  int64_t now) {
  WARD_RETURN_IF_ERROR(lockUpstream(db, tenant, upstream));
  WARD_ASSIGN_OR_RETURN(std::vector<PromptPinRecord> existing,
                        selectPromptPins(db, tenant, upstream));
  std::vector<PromptPinRecord> out;
  for (PromptPinUpdate& u : applyPromptOffer(std::move(existing), offered, tenant, upstream, now)) {
    if (u.changed) WARD_RETURN_IF_ERROR(upsert(db, u.record));
    out.push_back(std::move(u.record));
  }
  return out;
}

Status approvePromptPin(PgConn& db, const std::string& tenant, const std::string& upstream,
                        const std::string& prompt, const std::string& expected_hash, int64_t now) {
  WARD_RETURN_IF_ERROR(lockUpstream(db, tenant, upstream));
  WARD_ASSIGN_OR_RETURN(std::vector<PromptPinRecord> pins, selectPromptPins(db, tenant, upstream));
  WARD_ASSIGN_OR_RETURN(PromptPinRecord pinned,
                        approvedPromptPin(std::move(pins), upstream, prompt, expected_hash, now));
  return upsert(db, pinned);
}

}  // namespace ward::store::pg
