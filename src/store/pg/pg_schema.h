// The PostgreSQL schema of the Store tables (docs/formats/ward-postgres.md), as versioned
// migrations recorded in schema_migrations. The logical schema is SQLite's (sqlite_store.cc and
// the schema steps it applies) for the tables the Store interface owns; booleans are BOOLEAN,
// times BIGINT micros, ids BIGINT identities. The change feed adds the writer's xid (xid8) and a
// position (`seq`) the feed sequencer assigns below the xid horizon (pg_feed.h).
#pragma once

#include <array>

namespace ward::store::pg {

struct Migration {
  int version;
  const char* name;
  const char* sql;
};

inline constexpr Migration kMigration1{1, "store tables", R"sql(
CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE tenants(name TEXT PRIMARY KEY, created_at BIGINT NOT NULL);
CREATE TABLE principals(
  id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY, tenant TEXT NOT NULL, name TEXT NOT NULL,
  kind TEXT NOT NULL, admin BOOLEAN NOT NULL DEFAULT false, created_at BIGINT NOT NULL,
  disabled BOOLEAN NOT NULL DEFAULT false, UNIQUE(tenant, name));
CREATE TABLE memberships(
  member_id BIGINT NOT NULL, group_id BIGINT NOT NULL, PRIMARY KEY(member_id, group_id));
CREATE TABLE api_keys(
  key_id TEXT PRIMARY KEY, principal_id BIGINT NOT NULL, secret_hash TEXT NOT NULL,
  created_at BIGINT NOT NULL, revoked BOOLEAN NOT NULL DEFAULT false);
CREATE INDEX api_keys_by_principal ON api_keys(principal_id);
CREATE TABLE agent_scopes(
  tenant TEXT NOT NULL, agent TEXT NOT NULL, kind TEXT NOT NULL, value TEXT NOT NULL,
  created_by TEXT NOT NULL, created_at BIGINT NOT NULL, PRIMARY KEY(tenant, agent, kind, value));
CREATE TABLE documents(
  id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY, tenant TEXT NOT NULL, ext_id TEXT NOT NULL,
  source TEXT NOT NULL, title TEXT NOT NULL, url TEXT NOT NULL, format TEXT NOT NULL,
  updated_at BIGINT NOT NULL, indexed_at BIGINT NOT NULL, version BIGINT NOT NULL,
  content_hash TEXT NOT NULL, acl TEXT NOT NULL, metadata TEXT NOT NULL,
  deleted BOOLEAN NOT NULL DEFAULT false, UNIQUE(tenant, ext_id));
CREATE TABLE chunks(
  id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY, doc_id BIGINT NOT NULL,
  version BIGINT NOT NULL, ordinal INTEGER NOT NULL, text TEXT NOT NULL,
  span_start BIGINT NOT NULL, span_end BIGINT NOT NULL, page INTEGER NOT NULL,
  heading_path TEXT NOT NULL, kind TEXT NOT NULL);
CREATE INDEX chunks_by_doc ON chunks(doc_id);
CREATE TABLE changes(
  id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  xid XID8 NOT NULL DEFAULT pg_current_xact_id(),
  seq BIGINT UNIQUE, kind TEXT NOT NULL, doc_id BIGINT NOT NULL);
CREATE INDEX changes_unsequenced ON changes(xid, id) WHERE seq IS NULL;
)sql"};

// Every migration, in version order; the last one's version is the schema this ward writes.
inline constexpr std::array<Migration, 1> kMigrations{kMigration1};

}  // namespace ward::store::pg
