// SQLite implementation of Store. One connection behind a mutex; WAL lets other processes (the
// CLI next to a running server) read and write the same file, serialized by SQLite's own lock.
#include <mutex>

#include "sqlite_db.h"
#include "tool_schema.h"
#include "ward/common/clock.h"
#include "ward/common/hash.h"
#include "ward/store/store.h"

namespace ward::store {

namespace {

constexpr int kSchemaVersion = 4;  // 2: the gateway's tables, 3: delegations (tool_schema.h)
                                   // 4: upstream prompt pins

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

Acl aclFromJson(const std::string& text) {
  Acl acl;
  Json j = Json::parse(text, nullptr, false);
  if (!j.is_object()) return acl;  // unreadable ACL: admins only (deny by default)
  if (j.contains("users") && j["users"].is_array()) {
    for (const auto& u : j["users"]) if (u.is_string()) acl.users.push_back(u.get<std::string>());
  }
  if (j.contains("groups") && j["groups"].is_array()) {
    for (const auto& g : j["groups"]) if (g.is_string()) acl.groups.push_back(g.get<std::string>());
  }
  acl.is_public = j.value("public", false);
  return acl;
}

class SqliteStore final : public Store {
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
      WARD_RETURN_IF_ERROR(db_->exec("INSERT INTO meta(key,value) VALUES('schema','0'),"
                                     "('identity_generation','0')"));
    }
    // The database's identity, made once; persisted indexes compare it (index-segments.md).
    WARD_RETURN_IF_ERROR(db_->exec("INSERT OR IGNORE INTO meta(key,value) VALUES('store_id','" +
                                   randomHex(16) + "')"));
    // Migration steps, each applied once in the same transaction as the version bump.
    if (v < 2) WARD_RETURN_IF_ERROR(db_->exec(kToolSchemaV2));
    if (v < 3) WARD_RETURN_IF_ERROR(db_->exec(kToolSchemaV3));
    if (v < 4) WARD_RETURN_IF_ERROR(db_->exec(kToolSchemaV4));
    if (v < kSchemaVersion) {
      WARD_RETURN_IF_ERROR(db_->exec("UPDATE meta SET value='" + std::to_string(kSchemaVersion) +
                                     "' WHERE key='schema'"));
    }
    return tx.commit();
  }

  // --- Directory ---
  Result<identity::PrincipalRecord> findPrincipal(const std::string& tenant,
                                                  const std::string& name) override {
    std::lock_guard<std::mutex> lock(mu_);
    WARD_ASSIGN_OR_RETURN(StmtRef st,
                          db_->prepare("SELECT id,tenant,name,kind,admin,created_at FROM "
                                       "principals WHERE tenant=? AND name=?"));
    st->bind(1, tenant);
    st->bind(2, name);
    return readPrincipal(st.operator->(), "principal '" + name + "' not found");
  }

