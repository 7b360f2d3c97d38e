// Schema step 8: SCIM provisioning (docs/formats/ward-db.md, "Schema step 8"). Applied by
// SqliteStore::init inside its migration transaction.
#pragma once

namespace ward::store {

inline constexpr const char* kScimSchemaV8 = R"sql(
ALTER TABLE principals ADD COLUMN disabled INTEGER NOT NULL DEFAULT 0;
CREATE TABLE IF NOT EXISTS scim_resources(
  principal_id INTEGER PRIMARY KEY, tenant TEXT NOT NULL, type TEXT NOT NULL,
  id TEXT NOT NULL UNIQUE, name TEXT NOT NULL, external_id TEXT NOT NULL,
  attributes TEXT NOT NULL, created_at INTEGER NOT NULL, modified_at INTEGER NOT NULL,
  deleted INTEGER NOT NULL DEFAULT 0);
CREATE INDEX IF NOT EXISTS scim_by_name ON scim_resources(tenant, type, name COLLATE NOCASE);
CREATE INDEX IF NOT EXISTS scim_by_external_id ON scim_resources(tenant, type, external_id);
)sql";

}  // namespace ward::store
