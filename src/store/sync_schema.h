// Schema step 7: the sync state of configured sources (docs/formats/ward-db.md, "Sync").
// Applied by SqliteStore::init inside its migration transaction.
#pragma once

namespace ward::store {

inline constexpr const char* kSyncSchemaV7 = R"sql(
CREATE TABLE IF NOT EXISTS sync_runs(
  id INTEGER PRIMARY KEY AUTOINCREMENT, tenant TEXT NOT NULL, source TEXT NOT NULL,
  full INTEGER NOT NULL, state TEXT NOT NULL, checkpoint TEXT NOT NULL,
  started_at INTEGER NOT NULL, finished_at INTEGER NOT NULL,
  listed INTEGER NOT NULL, fetched INTEGER NOT NULL, indexed INTEGER NOT NULL,
  unchanged INTEGER NOT NULL, failed INTEGER NOT NULL, refused INTEGER NOT NULL,
  held INTEGER NOT NULL, widened INTEGER NOT NULL, deleted INTEGER NOT NULL,
  pages INTEGER NOT NULL, resumed INTEGER NOT NULL, exhausted INTEGER NOT NULL,
  message TEXT NOT NULL, approval_id TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS sync_runs_by_source ON sync_runs(tenant, source, id);
CREATE TABLE IF NOT EXISTS sync_seen(
  run_id INTEGER NOT NULL, ext_id TEXT NOT NULL, version TEXT NOT NULL, state INTEGER NOT NULL,
  PRIMARY KEY(run_id, ext_id)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS sync_items(
  tenant TEXT NOT NULL, ext_id TEXT NOT NULL, source TEXT NOT NULL, version TEXT NOT NULL,
  PRIMARY KEY(tenant, ext_id)) WITHOUT ROWID;
)sql";

// Schema step 8 (with scim_schema.h): the groups that sources manage (GroupUpdate events;
// docs/formats/ward-db.md, "Schema step 8").
inline constexpr const char* kSourceGroupsSchemaV8 = R"sql(
CREATE TABLE IF NOT EXISTS source_groups(
  group_id INTEGER PRIMARY KEY, tenant TEXT NOT NULL, source TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS source_groups_by_source ON source_groups(tenant, source);
)sql";

// Schema step 9: runtime sources (POST /v1/sources; their config as JSON, the same keys as
// ward.toml's [[sources]]), the `--since` of a backfill stored with its run (so a resumed run keeps
// it), and the groups each running pass has reported (so a complete pass can empty the source's
// groups it no longer reports). docs/formats/ward-db.md, "Schema step 9".
inline constexpr const char* kSourcesSchemaV9 = R"sql(
ALTER TABLE sync_runs ADD COLUMN full_since INTEGER NOT NULL DEFAULT 0;
CREATE TABLE IF NOT EXISTS sync_run_groups(
  run_id INTEGER NOT NULL, name TEXT NOT NULL, PRIMARY KEY(run_id, name)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS sources(
  tenant TEXT NOT NULL, name TEXT NOT NULL, config TEXT NOT NULL, created_by TEXT NOT NULL,
  created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL, removing INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY(tenant, name)) WITHOUT ROWID;
)sql";

// Schema step 10: the requests a run made to its source (SyncRunRecord::requests; docs/formats/
// ward-db.md, "Schema step 10").
inline constexpr const char* kSyncRequestsSchemaV10 = R"sql(
ALTER TABLE sync_runs ADD COLUMN requests INTEGER NOT NULL DEFAULT 0;
)sql";

}  // namespace ward::store
