// One-time provisioning of a tenant's default tools and grants (the built-in search and fetch,
// gateway/builtin_tools.h), remembered in meta so that an admin's withdrawal sticks. Private to
// the store module; the caller holds the tool store's lock and its transaction.
#pragma once

#include <string>
#include <vector>

#include "sqlite_db.h"
#include "ward/store/tool_store.h"

namespace ward::store {

// When meta holds no "provisioned/<what>/<tenant>" key: inserts each tool whose name the tenant
// does not have yet (any version), then each grant whose (subject_kind, subject, tool) the tenant
// does not hold yet, and sets the key; returns true. Returns false (writing nothing) when the key
// is set: the tenant was provisioned before, whatever an admin changed since.
Result<bool> provisionTenant(Database& db, const std::string& tenant, const std::string& what,
                             const std::vector<ToolRecord>& tools,
                             const std::vector<GrantRecord>& grants);

}  // namespace ward::store
