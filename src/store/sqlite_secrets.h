// The tenant_secrets table's statements: ciphertext only (the gateway seals and unseals). Private
// to the store module; callers hold the store's lock.
#pragma once

#include <cstddef>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "sqlite_db.h"

namespace ward::store {

// ToolStore::putSecret: inserts or replaces, in its own transaction.
Status putSecretRow(Database& db, const std::string& tenant, const std::string& name,
                    const std::string& ciphertext, int64_t now);
// ToolStore::getSecret: NotFound naming the secret when there is no such row.
Result<std::string> selectSecret(Database& db, const std::string& tenant, const std::string& name);

// Rows kept by SecretRows at most (all are dropped when one more would not fit).
inline constexpr size_t kMaxCachedSecretRows = 1024;

// selectSecret with the rows read so far kept while the connection's ChangeStamp stays where it
// was: a commit by any connection (a secret set by the CLI, another node's process, this store)
// drops them all, so a changed or deleted secret is read again on the next call. Ciphertext only.
// Not thread-safe: the store's lock guards it.
class SecretRows {
 public:
  Result<std::string> get(Database& db, const std::string& tenant, const std::string& name);

 private:
  ChangeStamp stamp_;
  std::map<std::pair<std::string, std::string>, std::string> rows_;  // (tenant, name) -> sealed
};
Result<std::vector<std::string>> selectSecretNames(Database& db, const std::string& tenant);
// ToolStore::deleteSecret: NotFound naming the secret when there was no such row.
Status deleteSecretRow(Database& db, const std::string& tenant, const std::string& name);

}  // namespace ward::store
