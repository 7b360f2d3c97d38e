// The Store on PostgreSQL 15+ (docs/design/store.md, "PostgreSQL"): the same interface and logical
// schema as the SQLite store, for several Ward processes on one database.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "ward/store/store.h"

namespace ward::store {

// Whether `url` names a PostgreSQL database (postgresql:// or postgres://).
bool isPostgresUrl(std::string_view url);

// Connects to the PostgreSQL database at `url` (a libpq URL: TLS and other options such as
// ?sslmode=verify-full pass through) and applies the schema migrations it lacks, recorded in
// schema_migrations. Unavailable when the server cannot be reached; a schema newer than this ward
// is FailedPrecondition, never a silent reset.
Result<std::unique_ptr<Store>> openPgStore(const std::string& url);

// The schema version a store opened by this ward has (the newest migration).
int pgSchemaVersion();

}  // namespace ward::store
