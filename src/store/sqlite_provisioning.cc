#include "sqlite_provisioning.h"

namespace ward::store {

namespace {

Result<bool> exists(Database& db, const std::string& sql, const std::vector<std::string>& args) {
  WARD_ASSIGN_OR_RETURN(StmtRef st, db.prepare(sql));
  for (size_t i = 0; i < args.size(); ++i) st->bind(static_cast<int>(i) + 1, args[i]);
  if (st->step()) return true;
  WARD_RETURN_IF_ERROR(st->error("provisioning lookup"));
  return false;
}

}  // namespace

Result<bool> provisionTenant(Database& db, const std::string& tenant, const std::string& what,
                             const std::vector<ToolRecord>& tools,
                             const std::vector<GrantRecord>& grants) {
  const std::string key = "provisioned/" + what + "/" + tenant;
  WARD_ASSIGN_OR_RETURN(bool done, exists(db, "SELECT 1 FROM meta WHERE key=?", {key}));
  if (done) return false;
  for (const ToolRecord& t : tools) {
    WARD_ASSIGN_OR_RETURN(
        bool have, exists(db, "SELECT 1 FROM tools WHERE tenant=? AND name=?", {tenant, t.name}));
    if (have) continue;  // the tenant's own tool of that name stays
    WARD_ASSIGN_OR_RETURN(
        StmtRef st, db.prepare("INSERT INTO tools(tenant,name,version,definition,"
                               "canonical_hash,created_at,updated_at) VALUES(?,?,?,?,?,?,?)"));
    st->bind(1, tenant);
    st->bind(2, t.name);
    st->bind(3, t.version);
    st->bind(4, dumpJson(t.definition));
    st->bind(5, t.canonical_hash);
    st->bind(6, t.created_at);
    st->bind(7, t.created_at);
    WARD_RETURN_IF_ERROR(st->exec("provision tool"));
  }
  for (const GrantRecord& g : grants) {
    WARD_ASSIGN_OR_RETURN(
        bool have, exists(db,
                          "SELECT 1 FROM tool_grants WHERE tenant=? AND "
                          "subject_kind=? AND subject=? AND tool=?",
                          {tenant, std::string(toString(g.subject_kind)), g.subject, g.tool}));
    if (have) continue;
    WARD_ASSIGN_OR_RETURN(StmtRef st,
                          db.prepare("INSERT INTO tool_grants(tenant,subject_kind,subject,tool,"
                                     "constraints,created_by,created_at) VALUES(?,?,?,?,?,?,?)"));
    st->bind(1, tenant);
    st->bind(2, toString(g.subject_kind));
    st->bind(3, g.subject);
    st->bind(4, g.tool);
    st->bind(5, dumpJson(g.constraints));
    st->bind(6, g.created_by);
    st->bind(7, g.created_at);
    WARD_RETURN_IF_ERROR(st->exec("provision grant"));
  }
  WARD_ASSIGN_OR_RETURN(StmtRef st, db.prepare("INSERT INTO meta(key,value) VALUES(?,'1')"));
  st->bind(1, key);
  WARD_RETURN_IF_ERROR(st->exec("mark provisioned"));
  return true;
}

}  // namespace ward::store
