// SQLite implementation of Store. One connection behind a mutex; WAL lets other processes (the
// CLI next to a running server) read and write the same file, serialized by SQLite's own lock.
// This file holds the schema, locking and transactions, identity and the change-feed reads; the
// statements on documents and chunks are in sqlite_documents.cc.
#include <filesystem>
#include <mutex>

#include "scim_schema.h"
#include "sqlite_agent_scopes.h"
#include "sqlite_db.h"
#include "sqlite_documents.h"
#include "sync_schema.h"
#include "tool_schema.h"
#include "ward/common/clock.h"
#include "ward/common/hash.h"
#include "ward/common/log.h"
#include "ward/store/schema_versions.h"
#include "ward/store/store.h"

namespace ward::store {

namespace {

// 2: the gateway's tables, 3: delegations, 4: upstream prompt pins, 5: sealed approval
// arguments (tool_schema.h), 6: agent scopes (sqlite_agent_scopes.h), 7: sync state of sources
// (sync_schema.h), 8: SCIM provisioning and disabled principals (scim_schema.h), groups that
// sources manage (sync_schema.h)
constexpr int kSchemaVersion = 10;

const char* kSchema = R"sql(
CREATE TABLE IF NOT EXISTS meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS tenants(name TEXT PRIMARY KEY, created_at INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS principals(
  id INTEGER PRIMARY KEY, tenant TEXT NOT NULL, name TEXT NOT NULL, kind TEXT NOT NULL,
  admin INTEGER NOT NULL DEFAULT 0, created_at INTEGER NOT NULL, UNIQUE(tenant, name));
CREATE TABLE IF NOT EXISTS memberships(
  member_id INTEGER NOT NULL, group_id INTEGER NOT NULL, PRIMARY KEY(member_id, group_id));
CREATE TABLE IF NOT EXISTS api_keys(
  key_id TEXT PRIMARY KEY, principal_id INTEGER NOT NULL, secret_hash TEXT NOT NULL,
  created_at INTEGER NOT NULL, revoked INTEGER NOT NULL DEFAULT 0);
CREATE TABLE IF NOT EXISTS documents(
  id INTEGER PRIMARY KEY, tenant TEXT NOT NULL, ext_id TEXT NOT NULL, source TEXT NOT NULL,
  title TEXT NOT NULL, url TEXT NOT NULL, format TEXT NOT NULL, updated_at INTEGER NOT NULL,
  indexed_at INTEGER NOT NULL, version INTEGER NOT NULL, content_hash TEXT NOT NULL,
  acl TEXT NOT NULL, metadata TEXT NOT NULL, deleted INTEGER NOT NULL DEFAULT 0,
  UNIQUE(tenant, ext_id));
CREATE TABLE IF NOT EXISTS chunks(
  id INTEGER PRIMARY KEY AUTOINCREMENT, doc_id INTEGER NOT NULL, version INTEGER NOT NULL,
  ordinal INTEGER NOT NULL, text TEXT NOT NULL, span_start INTEGER NOT NULL,
  span_end INTEGER NOT NULL, page INTEGER NOT NULL, heading_path TEXT NOT NULL,
  kind TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS chunks_by_doc ON chunks(doc_id);
CREATE TABLE IF NOT EXISTS changes(
  seq INTEGER PRIMARY KEY AUTOINCREMENT, kind TEXT NOT NULL, doc_id INTEGER NOT NULL);
)sql";

class SqliteStore final : public Store, public SearchReads {
 public:
  explicit SqliteStore(std::unique_ptr<Database> db) : db_(std::move(db)) {}

  Status init() {
    WARD_RETURN_IF_ERROR(db_->exec("PRAGMA journal_mode=WAL"));
    WARD_RETURN_IF_ERROR(db_->exec("PRAGMA synchronous=FULL"));
    WARD_RETURN_IF_ERROR(db_->exec("PRAGMA secure_delete=ON"));
    WARD_RETURN_IF_ERROR(db_->exec("PRAGMA foreign_keys=ON"));
    WARD_RETURN_IF_ERROR(db_->exec("PRAGMA cache_size=-65536"));
    Transaction tx(*db_);
    WARD_RETURN_IF_ERROR(tx.begin());
    WARD_RETURN_IF_ERROR(db_->exec(kSchema));
    WARD_ASSIGN_OR_RETURN(StmtRef st, db_->prepare("SELECT value FROM meta WHERE key='schema'"));
    int v = 0;
    if (st->step()) {
      v = std::stoi(st->text(0));
      if (v > kSchemaVersion) {
        return Status::failedPrecondition("store schema " + std::to_string(v) +
                                          " is newer than this ward (" +
                                          std::to_string(kSchemaVersion) + ")");
      }
    } else {
      WARD_RETURN_IF_ERROR(st->error("read schema version"));
      WARD_RETURN_IF_ERROR(
          db_->exec("INSERT INTO meta(key,value) VALUES('schema','0'),"
                    "('identity_generation','0')"));
    }
    // The database's identity, made once; persisted indexes compare it (index-segments.md).
    WARD_RETURN_IF_ERROR(db_->exec("INSERT OR IGNORE INTO meta(key,value) VALUES('store_id','" +
                                   randomHex(16) + "')"));
    // Migration steps, each applied once in the same transaction as the version bump.
    if (v < 2) WARD_RETURN_IF_ERROR(db_->exec(kToolSchemaV2));
    if (v < 3) WARD_RETURN_IF_ERROR(db_->exec(kToolSchemaV3));
    if (v < 4) WARD_RETURN_IF_ERROR(db_->exec(kToolSchemaV4));
    if (v < 5) WARD_RETURN_IF_ERROR(db_->exec(kToolSchemaV5));
    if (v < 6) WARD_RETURN_IF_ERROR(db_->exec(kAgentScopeSchemaV6));
    if (v < 7) WARD_RETURN_IF_ERROR(db_->exec(kSyncSchemaV7));
    if (v < 8) WARD_RETURN_IF_ERROR(db_->exec(kScimSchemaV8));
    if (v < 8) WARD_RETURN_IF_ERROR(db_->exec(kSourceGroupsSchemaV8));
    if (v < 9) WARD_RETURN_IF_ERROR(db_->exec(kSourcesSchemaV9));
    if (v < 10) WARD_RETURN_IF_ERROR(db_->exec(kSyncRequestsSchemaV10));
    if (v < kSchemaVersion) {
      WARD_RETURN_IF_ERROR(db_->exec("UPDATE meta SET value='" + std::to_string(kSchemaVersion) +
                                     "' WHERE key='schema'"));
    }
    return tx.commit();
  }

  // --- Directory ---
  // A disabled principal (an inactive or deleted SCIM user, scim_store.h) is not found: nothing
  // resolves it (bearer JWTs, `--as`, key creation, memberships), and its keys read as revoked.
  Result<identity::PrincipalRecord> findPrincipal(const std::string& tenant,
                                                  const std::string& name) override {
    std::lock_guard<std::mutex> lock(mu_);
    WARD_ASSIGN_OR_RETURN(StmtRef st,
                          db_->prepare("SELECT id,tenant,name,kind,admin,created_at FROM "
                                       "principals WHERE tenant=? AND name=? AND disabled=0"));
    st->bind(1, tenant);
    st->bind(2, name);
    return readPrincipal(st.operator->(), "principal '" + name + "' not found");
  }

  Result<identity::PrincipalRecord> findPrincipalById(int64_t id) override {
    std::lock_guard<std::mutex> lock(mu_);
    WARD_ASSIGN_OR_RETURN(
        StmtRef st,
        db_->prepare("SELECT id,tenant,name,kind,admin,created_at FROM principals WHERE id=? "
                     "AND disabled=0"));
    st->bind(1, id);
    return readPrincipal(st.operator->(), "principal not found");
  }

  Result<std::vector<std::string>> directGroupsOf(int64_t principal_id) override {
    std::lock_guard<std::mutex> lock(mu_);
    WARD_ASSIGN_OR_RETURN(StmtRef st,
                          db_->prepare("SELECT p.name FROM memberships m JOIN principals p ON "
                                       "p.id=m.group_id WHERE m.member_id=? ORDER BY p.name"));
    st->bind(1, principal_id);
    std::vector<std::string> out;
    while (st->step()) out.push_back(st->text(0));
    WARD_RETURN_IF_ERROR(st->error("read memberships"));
    return out;
  }

  Result<identity::ApiKeyRecord> findApiKey(const std::string& key_id) override {
    std::lock_guard<std::mutex> lock(mu_);
    // A disabled principal's keys (an inactive or deleted SCIM user, scim_store.h) read as
    // revoked, so every front door refuses them on the next request.
    WARD_ASSIGN_OR_RETURN(
        StmtRef st, db_->prepare("SELECT k.key_id,k.principal_id,k.secret_hash,k.created_at,"
                                 "k.revoked OR COALESCE(p.disabled,0) FROM api_keys k "
                                 "LEFT JOIN principals p ON p.id=k.principal_id WHERE k.key_id=?"));
    st->bind(1, key_id);
    if (!st->step()) {
      WARD_RETURN_IF_ERROR(st->error("read api key"));
      return Status::notFound("api key not found");
    }
    return identity::ApiKeyRecord{st->text(0), st->int64(1), st->text(2), st->int64(3),
                                  st->int64(4) != 0};
  }

  Result<std::vector<identity::ScopeEntry>> agentScope(const std::string& tenant,
                                                       const std::string& agent) override {
    std::lock_guard<std::mutex> lock(mu_);
    return selectScope(*db_, tenant, agent);
  }

  // --- tenants and principals ---
  Status ensureTenant(const std::string& tenant) override {
    WARD_RETURN_IF_ERROR(identity::validateName("tenant", tenant));
    std::lock_guard<std::mutex> lock(mu_);
    WARD_ASSIGN_OR_RETURN(
        StmtRef st, db_->prepare("INSERT OR IGNORE INTO tenants(name,created_at) VALUES(?,?)"));
    st->bind(1, tenant);
    st->bind(2, SystemClock::instance().nowMicros());
    return st->exec("create tenant");
  }

  Result<std::vector<std::string>> listTenants() override {
    std::lock_guard<std::mutex> lock(mu_);
    WARD_ASSIGN_OR_RETURN(StmtRef st, db_->prepare("SELECT name FROM tenants ORDER BY name"));
    std::vector<std::string> out;
    while (st->step()) out.push_back(st->text(0));
    WARD_RETURN_IF_ERROR(st->error("list tenants"));
    return out;
  }

  Result<identity::PrincipalRecord> createPrincipal(const std::string& tenant,
                                                    const std::string& name,
                                                    identity::PrincipalKind kind,
                                                    bool admin) override {
    WARD_RETURN_IF_ERROR(
        identity::validateName(std::string(identity::principalKindName(kind)), name));
    WARD_RETURN_IF_ERROR(ensureTenant(tenant));
    std::lock_guard<std::mutex> lock(mu_);
    Transaction tx(*db_);
    WARD_RETURN_IF_ERROR(tx.begin());
    WARD_ASSIGN_OR_RETURN(StmtRef st,
                          db_->prepare("INSERT INTO principals(tenant,name,kind,admin,created_at) "
                                       "VALUES(?,?,?,?,?)"));
    identity::PrincipalRecord rec;
    rec.tenant = tenant;
    rec.name = name;
    rec.kind = kind;
    rec.admin = admin;
    rec.created_at = SystemClock::instance().nowMicros();
    st->bind(1, tenant);
    st->bind(2, name);
    st->bind(3, identity::principalKindName(kind));
    st->bind(4, admin ? 1 : 0);
    st->bind(5, rec.created_at);
    Status s = st->exec("create principal");
    if (s.code() == StatusCode::kAlreadyExists) {
      return Status::alreadyExists("principal '" + name + "' already exists");
    }
    WARD_RETURN_IF_ERROR(s);
    rec.id = db_->lastInsertId();
    WARD_RETURN_IF_ERROR(bumpIdentityGeneration());
    WARD_RETURN_IF_ERROR(tx.commit());
    return rec;
  }

  Result<std::vector<identity::PrincipalRecord>> listPrincipals(
      const std::string& tenant) override {
    std::lock_guard<std::mutex> lock(mu_);
    WARD_ASSIGN_OR_RETURN(StmtRef st,
                          db_->prepare("SELECT id,tenant,name,kind,admin,created_at FROM "
                                       "principals WHERE tenant=? ORDER BY name"));
    st->bind(1, tenant);
    std::vector<identity::PrincipalRecord> out;
    while (true) {
      auto r = readPrincipal(st.operator->(), "");
      if (!r.ok()) break;
      out.push_back(std::move(r).value());
    }
    WARD_RETURN_IF_ERROR(st->error("list principals"));
    return out;
  }

  Status addMembership(const std::string& tenant, const std::string& member,
                       const std::string& group) override {
    return changeMembership(tenant, member, group, true);
  }
  Status removeMembership(const std::string& tenant, const std::string& member,
                          const std::string& group) override {
    return changeMembership(tenant, member, group, false);
  }

  Status storeApiKey(const identity::ApiKeyRecord& key) override {
    std::lock_guard<std::mutex> lock(mu_);
    WARD_ASSIGN_OR_RETURN(StmtRef st,
                          db_->prepare("INSERT INTO api_keys(key_id,principal_id,secret_hash,"
                                       "created_at,revoked) VALUES(?,?,?,?,0)"));
    st->bind(1, key.key_id);
    st->bind(2, key.principal_id);
    st->bind(3, key.secret_hash);
    st->bind(4, key.created_at ? key.created_at : SystemClock::instance().nowMicros());
    return st->exec("store api key");
  }

  Result<std::vector<identity::ApiKeyRecord>> listApiKeys(int64_t principal_id) override {
    std::lock_guard<std::mutex> lock(mu_);
    WARD_ASSIGN_OR_RETURN(StmtRef st,
                          db_->prepare("SELECT key_id,principal_id,created_at,revoked FROM "
                                       "api_keys WHERE principal_id=? ORDER BY created_at"));
    st->bind(1, principal_id);
    std::vector<identity::ApiKeyRecord> out;
    while (st->step()) {
      out.push_back({st->text(0), st->int64(1), "", st->int64(2), st->int64(3) != 0});
    }
    WARD_RETURN_IF_ERROR(st->error("list api keys"));
    return out;
  }

  // Moves the identity generation too: ApiKeyCache keeps verified keys per generation.
  Status revokeApiKey(const std::string& key_id) override {
    std::lock_guard<std::mutex> lock(mu_);
    Transaction tx(*db_);
    WARD_RETURN_IF_ERROR(tx.begin());
    WARD_ASSIGN_OR_RETURN(StmtRef st, db_->prepare("UPDATE api_keys SET revoked=1 WHERE key_id=?"));
    st->bind(1, key_id);
    WARD_RETURN_IF_ERROR(st->exec("revoke api key"));
    if (db_->changes() == 0) return Status::notFound("api key '" + key_id + "' not found");
    WARD_RETURN_IF_ERROR(bumpIdentityGeneration());
    return tx.commit();
  }

  Status addScopeEntry(const std::string& tenant, const std::string& agent,
                       const identity::ScopeEntry& entry, const std::string& by) override {
    WARD_RETURN_IF_ERROR(identity::validateScopeEntry(entry));
    WARD_RETURN_IF_ERROR(requireAgent(tenant, agent));
    std::lock_guard<std::mutex> lock(mu_);
    Transaction tx(*db_);
    WARD_RETURN_IF_ERROR(tx.begin());
    WARD_ASSIGN_OR_RETURN(std::vector<identity::ScopeEntry> held, selectScope(*db_, tenant, agent));
    if (held.size() >= identity::kMaxScopeEntries) {
      return Status::resourceExhausted("agent '" + agent + "' already has " +
                                       std::to_string(identity::kMaxScopeEntries) +
                                       " scope entries (the limit)");
    }
    WARD_RETURN_IF_ERROR(
        insertScopeEntry(*db_, tenant, agent, entry, by, SystemClock::instance().nowMicros()));
    WARD_RETURN_IF_ERROR(bumpIdentityGeneration());
    return tx.commit();
  }

  Status removeScopeEntry(const std::string& tenant, const std::string& agent,
                          const identity::ScopeEntry& entry) override {
    WARD_RETURN_IF_ERROR(requireAgent(tenant, agent));
    std::lock_guard<std::mutex> lock(mu_);
    Transaction tx(*db_);
    WARD_RETURN_IF_ERROR(tx.begin());
    WARD_RETURN_IF_ERROR(deleteScopeEntry(*db_, tenant, agent, entry));
    WARD_RETURN_IF_ERROR(bumpIdentityGeneration());
    return tx.commit();
  }

  // --- documents ---
  Result<std::vector<WriteResult>> writeDocuments(std::vector<DocumentWrite>& writes) override {
    std::lock_guard<std::mutex> lock(mu_);
    Transaction tx(*db_);
    WARD_RETURN_IF_ERROR(tx.begin());
    std::vector<WriteResult> results;
    results.reserve(writes.size());
    int64_t now = SystemClock::instance().nowMicros();
    for (auto& w : writes) {
      WARD_ASSIGN_OR_RETURN(WriteResult r, writeDocument(*db_, w, now));
      results.push_back(r);
    }
    WARD_RETURN_IF_ERROR(tx.commit());
    return results;
  }

  Status deleteDocument(const std::string& tenant, const std::string& ext_id) override {
    std::lock_guard<std::mutex> lock(mu_);
    Transaction tx(*db_);
    WARD_RETURN_IF_ERROR(tx.begin());
    WARD_RETURN_IF_ERROR(tombstoneDocument(*db_, tenant, ext_id));
    WARD_RETURN_IF_ERROR(tx.commit());
    // The deleted text is zeroed in the database pages, but older WAL frames still hold it.
    WARD_ASSIGN_OR_RETURN(bool truncated, db_->truncateWal());
    if (!truncated) {
      logWarn("store: a reader kept ward.db-wal from being truncated after deleting '" + ext_id +
              "'; the next delete truncates it");
    }
    return Status();
  }

  Status setAcl(const std::string& tenant, const std::string& ext_id, const Acl& acl) override {
    std::lock_guard<std::mutex> lock(mu_);
    Transaction tx(*db_);
    WARD_RETURN_IF_ERROR(tx.begin());
    WARD_RETURN_IF_ERROR(updateDocumentAcl(*db_, tenant, ext_id, acl));
    return tx.commit();
  }

  Result<DocumentRecord> getDocument(const std::string& tenant,
                                     const std::string& ext_id) override {
    std::lock_guard<std::mutex> lock(mu_);
    return selectDocument(*db_, tenant, ext_id);
  }

  Result<DocumentRecord> getDocumentById(int64_t doc_id) override {
    std::lock_guard<std::mutex> lock(mu_);
    return selectDocumentById(*db_, doc_id);
  }

  Result<std::vector<ChunkRecord>> chunksOf(int64_t doc_id) override {
    std::lock_guard<std::mutex> lock(mu_);
    return selectChunks(*db_, doc_id);
  }

  Result<ChunkRecord> getChunk(int64_t chunk_id) override {
    std::lock_guard<std::mutex> lock(mu_);
    return selectChunk(*db_, chunk_id);
  }

  Result<std::vector<ChunkWithDocument>> chunksWithDocuments(
      const std::vector<int64_t>& chunk_ids) override {
    std::lock_guard<std::mutex> lock(mu_);
    return selectChunksWithDocuments(*db_, chunk_ids);
  }

  Result<std::vector<SourceRecord>> listSources(const std::string& tenant) override {
    std::lock_guard<std::mutex> lock(mu_);
    WARD_ASSIGN_OR_RETURN(StmtRef st,
                          db_->prepare("SELECT source, COUNT(*), MAX(updated_at), MAX(indexed_at) "
                                       "FROM documents WHERE tenant=? AND deleted=0 GROUP BY "
                                       "source ORDER BY source"));
    st->bind(1, tenant);
    std::vector<SourceRecord> out;
    while (st->step()) {
      out.push_back({tenant, st->text(0), st->int64(1), st->int64(2), st->int64(3)});
    }
    WARD_RETURN_IF_ERROR(st->error("list sources"));
    return out;
  }

  Result<std::vector<Change>> changesSince(int64_t seq, int limit) override {
    std::lock_guard<std::mutex> lock(mu_);
    WARD_ASSIGN_OR_RETURN(StmtRef st, db_->prepare("SELECT seq,kind,doc_id FROM changes "
                                                   "WHERE seq>? ORDER BY seq LIMIT ?"));
    st->bind(1, seq);
    st->bind(2, limit);
    std::vector<Change> out;
    while (st->step()) {
      Change c;
      c.seq = st->int64(0);
      std::string kind = st->text(1);
      c.kind = kind == "delete" ? Change::Kind::kDelete
               : kind == "acl"  ? Change::Kind::kAcl
                                : Change::Kind::kUpsert;
      c.doc_id = st->int64(2);
      out.push_back(c);
    }
    WARD_RETURN_IF_ERROR(st->error("read changes"));
    return out;
  }

  Result<int64_t> lastChangeSeq() override {
    std::lock_guard<std::mutex> lock(mu_);
    WARD_ASSIGN_OR_RETURN(StmtRef st, db_->prepare("SELECT COALESCE(MAX(seq),0) FROM changes"));
    if (!st->step()) return st->error("read last change");
    return st->int64(0);
  }

  // Kept in memory behind the connection's ChangeStamp: the row is read again only after a commit
  // by any connection (another process's, this process's other stores', or this one's own).
  Result<int64_t> identityGeneration() override {
    std::lock_guard<std::mutex> lock(mu_);
    WARD_ASSIGN_OR_RETURN(ChangeStamp stamp, db_->changeStamp());
    if (generation_ >= 0 && stamp == generation_stamp_) return generation_;
    WARD_ASSIGN_OR_RETURN(StmtRef st,
                          db_->prepare("SELECT value FROM meta WHERE key='identity_generation'"));
    if (!st->step()) return st->error("read identity generation");
    generation_ = static_cast<int64_t>(std::stoll(st->text(0)));
    generation_stamp_ = stamp;
    return generation_;
  }

  Result<std::string> storeId() override {
    std::lock_guard<std::mutex> lock(mu_);
    WARD_ASSIGN_OR_RETURN(StmtRef st, db_->prepare("SELECT value FROM meta WHERE key='store_id'"));
    if (!st->step()) return st->error("read store id");
    return st->text(0);
  }

  Result<StoreStats> stats() override {
    std::lock_guard<std::mutex> lock(mu_);
    StoreStats s;
    WARD_ASSIGN_OR_RETURN(
        StmtRef st,
        db_->prepare("SELECT (SELECT COUNT(*) FROM documents WHERE deleted=0),"
                     "(SELECT COUNT(*) FROM documents WHERE deleted=1),"
                     "(SELECT COUNT(*) FROM chunks),"
                     "(SELECT COUNT(DISTINCT tenant||'/'||source) FROM documents WHERE deleted=0),"
                     "(SELECT COUNT(*) FROM principals),"
                     "(SELECT COALESCE(MAX(seq),0) FROM changes),"
                     "(SELECT COALESCE(SUM(LENGTH(CAST(text AS BLOB))),0) FROM chunks)"));
    if (!st->step()) return st->error("read stats");
    s.documents = st->int64(0);
    s.tombstones = st->int64(1);
    s.chunks = st->int64(2);
    s.sources = st->int64(3);
    s.principals = st->int64(4);
    s.last_change_seq = st->int64(5);
    s.text_bytes = st->int64(6);
    return s;
  }

 private:
  Result<identity::PrincipalRecord> readPrincipal(Statement* st, const std::string& missing) {
    if (!st->step()) {
      WARD_RETURN_IF_ERROR(st->error("read principal"));
      return Status::notFound(missing);
    }
    identity::PrincipalRecord r;
    r.id = st->int64(0);
    r.tenant = st->text(1);
    r.name = st->text(2);
    auto kind = identity::parsePrincipalKind(st->text(3));
    r.kind = kind.ok() ? *kind : identity::PrincipalKind::kUser;
    r.admin = st->int64(4) != 0;
    r.created_at = st->int64(5);
    return r;
  }

  Status requireAgent(const std::string& tenant, const std::string& agent) {
    WARD_ASSIGN_OR_RETURN(identity::PrincipalRecord rec, findPrincipal(tenant, agent));
    if (rec.kind != identity::PrincipalKind::kAgent) {
      return Status::invalidArgument("'" + agent + "' is a " +
                                     std::string(identity::principalKindName(rec.kind)) +
                                     ", not an agent: only agents have a document scope");
    }
    return Status();
  }

  Status bumpIdentityGeneration() {
    return db_->exec(
        "UPDATE meta SET value = CAST(CAST(value AS INTEGER) + 1 AS TEXT) "
        "WHERE key='identity_generation'");
  }

  Status changeMembership(const std::string& tenant, const std::string& member,
                          const std::string& group, bool add) {
    auto m = findPrincipal(tenant, member);
    if (!m.ok()) return m.status();
    auto g = findPrincipal(tenant, group);
    if (!g.ok()) return g.status();
    if (g->kind != identity::PrincipalKind::kGroup) {
      return Status::invalidArgument("'" + group + "' is not a group");
    }
    if (m->id == g->id) return Status::invalidArgument("a group cannot be a member of itself");
    std::lock_guard<std::mutex> lock(mu_);
    Transaction tx(*db_);
    WARD_RETURN_IF_ERROR(tx.begin());
    WARD_ASSIGN_OR_RETURN(
        StmtRef st,
        db_->prepare(add ? "INSERT OR IGNORE INTO memberships(member_id,group_id) VALUES(?,?)"
                         : "DELETE FROM memberships WHERE member_id=? AND group_id=?"));
    st->bind(1, m->id);
    st->bind(2, g->id);
    WARD_RETURN_IF_ERROR(st->exec("change membership"));
    WARD_RETURN_IF_ERROR(bumpIdentityGeneration());
    return tx.commit();
  }

  std::mutex mu_;
  std::unique_ptr<Database> db_;
  // identityGeneration()'s last read and the stamp it was read at (-1: none yet); under mu_.
  int64_t generation_ = -1;
  ChangeStamp generation_stamp_;
};

}  // namespace

Result<std::unique_ptr<Store>> openSqliteStore(const std::string& path) {
  WARD_ASSIGN_OR_RETURN(std::unique_ptr<Database> db, Database::open(path));
  auto store = std::make_unique<SqliteStore>(std::move(db));
  WARD_RETURN_IF_ERROR(store->init());
  return std::unique_ptr<Store>(std::move(store));
}

int sqliteSchemaVersion() { return kSchemaVersion; }

Result<int> sqliteStoredSchemaVersion(const std::string& path) {
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) return 0;
  WARD_ASSIGN_OR_RETURN(std::unique_ptr<Database> db, Database::open(path));
  WARD_ASSIGN_OR_RETURN(StmtRef has_meta,
                        db->prepare("SELECT 1 FROM sqlite_master WHERE type='table' AND "
                                    "name='meta'"));
  if (!has_meta->step()) {
    WARD_RETURN_IF_ERROR(has_meta->error("read schema version"));
    return 0;
  }
  WARD_ASSIGN_OR_RETURN(StmtRef st, db->prepare("SELECT value FROM meta WHERE key='schema'"));
  if (!st->step()) {
    WARD_RETURN_IF_ERROR(st->error("read schema version"));
    return 0;
  }
  return std::stoi(st->text(0));
}

}  // namespace ward::store
