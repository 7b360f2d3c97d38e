// The SQLite implementation of identity::ScimDirectory (schema step 8, docs/formats/ward-db.md,
// "SCIM"): the scim_resources table beside principals and memberships in ward.db, and the
// principals' `disabled` flag that an inactive or deleted SCIM user sets (a disabled principal's
// API keys are refused: Store::findApiKey reports them revoked, and Store::findPrincipal no
// longer finds it).
//
// Its own connection to ward.db (like the sync store); thread-safe (one mutex).
#pragma once

#include <memory>
#include <string>

#include "ward/common/status.h"
#include "ward/identity/scim_directory.h"

namespace ward::store {

// Opens ward.db (applying every schema migration) with a connection of its own.
Result<std::unique_ptr<identity::ScimDirectory>> openSqliteScimStore(const std::string& path);

}  // namespace ward::store
