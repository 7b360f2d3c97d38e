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

// The gateway's tables (ToolStore: ward-db.md schema steps 2 to 5 in one step). `"user"` is quoted:
// it is a reserved word in PostgreSQL. `meta.tool_generation` moves with every tool, grant, mode
// and delegation change, in the same transaction, so every node's PolicyCache sees the change on
// its next call.
inline constexpr Migration kMigration2{2, "tool tables", R"sql(
CREATE TABLE tools(
  tenant TEXT NOT NULL, name TEXT NOT NULL, version TEXT NOT NULL, definition TEXT NOT NULL,
  canonical_hash TEXT NOT NULL, pinned_hash TEXT NOT NULL DEFAULT '',
  deprecated BOOLEAN NOT NULL DEFAULT false, quarantined BOOLEAN NOT NULL DEFAULT false,
  pending_definition TEXT NOT NULL DEFAULT '', pending_hash TEXT NOT NULL DEFAULT '',
  created_at BIGINT NOT NULL, updated_at BIGINT NOT NULL, PRIMARY KEY(tenant, name, version));
CREATE TABLE tool_grants(
  id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY, tenant TEXT NOT NULL,
  subject_kind TEXT NOT NULL, subject TEXT NOT NULL, tool TEXT NOT NULL,
  constraints TEXT NOT NULL, created_by TEXT NOT NULL, created_at BIGINT NOT NULL);
CREATE INDEX tool_grants_by_tenant ON tool_grants(tenant);
CREATE TABLE tool_modes(
  scope TEXT NOT NULL, tenant TEXT NOT NULL, subject TEXT NOT NULL, read_only BOOLEAN NOT NULL,
  set_by TEXT NOT NULL, updated_at BIGINT NOT NULL, PRIMARY KEY(scope, tenant, subject));
CREATE TABLE idempotency_keys(
  tenant TEXT NOT NULL, principal TEXT NOT NULL, key TEXT NOT NULL, tool TEXT NOT NULL,
  args_hash TEXT NOT NULL, state TEXT NOT NULL, response TEXT NOT NULL DEFAULT '',
  approval_id TEXT NOT NULL DEFAULT '', created_at BIGINT NOT NULL, expires_at BIGINT NOT NULL,
  PRIMARY KEY(tenant, principal, key));
CREATE TABLE approvals(
  id TEXT PRIMARY KEY, tenant TEXT NOT NULL, tool TEXT NOT NULL, version TEXT NOT NULL,
  requester TEXT NOT NULL, agent TEXT NOT NULL, args TEXT NOT NULL, rule TEXT NOT NULL,
  reason TEXT NOT NULL, idempotency_key TEXT NOT NULL, trace_id TEXT NOT NULL,
  state TEXT NOT NULL, reviewer TEXT NOT NULL DEFAULT '', comment TEXT NOT NULL DEFAULT '',
  result TEXT NOT NULL DEFAULT '', created_at BIGINT NOT NULL, expires_at BIGINT NOT NULL,
  decided_at BIGINT NOT NULL DEFAULT 0, sealed_args TEXT NOT NULL DEFAULT '',
  args_redacted BOOLEAN NOT NULL DEFAULT true);
CREATE INDEX approvals_by_tenant ON approvals(tenant, state, created_at);
CREATE TABLE tenant_secrets(
  tenant TEXT NOT NULL, name TEXT NOT NULL, ciphertext TEXT NOT NULL, updated_at BIGINT NOT NULL,
  PRIMARY KEY(tenant, name));
CREATE TABLE tool_delegations(
  tenant TEXT NOT NULL, "user" TEXT NOT NULL, agent TEXT NOT NULL, created_by TEXT NOT NULL,
  created_at BIGINT NOT NULL, PRIMARY KEY(tenant, "user", agent));
CREATE TABLE upstream_prompt_pins(
  tenant TEXT NOT NULL, upstream TEXT NOT NULL, prompt TEXT NOT NULL,
  pinned_hash TEXT NOT NULL DEFAULT '', pinned_definition TEXT NOT NULL DEFAULT '',
  pending_hash TEXT NOT NULL DEFAULT '', pending_definition TEXT NOT NULL DEFAULT '',
  updated_at BIGINT NOT NULL, PRIMARY KEY(tenant, upstream, prompt));
INSERT INTO meta(key, value) VALUES('tool_generation', '0') ON CONFLICT (key) DO NOTHING;
)sql"};

// Work across nodes (pg_cluster.h): the leader lease with its fencing term, the followers' feed
// cursors (feed pruning keeps every row a live follower has not passed), the time of each feed
// row (the retention), the store epoch and the pruned horizon (a follower behind either resyncs).
inline constexpr Migration kMigration3{3, "leases, feed followers and the store epoch", R"sql(
CREATE TABLE leases(
  name TEXT PRIMARY KEY, holder TEXT NOT NULL, term BIGINT NOT NULL,
  expires_at TIMESTAMPTZ NOT NULL);
CREATE TABLE feed_followers(
  node TEXT PRIMARY KEY, epoch BIGINT NOT NULL, cursor BIGINT NOT NULL,
  heartbeat_at TIMESTAMPTZ NOT NULL);
ALTER TABLE changes ADD COLUMN at TIMESTAMPTZ NOT NULL DEFAULT now();
INSERT INTO meta(key, value) VALUES('store_epoch', '1'), ('feed_pruned_through', '0')
  ON CONFLICT (key) DO NOTHING;
)sql"};

// Every migration, in version order; the last one's version is the schema this ward writes.
inline constexpr std::array<Migration, 3> kMigrations{kMigration1, kMigration2, kMigration3};

}  // namespace ward::store::pg
