// The Store and the ToolStore on PostgreSQL 15+ (docs/design/store.md, "PostgreSQL"): the same
// interfaces and logical schema as the SQLite stores, for several Ward processes on one database.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "ward/store/store.h"
#include "ward/store/tool_store.h"

namespace ward::store {

// Whether `url` names a PostgreSQL database (postgresql:// or postgres://).
bool isPostgresUrl(std::string_view url);

// Connects to the PostgreSQL database at `url` (a libpq URL: TLS and other options such as
// ?sslmode=verify-full pass through) and applies the schema migrations it lacks, recorded in
// schema_migrations. Unavailable when the server cannot be reached; a schema newer than this ward
// is FailedPrecondition, never a silent reset.
Result<std::unique_ptr<Store>> openPgStore(const std::string& url);

// The ToolStore on the same database (tools, grants, modes, delegations, idempotency keys,
// approvals, tenant secrets, prompt pins), migrating it like openPgStore, on a connection pool of
// its own. Several nodes share it: a claimed idempotency key and an approval's state move are
// exactly-once across all of them, and `generation()` reads the database on every call, so every
// node's PolicyCache sees another node's change on its next call.
Result<std::unique_ptr<ToolStore>> openPgToolStore(const std::string& url);

// The schema version a store opened by this ward has (the newest migration).
int pgSchemaVersion();
// The newest migration the database at `url` records (0 when none); reading migrates nothing
// (`ward migrate --check`).
Result<int> pgStoredSchemaVersion(const std::string& url);

}  // namespace ward::store
