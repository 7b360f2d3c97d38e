// The groups that sources manage (schema step 8, `source_groups`; GroupUpdate events of the
// connector contract). Free functions over a Database whose caller holds the lock and, for
// writes, an open transaction (the sync store's commitBatch).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "sqlite_db.h"
#include "ward/store/sync_store.h"

namespace ward::store {

// SyncStore::groupManager's answer (see sync_store.h).
Result<std::optional<std::string>> selectGroupManager(Database& db, const std::string& tenant,
                                                      const std::string& group);
Result<int64_t> countManagedGroups(Database& db, const std::string& tenant,
                                   const std::string& source);
// Creates the group as `source`'s when the tenant has no principal of that name, refuses
// (FailedPrecondition) a group that is not `source`'s, then sets its memberships to exactly the
// members that are principals of the tenant and bumps the identity generation.
Status applyGroupMembership(Database& db, const std::string& tenant, const std::string& source,
                            const GroupMembership& update, int64_t now);

// The groups `source` manages that run `run_id` did not report (`sync_run_groups`) lose all their
// members, and the identity generation moves. Returns the names of those that had members, sorted
// (a group already empty is left alone).
Result<std::vector<std::string>> emptyUnreportedGroups(Database& db, const std::string& tenant,
                                                       const std::string& source, int64_t run_id);

}  // namespace ward::store
