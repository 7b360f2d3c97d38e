// The tool_delegations table (schema step 3): which agents each user lets act for them. The
// SqliteToolStore methods wrap these in its lock and a generation-bumping transaction.
#include "sqlite_delegations.h"

namespace ward::store {

Status insertDelegation(Database& db, const DelegationRecord& d) {
  WARD_ASSIGN_OR_RETURN(StmtRef st,
                        db.prepare("INSERT OR IGNORE INTO tool_delegations(tenant,user,agent,"
                                   "created_by,created_at) VALUES(?,?,?,?,?)"));
  st->bind(1, d.tenant);
  st->bind(2, d.user);
  st->bind(3, d.agent);
  st->bind(4, d.created_by);
  st->bind(5, d.created_at);
  WARD_RETURN_IF_ERROR(st->exec("insert delegation"));
  if (db.changes() == 0) {
    return Status::alreadyExists("user '" + d.user + "' already delegates to agent '" + d.agent +
                                 "'");
  }
  return Status();
}

Result<std::vector<DelegationRecord>> selectDelegations(Database& db, const std::string& tenant) {
  WARD_ASSIGN_OR_RETURN(StmtRef st,
                        db.prepare("SELECT tenant,user,agent,created_by,created_at FROM "
                                   "tool_delegations WHERE tenant=? ORDER BY user,agent"));
  st->bind(1, tenant);
  std::vector<DelegationRecord> out;
  while (st->step()) {
    out.push_back(
        DelegationRecord{st->text(0), st->text(1), st->text(2), st->text(3), st->int64(4)});
  }
  WARD_RETURN_IF_ERROR(st->error("list delegations"));
  return out;
}

Status removeDelegation(Database& db, const std::string& tenant, const std::string& user,
                        const std::string& agent) {
  WARD_ASSIGN_OR_RETURN(
      StmtRef st, db.prepare("DELETE FROM tool_delegations WHERE tenant=? AND user=? AND agent=?"));
  st->bind(1, tenant);
  st->bind(2, user);
  st->bind(3, agent);
  WARD_RETURN_IF_ERROR(st->exec("delete delegation"));
  if (db.changes() == 0) {
    return Status::notFound("user '" + user + "' does not delegate to agent '" + agent + "'");
  }
  return Status();
}

}  // namespace ward::store
