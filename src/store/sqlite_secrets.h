// The tenant_secrets table's statements: ciphertext only (the gateway seals and unseals). Private
// to the store module; callers hold the store's lock.
#pragma once

#include <string>
#include <vector>

#include "sqlite_db.h"

namespace ward::store {

// ToolStore::putSecret: inserts or replaces, in its own transaction.
Status putSecretRow(Database& db, const std::string& tenant, const std::string& name,
                    const std::string& ciphertext, int64_t now);
// ToolStore::getSecret: NotFound naming the secret when there is no such row.
Result<std::string> selectSecret(Database& db, const std::string& tenant, const std::string& name);
Result<std::vector<std::string>> selectSecretNames(Database& db, const std::string& tenant);
// ToolStore::deleteSecret: NotFound naming the secret when there was no such row.
Status deleteSecretRow(Database& db, const std::string& tenant, const std::string& name);

}  // namespace ward::store
