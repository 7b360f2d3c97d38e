// Runtime sources (sqlite_runtime_sources.h; docs/formats/ward-db.md, "Schema step 9").
#include "sqlite_runtime_sources.h"

#include "ward/common/clock.h"

namespace ward::store {

Result<std::vector<RuntimeSourceRecord>> selectRuntimeSources(Database& db,
                                                              const std::string& tenant,
                                                              const std::string& name) {
  WARD_ASSIGN_OR_RETURN(StmtRef st,
                        db.prepare("SELECT name,config,created_by,created_at,updated_at,removing "
                                   "FROM sources WHERE tenant=? AND (?='' OR name=?) ORDER BY "
                                   "name"));
  st->bind(1, tenant);
  st->bind(2, name);
  st->bind(3, name);
  std::vector<RuntimeSourceRecord> out;
  while (st->step()) {
    RuntimeSourceRecord r;
    r.tenant = tenant;
    r.name = st->text(0);
    r.config = st->text(1);
    r.created_by = st->text(2);
    r.created_at = st->int64(3);
    r.updated_at = st->int64(4);
    r.removing = st->int64(5) != 0;
    out.push_back(std::move(r));
  }
  WARD_RETURN_IF_ERROR(st->error("list runtime sources"));
  return out;
}

Status insertRuntimeSource(Database& db, const RuntimeSourceRecord& r, size_t max_sources) {
  WARD_ASSIGN_OR_RETURN(StmtRef count,
                        db.prepare("SELECT COUNT(*), SUM(name=?) FROM sources WHERE tenant=?"));
  count->bind(1, r.name);
  count->bind(2, r.tenant);
  if (!count->step()) return count->error("count runtime sources");
  if (count->int64(1) > 0) {
    return Status::alreadyExists("source '" + r.name + "' already exists");
  }
  if (static_cast<size_t>(count->int64(0)) >= max_sources) {
    return Status::failedPrecondition(
        "at most " + std::to_string(max_sources) +
        " runtime sources (kMaxSources in all, ward.toml's included)");
  }
  const int64_t now = SystemClock::instance().nowMicros();
  WARD_ASSIGN_OR_RETURN(StmtRef st,
                        db.prepare("INSERT INTO sources(tenant,name,config,created_by,created_at,"
                                   "updated_at,removing) VALUES(?,?,?,?,?,?,0)"));
  st->bind(1, r.tenant);
  st->bind(2, r.name);
  st->bind(3, r.config);
  st->bind(4, r.created_by);
  st->bind(5, now);
  st->bind(6, now);
  return st->exec("create runtime source");
}

Status updateRuntimeSource(Database& db, const RuntimeSourceRecord& r) {
  WARD_ASSIGN_OR_RETURN(StmtRef st,
                        db.prepare("UPDATE sources SET config=?, updated_at=?, removing=0 WHERE "
                                   "tenant=? AND name=?"));
  st->bind(1, r.config);
  st->bind(2, SystemClock::instance().nowMicros());
  st->bind(3, r.tenant);
  st->bind(4, r.name);
  WARD_RETURN_IF_ERROR(st->exec("replace runtime source"));
  if (db.changes() == 0) return Status::notFound("no runtime source '" + r.name + "'");
  return Status();
}

Status markRuntimeSourceRemoving(Database& db, const std::string& tenant, const std::string& name) {
  WARD_ASSIGN_OR_RETURN(StmtRef st,
                        db.prepare("UPDATE sources SET removing=1 WHERE tenant=? AND name=?"));
  st->bind(1, tenant);
  st->bind(2, name);
  WARD_RETURN_IF_ERROR(st->exec("mark runtime source removing"));
  if (db.changes() == 0) return Status::notFound("no runtime source '" + name + "'");
  return Status();
}

Status deleteRuntimeSource(Database& db, const std::string& tenant, const std::string& name) {
  WARD_ASSIGN_OR_RETURN(StmtRef st, db.prepare("DELETE FROM sources WHERE tenant=? AND name=?"));
  st->bind(1, tenant);
  st->bind(2, name);
  WARD_RETURN_IF_ERROR(st->exec("delete runtime source"));
  if (db.changes() == 0) return Status::notFound("no runtime source '" + name + "'");
  return Status();
}

}  // namespace ward::store
