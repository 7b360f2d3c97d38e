// The schema versions of the stores, read without migrating anything (`ward migrate --check`,
// docs/design/store.md): the version this ward writes and the one a database holds.
#pragma once

#include <string>

#include "ward/common/status.h"

namespace ward::store {

// The schema version this ward writes to ward.db (docs/formats/ward-db.md).
int sqliteSchemaVersion();
// The version ward.db at `path` holds: 0 when the file does not exist or was never migrated.
Result<int> sqliteStoredSchemaVersion(const std::string& path);

}  // namespace ward::store
