#include "sqlite_secrets.h"

namespace ward::store {

Status putSecretRow(Database& db, const std::string& tenant, const std::string& name,
                    const std::string& ciphertext, int64_t now) {
  Transaction tx(db);
  WARD_RETURN_IF_ERROR(tx.begin());
  WARD_ASSIGN_OR_RETURN(StmtRef st, db.prepare("INSERT OR REPLACE INTO tenant_secrets(tenant,name,"
                                               "ciphertext,updated_at) VALUES(?,?,?,?)"));
  st->bind(1, tenant);
  st->bind(2, name);
  st->bind(3, ciphertext);
  st->bind(4, now);
  WARD_RETURN_IF_ERROR(st->exec("store secret"));
  return tx.commit();
}

Result<std::string> selectSecret(Database& db, const std::string& tenant, const std::string& name) {
  WARD_ASSIGN_OR_RETURN(StmtRef st, db.prepare("SELECT ciphertext FROM tenant_secrets WHERE "
                                               "tenant=? AND name=?"));
  st->bind(1, tenant);
  st->bind(2, name);
  if (!st->step()) {
    WARD_RETURN_IF_ERROR(st->error("read secret"));
    return Status::notFound("secret '" + name + "' not found");
  }
  return st->text(0);
}

Result<std::string> SecretRows::get(Database& db, const std::string& tenant,
                                    const std::string& name) {
  WARD_ASSIGN_OR_RETURN(ChangeStamp stamp, db.changeStamp());
  if (stamp != stamp_) {
    rows_.clear();
    stamp_ = stamp;
  }
  auto key = std::make_pair(tenant, name);
  auto it = rows_.find(key);
  if (it != rows_.end()) return it->second;
  // Read after the stamp: a commit in between moves the next stamp, so nothing stale is kept.
  WARD_ASSIGN_OR_RETURN(std::string sealed, selectSecret(db, tenant, name));
  if (rows_.size() >= kMaxCachedSecretRows) rows_.clear();
  rows_.emplace(std::move(key), sealed);
  return sealed;
}

Result<std::vector<std::string>> selectSecretNames(Database& db, const std::string& tenant) {
  WARD_ASSIGN_OR_RETURN(StmtRef st, db.prepare("SELECT name FROM tenant_secrets WHERE "
                                               "tenant=? ORDER BY name"));
  st->bind(1, tenant);
  std::vector<std::string> out;
  while (st->step()) out.push_back(st->text(0));
  WARD_RETURN_IF_ERROR(st->error("list secrets"));
  return out;
}

Status deleteSecretRow(Database& db, const std::string& tenant, const std::string& name) {
  WARD_ASSIGN_OR_RETURN(StmtRef st,
                        db.prepare("DELETE FROM tenant_secrets WHERE tenant=? AND name=?"));
  st->bind(1, tenant);
  st->bind(2, name);
  WARD_RETURN_IF_ERROR(st->exec("delete secret"));
  if (db.changes() == 0) return Status::notFound("secret '" + name + "' not found");
  return Status();
}

}  // namespace ward::store
