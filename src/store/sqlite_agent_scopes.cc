// The agent_scopes table (schema step 6). SqliteStore wraps these in its lock and a transaction
// that bumps the identity generation, like membership changes.
#include "sqlite_agent_scopes.h"

namespace ward::store {

namespace {

std::string describe(const std::string& agent, const identity::ScopeEntry& e) {
  return std::string(identity::scopeKindName(e.kind)) + " '" + e.value +
         "' in the scope of agent '" + agent + "'";
}

}  // namespace

Status insertScopeEntry(Database& db, const std::string& tenant, const std::string& agent,
                        const identity::ScopeEntry& entry, const std::string& by, int64_t now) {
  WARD_ASSIGN_OR_RETURN(StmtRef st,
                        db.prepare("INSERT OR IGNORE INTO agent_scopes(tenant,agent,kind,value,"
                                   "created_by,created_at) VALUES(?,?,?,?,?,?)"));
  st->bind(1, tenant);
  st->bind(2, agent);
  st->bind(3, identity::scopeKindName(entry.kind));
  st->bind(4, entry.value);
  st->bind(5, by);
  st->bind(6, now);
  WARD_RETURN_IF_ERROR(st->exec("insert agent scope entry"));
  if (db.changes() == 0) return Status::alreadyExists(describe(agent, entry) + " already exists");
  return Status();
}

Result<std::vector<identity::ScopeEntry>> selectScope(Database& db, const std::string& tenant,
                                                      const std::string& agent) {
  WARD_ASSIGN_OR_RETURN(StmtRef st,
                        db.prepare("SELECT kind,value FROM agent_scopes WHERE tenant=? AND "
                                   "agent=? ORDER BY kind,value"));
  st->bind(1, tenant);
  st->bind(2, agent);
  std::vector<identity::ScopeEntry> out;
  while (st->step()) {
    auto kind = identity::parseScopeKind(st->text(0));
    if (!kind.ok()) {
      return Status::corruption("agent_scopes: " + kind.status().message());
    }
    out.push_back(identity::ScopeEntry{*kind, st->text(1)});
  }
  WARD_RETURN_IF_ERROR(st->error("list agent scope"));
  return out;
}

Status deleteScopeEntry(Database& db, const std::string& tenant, const std::string& agent,
                        const identity::ScopeEntry& entry) {
  WARD_ASSIGN_OR_RETURN(StmtRef st,
                        db.prepare("DELETE FROM agent_scopes WHERE tenant=? AND agent=? AND "
                                   "kind=? AND value=?"));
  st->bind(1, tenant);
  st->bind(2, agent);
  st->bind(3, identity::scopeKindName(entry.kind));
  st->bind(4, entry.value);
  WARD_RETURN_IF_ERROR(st->exec("delete agent scope entry"));
  if (db.changes() == 0) return Status::notFound("no " + describe(agent, entry));
  return Status();
}

}  // namespace ward::store
