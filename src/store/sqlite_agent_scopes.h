// The agent_scopes table (schema step 6): each agent's document scope (identity/document_scope.h).
// Private to the store module; callers hold the store's lock and their own transaction.
#pragma once

#include <string>
#include <vector>

#include "sqlite_db.h"
#include "ward/identity/document_scope.h"

namespace ward::store {

// Schema step 6 (docs/formats/ward-db.md).
inline constexpr const char* kAgentScopeSchemaV6 = R"sql(
CREATE TABLE IF NOT EXISTS agent_scopes(
  tenant TEXT NOT NULL, agent TEXT NOT NULL, kind TEXT NOT NULL, value TEXT NOT NULL,
  created_by TEXT NOT NULL, created_at INTEGER NOT NULL, PRIMARY KEY(tenant, agent, kind, value));
)sql";

// AlreadyExists when the agent's scope already holds the entry.
Status insertScopeEntry(Database& db, const std::string& tenant, const std::string& agent,
                        const identity::ScopeEntry& entry, const std::string& by, int64_t now);
// Sorted by kind, then value.
Result<std::vector<identity::ScopeEntry>> selectScope(Database& db, const std::string& tenant,
                                                      const std::string& agent);
// NotFound when the agent's scope has no such entry.
Status deleteScopeEntry(Database& db, const std::string& tenant, const std::string& agent,
                        const identity::ScopeEntry& entry);

}  // namespace ward::store
