// Schema steps 2 to 5: the gateway's tables (docs/formats/ward-db.md). Private to the store module;
// applied by SqliteStore::init inside its migration transaction.
#pragma once

namespace ward::store {

inline constexpr const char* kToolSchemaV2 = R"sql(
CREATE TABLE IF NOT EXISTS tools(
  tenant TEXT NOT NULL, name TEXT NOT NULL, version TEXT NOT NULL, definition TEXT NOT NULL,
  canonical_hash TEXT NOT NULL, pinned_hash TEXT NOT NULL DEFAULT '',
  deprecated INTEGER NOT NULL DEFAULT 0, quarantined INTEGER NOT NULL DEFAULT 0,
  pending_definition TEXT NOT NULL DEFAULT '', pending_hash TEXT NOT NULL DEFAULT '',
  created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL,
  PRIMARY KEY(tenant, name, version));
CREATE TABLE IF NOT EXISTS tool_grants(
  id INTEGER PRIMARY KEY AUTOINCREMENT, tenant TEXT NOT NULL, subject_kind TEXT NOT NULL,
  subject TEXT NOT NULL, tool TEXT NOT NULL, constraints TEXT NOT NULL,
  created_by TEXT NOT NULL, created_at INTEGER NOT NULL);
CREATE INDEX IF NOT EXISTS tool_grants_by_tenant ON tool_grants(tenant);
CREATE TABLE IF NOT EXISTS tool_modes(
  scope TEXT NOT NULL, tenant TEXT NOT NULL, subject TEXT NOT NULL, read_only INTEGER NOT NULL,
  set_by TEXT NOT NULL, updated_at INTEGER NOT NULL, PRIMARY KEY(scope, tenant, subject));
CREATE TABLE IF NOT EXISTS idempotency_keys(
  tenant TEXT NOT NULL, principal TEXT NOT NULL, key TEXT NOT NULL, tool TEXT NOT NULL,
  args_hash TEXT NOT NULL, state TEXT NOT NULL, response TEXT NOT NULL DEFAULT '',
  approval_id TEXT NOT NULL DEFAULT '', created_at INTEGER NOT NULL, expires_at INTEGER NOT NULL,
  PRIMARY KEY(tenant, principal, key));
CREATE TABLE IF NOT EXISTS approvals(
  id TEXT PRIMARY KEY, tenant TEXT NOT NULL, tool TEXT NOT NULL, version TEXT NOT NULL,
  requester TEXT NOT NULL, agent TEXT NOT NULL, args TEXT NOT NULL, rule TEXT NOT NULL,
  reason TEXT NOT NULL, idempotency_key TEXT NOT NULL, trace_id TEXT NOT NULL,
  state TEXT NOT NULL, reviewer TEXT NOT NULL DEFAULT '', comment TEXT NOT NULL DEFAULT '',
  result TEXT NOT NULL DEFAULT '', created_at INTEGER NOT NULL, expires_at INTEGER NOT NULL,
  decided_at INTEGER NOT NULL DEFAULT 0);
CREATE INDEX IF NOT EXISTS approvals_by_tenant ON approvals(tenant, state, created_at);
CREATE TABLE IF NOT EXISTS tenant_secrets(
  tenant TEXT NOT NULL, name TEXT NOT NULL, ciphertext TEXT NOT NULL, updated_at INTEGER NOT NULL,
  PRIMARY KEY(tenant, name));
INSERT OR IGNORE INTO meta(key, value) VALUES('tool_generation', '0');
)sql";

// Schema step 3: delegations from users to agents.
inline constexpr const char* kToolSchemaV3 = R"sql(
CREATE TABLE IF NOT EXISTS tool_delegations(
  tenant TEXT NOT NULL, user TEXT NOT NULL, agent TEXT NOT NULL, created_by TEXT NOT NULL,
  created_at INTEGER NOT NULL, PRIMARY KEY(tenant, user, agent));
)sql";

// Schema step 4: pinned definitions of upstream prompts (docs/formats/ward-db.md).
inline constexpr const char* kToolSchemaV4 = R"sql(
CREATE TABLE IF NOT EXISTS upstream_prompt_pins(
  tenant TEXT NOT NULL, upstream TEXT NOT NULL, prompt TEXT NOT NULL,
  pinned_hash TEXT NOT NULL DEFAULT '', pinned_definition TEXT NOT NULL DEFAULT '',
  pending_hash TEXT NOT NULL DEFAULT '', pending_definition TEXT NOT NULL DEFAULT '',
  updated_at INTEGER NOT NULL, PRIMARY KEY(tenant, upstream, prompt));
)sql";

// Schema step 5: approvals keep redacted arguments and a sealed copy for execution. Rows from
// before keep their raw `args` with args_redacted=0 until the gateway converts them on open.
inline constexpr const char* kToolSchemaV5 = R"sql(
ALTER TABLE approvals ADD COLUMN sealed_args TEXT NOT NULL DEFAULT '';
ALTER TABLE approvals ADD COLUMN args_redacted INTEGER NOT NULL DEFAULT 0;
)sql";

}  // namespace ward::store