  Result<identity::PrincipalRecord> findPrincipalById(int64_t id) override {
    std::lock_guard<std::mutex> lock(mu_);
    WARD_ASSIGN_OR_RETURN(
        StmtRef st,
        db_->prepare("SELECT id,tenant,name,kind,admin,created_at FROM principals WHERE id=?"));
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
    WARD_ASSIGN_OR_RETURN(StmtRef st,
                          db_->prepare("SELECT key_id,principal_id,secret_hash,created_at,revoked "
                                       "FROM api_keys WHERE key_id=?"));
    st->bind(1, key_id);
    if (!st->step()) {
      WARD_RETURN_IF_ERROR(st->error("read api key"));
      return Status::notFound("api key not found");
    }
    return identity::ApiKeyRecord{st->text(0), st->int64(1), st->text(2), st->int64(3),
                                  st->int64(4) != 0};
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

  Result<identity::PrincipalRecord> createPrincipal(const std::string& tenant,
                                                    const std::string& name,
                                                    identity::PrincipalKind kind,
                                                    bool admin) override {
    WARD_RETURN_IF_ERROR(identity::validateName(std::string(identity::principalKindName(kind)),
                                                name));
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

  Status revokeApiKey(const std::string& key_id) override {
    std::lock_guard<std::mutex> lock(mu_);
    WARD_ASSIGN_OR_RETURN(StmtRef st,
                          db_->prepare("UPDATE api_keys SET revoked=1 WHERE key_id=?"));
    st->bind(1, key_id);
    WARD_RETURN_IF_ERROR(st->exec("revoke api key"));
    if (db_->changes() == 0) return Status::notFound("api key '" + key_id + "' not found");
    return Status();
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
      WARD_ASSIGN_OR_RETURN(WriteResult r, writeOne(w, now));
      results.push_back(r);
    }
    WARD_RETURN_IF_ERROR(tx.commit());
    return results;
  }

  Status deleteDocument(const std::string& tenant, const std::string& ext_id) override {
    std::lock_guard<std::mutex> lock(mu_);
    Transaction tx(*db_);
    WARD_RETURN_IF_ERROR(tx.begin());
    WARD_ASSIGN_OR_RETURN(StmtRef st, db_->prepare("SELECT id FROM documents WHERE tenant=? "
                                                       "AND ext_id=? AND deleted=0"));
    st->bind(1, tenant);
    st->bind(2, ext_id);
    if (!st->step()) {
      WARD_RETURN_IF_ERROR(st->error("find document"));
      return Status::notFound("document '" + ext_id + "' not found");
    }
    int64_t id = st->int64(0);
    WARD_RETURN_IF_ERROR(deleteChunks(id));
    // The tombstone keeps identity and version only: text, title, url and metadata are purged
    // (secure_delete overwrites the freed pages).
    WARD_ASSIGN_OR_RETURN(StmtRef up,
                          db_->prepare("UPDATE documents SET deleted=1, title='', url='', "
                                       "metadata='{}', content_hash='', indexed_at=? WHERE id=?"));
    up->bind(1, SystemClock::instance().nowMicros());
    up->bind(2, id);
    WARD_RETURN_IF_ERROR(up->exec("tombstone document"));
    WARD_RETURN_IF_ERROR(appendChange("delete", id));
    return tx.commit();
  }

  Status setAcl(const std::string& tenant, const std::string& ext_id, const Acl& acl) override {
    std::lock_guard<std::mutex> lock(mu_);
    Transaction tx(*db_);
    WARD_RETURN_IF_ERROR(tx.begin());
    WARD_ASSIGN_OR_RETURN(StmtRef st, db_->prepare("UPDATE documents SET acl=? WHERE "
                                                       "tenant=? AND ext_id=? AND deleted=0"));
    st->bind(1, dumpJson(acl.toJson()));
    st->bind(2, tenant);
    st->bind(3, ext_id);
    WARD_RETURN_IF_ERROR(st->exec("set acl"));
    if (db_->changes() == 0) return Status::notFound("document '" + ext_id + "' not found");
    WARD_ASSIGN_OR_RETURN(StmtRef q, db_->prepare("SELECT id FROM documents WHERE tenant=? "
                                                      "AND ext_id=?"));
    q->bind(1, tenant);
    q->bind(2, ext_id);
    if (!q->step()) return Status::internal("document vanished during ACL update");
    WARD_RETURN_IF_ERROR(appendChange("acl", q->int64(0)));
    return tx.commit();
  }

  Result<DocumentRecord> getDocument(const std::string& tenant,
                                     const std::string& ext_id) override {
    std::lock_guard<std::mutex> lock(mu_);
    WARD_ASSIGN_OR_RETURN(StmtRef st,
                          db_->prepare(std::string(kDocColumns) +
                                       " FROM documents WHERE tenant=? AND ext_id=?"));
    st->bind(1, tenant);
    st->bind(2, ext_id);
    return readDocument(st.operator->(), "document '" + ext_id + "' not found");
  }

  Result<DocumentRecord> getDocumentById(int64_t doc_id) override {
    std::lock_guard<std::mutex> lock(mu_);
    WARD_ASSIGN_OR_RETURN(StmtRef st,
                          db_->prepare(std::string(kDocColumns) + " FROM documents WHERE id=?"));
    st->bind(1, doc_id);
    return readDocument(st.operator->(), "document not found");
  }

  Result<std::vector<ChunkRecord>> chunksOf(int64_t doc_id) override {
    std::lock_guard<std::mutex> lock(mu_);
    WARD_ASSIGN_OR_RETURN(StmtRef st,
                          db_->prepare(std::string(kChunkColumns) +
                                       " FROM chunks WHERE doc_id=? ORDER BY ordinal"));
    st->bind(1, doc_id);
    std::vector<ChunkRecord> out;
    while (st->step()) out.push_back(readChunkRow(st.operator->()));
    WARD_RETURN_IF_ERROR(st->error("read chunks"));
    return out;
  }

  Result<ChunkRecord> getChunk(int64_t chunk_id) override {
    std::lock_guard<std::mutex> lock(mu_);
    WARD_ASSIGN_OR_RETURN(StmtRef st,
                          db_->prepare(std::string(kChunkColumns) + " FROM chunks WHERE id=?"));
    st->bind(1, chunk_id);
    if (!st->step()) {
      WARD_RETURN_IF_ERROR(st->error("read chunk"));
      return Status::notFound("chunk not found");
    }
    return readChunkRow(st.operator->());
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

  Result<int64_t> identityGeneration() override {
    std::lock_guard<std::mutex> lock(mu_);
    WARD_ASSIGN_OR_RETURN(StmtRef st,
                          db_->prepare("SELECT value FROM meta WHERE key='identity_generation'"));
    if (!st->step()) return st->error("read identity generation");
    return static_cast<int64_t>(std::stoll(st->text(0)));
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
  static constexpr const char* kDocColumns =
      "SELECT id,tenant,ext_id,source,title,url,format,updated_at,indexed_at,version,"
      "content_hash,acl,metadata,deleted";
  static constexpr const char* kChunkColumns =
      "SELECT id,doc_id,version,ordinal,text,span_start,span_end,page,heading_path,kind";

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

  Result<DocumentRecord> readDocument(Statement* st, const std::string& missing) {
    if (!st->step()) {
      WARD_RETURN_IF_ERROR(st->error("read document"));
      return Status::notFound(missing);
    }
    DocumentRecord d;
    d.id = st->int64(0);
    d.tenant = st->text(1);
    d.ext_id = st->text(2);
    d.source = st->text(3);
    d.title = st->text(4);
    d.url = st->text(5);
    d.format = st->text(6);
    d.updated_at = st->int64(7);
    d.indexed_at = st->int64(8);
    d.version = st->int64(9);
    d.content_hash = st->text(10);
    d.acl = aclFromJson(st->text(11));
    Json meta = Json::parse(st->text(12), nullptr, false);
    d.metadata = meta.is_object() ? meta : Json::object();
    d.deleted = st->int64(13) != 0;
    return d;
  }

  static ChunkRecord readChunkRow(Statement* st) {
    ChunkRecord c;
    c.id = st->int64(0);
    c.doc_id = st->int64(1);
    c.version = st->int64(2);
    c.ordinal = static_cast<int>(st->int64(3));
    c.text = st->text(4);
    c.span_start = st->int64(5);
    c.span_end = st->int64(6);
    c.page = static_cast<int>(st->int64(7));
    c.heading_path = st->text(8);
    c.kind = st->text(9);
    return c;
  }

  Status bumpIdentityGeneration() {
    return db_->exec(
        "UPDATE meta SET value = CAST(CAST(value AS INTEGER) + 1 AS TEXT) "
        "WHERE key='identity_generation'");
  }

  Status appendChange(const char* kind, int64_t doc_id) {
    WARD_ASSIGN_OR_RETURN(StmtRef st,
                          db_->prepare("INSERT INTO changes(kind,doc_id) VALUES(?,?)"));
    st->bind(1, kind);
    st->bind(2, doc_id);
    return st->exec("append change");
  }

  Status deleteChunks(int64_t doc_id) {
    WARD_ASSIGN_OR_RETURN(StmtRef st, db_->prepare("DELETE FROM chunks WHERE doc_id=?"));
    st->bind(1, doc_id);
    return st->exec("delete chunks");
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

  Result<WriteResult> writeOne(DocumentWrite& w, int64_t now) {
    WARD_ASSIGN_OR_RETURN(StmtRef st,
                          db_->prepare("SELECT id,version,content_hash,acl,metadata,deleted,"
                                       "source,url,updated_at FROM documents WHERE tenant=? AND "
                                       "ext_id=?"));
    st->bind(1, w.tenant);
    st->bind(2, w.ext_id);
    std::string acl_json = dumpJson(w.acl.toJson());
    std::string meta_json = dumpJson(w.metadata);
    WriteResult r;
    bool exists = st->step();
    WARD_RETURN_IF_ERROR(st->error("read document"));
    if (exists) {
      r.doc_id = st->int64(0);
      int64_t version = st->int64(1);
      bool deleted = st->int64(5) != 0;
      bool same_content = !deleted && st->text(2) == w.content_hash;
      bool same_attrs = st->text(3) == acl_json && st->text(4) == meta_json &&
                        st->text(6) == w.source && st->text(7) == w.url &&
                        st->int64(8) == w.updated_at;
      if (same_content && same_attrs) {
        r.version = version;
        r.outcome = WriteOutcome::kUnchanged;
        return r;
      }
      if (same_content) {
        WARD_ASSIGN_OR_RETURN(StmtRef up,
                              db_->prepare("UPDATE documents SET acl=?,metadata=?,source=?,url=?,"
                                           "updated_at=? WHERE id=?"));
        up->bind(1, acl_json);
        up->bind(2, meta_json);
        up->bind(3, w.source);
        up->bind(4, w.url);
        up->bind(5, w.updated_at);
        up->bind(6, r.doc_id);
        WARD_RETURN_IF_ERROR(up->exec("update document attributes"));
        WARD_RETURN_IF_ERROR(appendChange("acl", r.doc_id));
        r.version = version;
        r.outcome = WriteOutcome::kAclChanged;
        return r;
      }
      r.version = version + 1;
      r.outcome = WriteOutcome::kUpdated;
      WARD_RETURN_IF_ERROR(deleteChunks(r.doc_id));
      WARD_ASSIGN_OR_RETURN(StmtRef up,
                            db_->prepare("UPDATE documents SET source=?,title=?,url=?,format=?,"
                                         "updated_at=?,indexed_at=?,version=?,content_hash=?,"
                                         "acl=?,metadata=?,deleted=0 WHERE id=?"));
      up->bind(1, w.source);
      up->bind(2, w.title);
      up->bind(3, w.url);
      up->bind(4, w.format);
      up->bind(5, w.updated_at);
      up->bind(6, now);
      up->bind(7, r.version);
      up->bind(8, w.content_hash);
      up->bind(9, acl_json);
      up->bind(10, meta_json);
      up->bind(11, r.doc_id);
      WARD_RETURN_IF_ERROR(up->exec("update document"));
    } else {
      r.version = 1;
      r.outcome = WriteOutcome::kCreated;
      WARD_ASSIGN_OR_RETURN(
          StmtRef ins,
          db_->prepare("INSERT INTO documents(tenant,ext_id,source,title,url,format,updated_at,"
                       "indexed_at,version,content_hash,acl,metadata,deleted) "
                       "VALUES(?,?,?,?,?,?,?,?,1,?,?,?,0)"));
      ins->bind(1, w.tenant);
      ins->bind(2, w.ext_id);
      ins->bind(3, w.source);
      ins->bind(4, w.title);
      ins->bind(5, w.url);
      ins->bind(6, w.format);
      ins->bind(7, w.updated_at);
      ins->bind(8, now);
      ins->bind(9, w.content_hash);
      ins->bind(10, acl_json);
      ins->bind(11, meta_json);
      WARD_RETURN_IF_ERROR(ins->exec("insert document"));
      r.doc_id = db_->lastInsertId();
    }
    WARD_ASSIGN_OR_RETURN(StmtRef ch,
                          db_->prepare("INSERT INTO chunks(doc_id,version,ordinal,text,span_start,"
                                       "span_end,page,heading_path,kind) VALUES(?,?,?,?,?,?,?,?,?)"));
    for (size_t i = 0; i < w.chunks.size(); ++i) {
      auto& c = w.chunks[i];
      ch->reset();
      ch->bind(1, r.doc_id);
      ch->bind(2, r.version);
      ch->bind(3, static_cast<int64_t>(i));
      ch->bind(4, c.text);
      ch->bind(5, c.span_start);
      ch->bind(6, c.span_end);
      ch->bind(7, c.page);
      ch->bind(8, c.heading_path);
      ch->bind(9, c.kind);
      WARD_RETURN_IF_ERROR(ch->exec("insert chunk"));
      c.id = db_->lastInsertId();
      c.doc_id = r.doc_id;
      c.version = r.version;
      c.ordinal = static_cast<int>(i);
    }
    WARD_RETURN_IF_ERROR(appendChange("upsert", r.doc_id));
    return r;
  }

  std::mutex mu_;
  std::unique_ptr<Database> db_;
};

}  // namespace

Result<std::unique_ptr<Store>> openSqliteStore(const std::string& path) {
  WARD_ASSIGN_OR_RETURN(std::unique_ptr<Database> db, Database::open(path));
  auto store = std::make_unique<SqliteStore>(std::move(db));
  WARD_RETURN_IF_ERROR(store->init());
  return std::unique_ptr<Store>(std::move(store));
}

}  // namespace ward::store
