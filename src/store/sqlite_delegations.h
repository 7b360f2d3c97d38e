// The tool_delegations table's statements (schema step 3). Private to the store module; callers
// hold the store's lock and their own transaction.
#pragma once

#include <string>
#include <vector>

#include "sqlite_db.h"
#include "ward/store/tool_store.h"

namespace ward::store {

// AlreadyExists when the user already delegates to the agent.
Status insertDelegation(Database& db, const DelegationRecord& d);
Result<std::vector<DelegationRecord>> selectDelegations(Database& db, const std::string& tenant);
// NotFound when there is no such delegation.
Status removeDelegation(Database& db, const std::string& tenant, const std::string& user,
                        const std::string& agent);

}  // namespace ward::store
