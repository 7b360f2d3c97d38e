// Runtime sources (schema step 9, `sources`; POST /v1/sources): free functions over a Database
// whose caller holds the lock (the sync store's mutex) and, where stated, an open transaction.
#pragma once

#include <string>
#include <vector>

#include "sqlite_db.h"
#include "ward/store/sync_store.h"

namespace ward::store {

// The tenant's runtime sources by name; `name` "" = all of them, else that one (or none).
Result<std::vector<RuntimeSourceRecord>> selectRuntimeSources(Database& db,
                                                              const std::string& tenant,
                                                              const std::string& name);
// In the caller's transaction: AlreadyExists for a name taken, FailedPrecondition once the tenant
// has `max_sources` runtime sources.
Status insertRuntimeSource(Database& db, const RuntimeSourceRecord& r, size_t max_sources);
// Replaces the config (and clears `removing`); NotFound when there is none.
Status updateRuntimeSource(Database& db, const RuntimeSourceRecord& r);
Status markRuntimeSourceRemoving(Database& db, const std::string& tenant, const std::string& name);
Status deleteRuntimeSource(Database& db, const std::string& tenant, const std::string& name);

}  // namespace ward::store
