// Group membership stated by sources (sqlite_source_groups.h). A source may only change groups it
// created, so a document source can never grant itself (or anyone) a Ward admin's group or a role.
#include "sqlite_source_groups.h"

#include "ward/identity/principal.h"
#include "ward/identity/roles.h"

namespace ward::store {

Result<std::optional<std::string>> selectGroupManager(Database& db, const std::string& tenant,
                                                      const std::string& group) {
  WARD_ASSIGN_OR_RETURN(StmtRef st,
                        db.prepare("SELECT p.kind, COALESCE(g.source,'') FROM principals p "
                                   "LEFT JOIN source_groups g ON g.group_id=p.id "
                                   "WHERE p.tenant=? AND p.name=?"));
  st->bind(1, tenant);
  st->bind(2, group);
  if (!st->step()) {
    WARD_RETURN_IF_ERROR(st->error("read group manager"));
    return std::optional<std::string>();
  }
  if (st->text(0) != identity::principalKindName(identity::PrincipalKind::kGroup)) {
    return std::optional<std::string>(std::string());
  }
  return std::optional<std::string>(st->text(1));
}

Result<int64_t> countManagedGroups(Database& db, const std::string& tenant,
                                   const std::string& source) {
  WARD_ASSIGN_OR_RETURN(
      StmtRef st, db.prepare("SELECT COUNT(*) FROM source_groups WHERE tenant=? AND source=?"));
  st->bind(1, tenant);
  st->bind(2, source);
  if (!st->step()) return st->error("count source groups");
  return st->int64(0);
}

Status applyGroupMembership(Database& db, const std::string& tenant, const std::string& source,
                            const GroupMembership& update, int64_t now) {
  if (identity::isRoleGroup(update.group)) {
    return Status::failedPrecondition("group '" + update.group +
                                      "' grants a role: no source may manage it");
  }
  WARD_ASSIGN_OR_RETURN(std::optional<std::string> manager,
                        selectGroupManager(db, tenant, update.group));
  if (manager && *manager != source) {
    return Status::failedPrecondition("group '" + update.group + "' is not managed by source '" +
                                      source + "'");
  }
  if (!manager) {
    WARD_ASSIGN_OR_RETURN(StmtRef t,
                          db.prepare("INSERT OR IGNORE INTO tenants(name,created_at) VALUES(?,?)"));
    t->bind(1, tenant);
    t->bind(2, now);
    WARD_RETURN_IF_ERROR(t->exec("create tenant"));
    WARD_ASSIGN_OR_RETURN(StmtRef p, db.prepare("INSERT INTO principals(tenant,name,kind,admin,"
                                                "created_at) VALUES(?,?,?,0,?)"));
    p->bind(1, tenant);
    p->bind(2, update.group);
    p->bind(3, identity::principalKindName(identity::PrincipalKind::kGroup));
    p->bind(4, now);
    WARD_RETURN_IF_ERROR(p->exec("create source group"));
    const int64_t id = db.lastInsertId();
    WARD_ASSIGN_OR_RETURN(StmtRef g, db.prepare("INSERT INTO source_groups(group_id,tenant,source) "
                                                "VALUES(?,?,?)"));
    g->bind(1, id);
    g->bind(2, tenant);
    g->bind(3, source);
    WARD_RETURN_IF_ERROR(g->exec("record source group"));
  }
  WARD_ASSIGN_OR_RETURN(StmtRef clear,
                        db.prepare("DELETE FROM memberships WHERE group_id=(SELECT id FROM "
                                   "principals WHERE tenant=? AND name=?)"));
  clear->bind(1, tenant);
  clear->bind(2, update.group);
  WARD_RETURN_IF_ERROR(clear->exec("clear source group"));
  // Names that are not principals of the tenant select nothing and are skipped; the group itself
  // never becomes its own member.
  WARD_ASSIGN_OR_RETURN(
      StmtRef add,
      db.prepare("INSERT OR IGNORE INTO memberships(member_id,group_id) SELECT m.id, g.id FROM "
                 "principals m, principals g WHERE m.tenant=? AND m.name=? AND g.tenant=? AND "
                 "g.name=? AND m.id<>g.id"));
  for (const std::string& member : update.members) {
    add->reset();
    add->bind(1, tenant);
    add->bind(2, member);
    add->bind(3, tenant);
    add->bind(4, update.group);
    WARD_RETURN_IF_ERROR(add->exec("add source group member"));
  }
  return db.exec(
      "UPDATE meta SET value = CAST(CAST(value AS INTEGER) + 1 AS TEXT) "
      "WHERE key='identity_generation'");
}

Result<std::vector<std::string>> emptyUnreportedGroups(Database& db, const std::string& tenant,
                                                       const std::string& source, int64_t run_id) {
  WARD_ASSIGN_OR_RETURN(
      StmtRef st,
      db.prepare("SELECT p.id, p.name, (SELECT COUNT(*) FROM memberships m WHERE m.group_id=p.id) "
                 "FROM source_groups g JOIN principals p ON p.id=g.group_id WHERE g.tenant=? AND "
                 "g.source=? AND NOT EXISTS (SELECT 1 FROM sync_run_groups r WHERE r.run_id=? AND "
                 "r.name=p.name) ORDER BY p.name"));
  st->bind(1, tenant);
  st->bind(2, source);
  st->bind(3, run_id);
  // Groups already empty (emptied by an earlier pass) are left alone and not reported again.
  std::vector<std::pair<int64_t, std::string>> gone;
  while (st->step()) {
    if (st->int64(2) > 0) gone.emplace_back(st->int64(0), st->text(1));
  }
  WARD_RETURN_IF_ERROR(st->error("list unreported source groups"));
  std::vector<std::string> names;
  if (gone.empty()) return names;
  WARD_ASSIGN_OR_RETURN(StmtRef clear, db.prepare("DELETE FROM memberships WHERE group_id=?"));
  for (const auto& [id, name] : gone) {
    clear->reset();
    clear->bind(1, id);
    WARD_RETURN_IF_ERROR(clear->exec("empty source group"));
    names.push_back(name);
  }
  WARD_RETURN_IF_ERROR(
      db.exec("UPDATE meta SET value = CAST(CAST(value AS INTEGER) + 1 AS TEXT) "
              "WHERE key='identity_generation'"));
  return names;
}

}  // namespace ward::store
