// PostgreSQL implementation of Store (ward/store/pg_store.h): migrations, identity, documents and
// the change feed. Each call borrows a pooled connection; every write is one transaction
// (PgPool::transaction retries serialization failures and deadlocks). The statements on documents
// and chunks are in pg_documents.cc, the feed in pg_feed.cc.
#include <algorithm>

#include "pg_bulk.h"
#include "pg_cluster.h"
#include "pg_documents.h"
#include "pg_feed.h"
#include "pg_listener.h"
#include "pg_pool.h"
#include "pg_schema.h"
#include "ward/common/clock.h"
#include "ward/common/hash.h"
#include "ward/store/change_listener.h"
#include "ward/store/cluster.h"
#include "ward/store/pg_store.h"

namespace ward::store {

namespace {

using pg::PgConn;
using pg::PgLease;
using pg::PgParams;
using pg::PgPool;
using pg::PgResult;

// Advisory lock key of schema migrations ("wardmigr"): nodes starting together migrate once.
constexpr int64_t kMigrationLock = 0x776172646d696772;

const std::string kPrincipalColumns = "SELECT id,tenant,name,kind,admin,created_at FROM principals";

Result<identity::PrincipalRecord> principalRow(const PgResult& r, int row) {
  identity::PrincipalRecord p;
  p.id = r.int64(row, 0);
  p.tenant = r.text(row, 1);
  p.name = r.text(row, 2);
  auto kind = identity::parsePrincipalKind(r.text(row, 3));
  p.kind = kind.ok() ? *kind : identity::PrincipalKind::kUser;
  p.admin = r.boolean(row, 4);
  p.created_at = r.int64(row, 5);
  return p;
}

Status bumpIdentityGeneration(PgConn& db) {
  return db
      .query("bump identity generation",
             "UPDATE meta SET value = (value::bigint + 1)::text WHERE key='identity_generation'")
      .status();
}

class PgStore final : public Store,
                      public ChangeListenerSource,
                      public SearchReads,
                      public ClusterStore {
 public:
  explicit PgStore(std::unique_ptr<PgPool> pool) : pool_(std::move(pool)), node_id_(randomHex(8)) {}

  Status migrate() {
    return pool_->transaction([&](PgConn& db) -> Status {
      WARD_RETURN_IF_ERROR(db.query("lock migrations", "SELECT pg_advisory_xact_lock($1)",
                                    PgParams().add(kMigrationLock))
                               .status());
      WARD_RETURN_IF_ERROR(db.script("create schema_migrations",
                                     "CREATE TABLE IF NOT EXISTS schema_migrations("
                                     "version INTEGER PRIMARY KEY, name TEXT NOT NULL, "
                                     "applied_at BIGINT NOT NULL)"));
      WARD_ASSIGN_OR_RETURN(PgResult cur,
                            db.query("read schema version",
                                     "SELECT COALESCE(MAX(version),0) FROM schema_migrations"));
      int64_t have = cur.int64(0, 0);
      if (have > pgSchemaVersion()) {
        return Status::failedPrecondition("store schema " + std::to_string(have) +
                                          " is newer than this ward (" +
                                          std::to_string(pgSchemaVersion()) + ")");
      }
      for (const pg::Migration& m : pg::kMigrations) {
        if (m.version <= have) continue;
        WARD_RETURN_IF_ERROR(db.script(std::string("migration ") + m.name, m.sql));
        WARD_RETURN_IF_ERROR(
            db.query("record migration",
                     "INSERT INTO schema_migrations(version,name,applied_at) VALUES($1,$2,$3)",
                     PgParams().add(m.version).add(m.name).add(SystemClock::instance().nowMicros()))
                .status());
      }
      // The database's identity, made once (index-segments.md), and the identity generation.
      return db
          .query("init meta",
                 "INSERT INTO meta(key,value) VALUES('store_id',$1),('identity_generation','0') "
                 "ON CONFLICT (key) DO NOTHING",
                 PgParams().add(randomHex(16)))
          .status();
    });
  }

  // --- Directory ---
  // A disabled principal (scim_store.h) is not found, and its keys read as revoked.
  Result<identity::PrincipalRecord> findPrincipal(const std::string& tenant,
                                                  const std::string& name) override {
    WARD_ASSIGN_OR_RETURN(PgLease db, pool_->acquire());
    WARD_ASSIGN_OR_RETURN(
        PgResult r, db->query("read principal",
                              kPrincipalColumns + " WHERE tenant=$1 AND name=$2 AND NOT disabled",
                              PgParams().add(tenant).add(name)));
    if (r.rows() == 0) return Status::notFound("principal '" + name + "' not found");
    return principalRow(r, 0);
  }

  Result<identity::PrincipalRecord> findPrincipalById(int64_t id) override {
    WARD_ASSIGN_OR_RETURN(PgLease db, pool_->acquire());
    WARD_ASSIGN_OR_RETURN(
        PgResult r, db->query("read principal", kPrincipalColumns + " WHERE id=$1 AND NOT disabled",
                              PgParams().add(id)));
    if (r.rows() == 0) return Status::notFound("principal not found");
    return principalRow(r, 0);
  }

  Result<std::vector<std::string>> directGroupsOf(int64_t principal_id) override {
    WARD_ASSIGN_OR_RETURN(PgLease db, pool_->acquire());
    WARD_ASSIGN_OR_RETURN(PgResult r,
                          db->query("read memberships",
                                    "SELECT p.name FROM memberships m JOIN principals p ON "
                                    "p.id=m.group_id WHERE m.member_id=$1 ORDER BY p.name",
                                    PgParams().add(principal_id)));
    std::vector<std::string> out;
    out.reserve(r.rows());
    for (int i = 0; i < r.rows(); ++i) out.push_back(r.text(i, 0));
    return out;
  }

  Result<identity::ApiKeyRecord> findApiKey(const std::string& key_id) override {
    WARD_ASSIGN_OR_RETURN(PgLease db, pool_->acquire());
    WARD_ASSIGN_OR_RETURN(
        PgResult r, db->query("read api key",
                              "SELECT k.key_id,k.principal_id,k.secret_hash,k.created_at,"
                              "k.revoked OR COALESCE(p.disabled,false) FROM api_keys k "
                              "LEFT JOIN principals p ON p.id=k.principal_id WHERE k.key_id=$1",
                              PgParams().add(key_id)));
    if (r.rows() == 0) return Status::notFound("api key not found");
    return identity::ApiKeyRecord{r.text(0, 0), r.int64(0, 1), r.text(0, 2), r.int64(0, 3),
                                  r.boolean(0, 4)};
  }

  Result<std::vector<identity::ScopeEntry>> agentScope(const std::string& tenant,
                                                       const std::string& agent) override {
    WARD_ASSIGN_OR_RETURN(PgLease db, pool_->acquire());
    return selectScope(*db, tenant, agent);
  }

  // --- tenants and principals ---
  Status ensureTenant(const std::string& tenant) override {
    WARD_RETURN_IF_ERROR(identity::validateName("tenant", tenant));
    WARD_ASSIGN_OR_RETURN(PgLease db, pool_->acquire());
    return db
        ->query("create tenant",
                "INSERT INTO tenants(name,created_at) VALUES($1,$2) ON CONFLICT DO NOTHING",
                PgParams().add(tenant).add(SystemClock::instance().nowMicros()))
        .status();
  }

  Result<std::vector<std::string>> listTenants() override {
    WARD_ASSIGN_OR_RETURN(PgLease db, pool_->acquire());
    WARD_ASSIGN_OR_RETURN(PgResult r,
                          db->query("list tenants", "SELECT name FROM tenants ORDER BY name"));
    std::vector<std::string> out;
    out.reserve(r.rows());
    for (int i = 0; i < r.rows(); ++i) out.push_back(r.text(i, 0));
    return out;
  }

  Result<identity::PrincipalRecord> createPrincipal(const std::string& tenant,
                                                    const std::string& name,
                                                    identity::PrincipalKind kind,
                                                    bool admin) override {
    WARD_RETURN_IF_ERROR(
        identity::validateName(std::string(identity::principalKindName(kind)), name));
    WARD_RETURN_IF_ERROR(ensureTenant(tenant));
    identity::PrincipalRecord rec;
    rec.tenant = tenant;
    rec.name = name;
    rec.kind = kind;
    rec.admin = admin;
    rec.created_at = SystemClock::instance().nowMicros();
    Status s = pool_->transaction([&](PgConn& db) -> Status {
      WARD_ASSIGN_OR_RETURN(PgResult r,
                            db.query("create principal",
                                     "INSERT INTO principals(tenant,name,kind,admin,created_at) "
                                     "VALUES($1,$2,$3,$4,$5) RETURNING id",
                                     PgParams()
                                         .add(tenant)
                                         .add(name)
                                         .add(identity::principalKindName(kind))
                                         .add(admin)
                                         .add(rec.created_at)));
      rec.id = r.int64(0, 0);
      return bumpIdentityGeneration(db);
    });
    if (s.code() == StatusCode::kAlreadyExists) {
      return Status::alreadyExists("principal '" + name + "' already exists");
    }
    WARD_RETURN_IF_ERROR(s);
    return rec;
  }

  Result<std::vector<identity::PrincipalRecord>> listPrincipals(
      const std::string& tenant) override {
    WARD_ASSIGN_OR_RETURN(PgLease db, pool_->acquire());
    WARD_ASSIGN_OR_RETURN(
        PgResult r,
        db->query("list principals", kPrincipalColumns + " WHERE tenant=$1 ORDER BY name",
                  PgParams().add(tenant)));
    std::vector<identity::PrincipalRecord> out;
    for (int i = 0; i < r.rows(); ++i) {
      WARD_ASSIGN_OR_RETURN(identity::PrincipalRecord p, principalRow(r, i));
      out.push_back(std::move(p));
    }
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
    WARD_ASSIGN_OR_RETURN(PgLease db, pool_->acquire());
    return db
        ->query("store api key",
                "INSERT INTO api_keys(key_id,principal_id,secret_hash,created_at,revoked) "
                "VALUES($1,$2,$3,$4,false)",
                PgParams()
                    .add(key.key_id)
                    .add(key.principal_id)
                    .add(key.secret_hash)
                    .add(key.created_at ? key.created_at : SystemClock::instance().nowMicros()))
        .status();
  }

  Result<std::vector<identity::ApiKeyRecord>> listApiKeys(int64_t principal_id) override {
    WARD_ASSIGN_OR_RETURN(PgLease db, pool_->acquire());
    WARD_ASSIGN_OR_RETURN(PgResult r,
                          db->query("list api keys",
                                    "SELECT key_id,principal_id,created_at,revoked FROM api_keys "
                                    "WHERE principal_id=$1 ORDER BY created_at",
                                    PgParams().add(principal_id)));
    std::vector<identity::ApiKeyRecord> out;
    out.reserve(r.rows());
    for (int i = 0; i < r.rows(); ++i) {
      out.push_back({r.text(i, 0), r.int64(i, 1), "", r.int64(i, 2), r.boolean(i, 3)});
    }
    return out;
  }

  // Moves the identity generation too: ApiKeyCache keeps verified keys per generation.
  Status revokeApiKey(const std::string& key_id) override {
    return pool_->transaction([&](PgConn& db) -> Status {
      WARD_ASSIGN_OR_RETURN(
          PgResult r, db.query("revoke api key", "UPDATE api_keys SET revoked=true WHERE key_id=$1",
                               PgParams().add(key_id)));
      if (r.affected() == 0) return Status::notFound("api key '" + key_id + "' not found");
      return bumpIdentityGeneration(db);
    });
  }

  Status addScopeEntry(const std::string& tenant, const std::string& agent,
                       const identity::ScopeEntry& entry, const std::string& by) override {
    WARD_RETURN_IF_ERROR(identity::validateScopeEntry(entry));
    WARD_RETURN_IF_ERROR(requireAgent(tenant, agent));
    return pool_->transaction([&](PgConn& db) -> Status {
      // The agent's row lock serializes its scope changes, so the limit holds under concurrency.
      WARD_RETURN_IF_ERROR(db.query("lock agent",
                                    "SELECT id FROM principals WHERE tenant=$1 AND name=$2 "
                                    "FOR UPDATE",
                                    PgParams().add(tenant).add(agent))
                               .status());
      WARD_ASSIGN_OR_RETURN(std::vector<identity::ScopeEntry> held, selectScope(db, tenant, agent));
      if (held.size() >= identity::kMaxScopeEntries) {
        return Status::resourceExhausted("agent '" + agent + "' already has " +
                                         std::to_string(identity::kMaxScopeEntries) +
                                         " scope entries (the limit)");
      }
      WARD_ASSIGN_OR_RETURN(
          PgResult r,
          db.query("insert agent scope entry",
                   "INSERT INTO agent_scopes(tenant,agent,kind,value,created_by,created_at) "
                   "VALUES($1,$2,$3,$4,$5,$6) ON CONFLICT DO NOTHING",
                   PgParams()
                       .add(tenant)
                       .add(agent)
                       .add(identity::scopeKindName(entry.kind))
                       .add(entry.value)
                       .add(by)
                       .add(SystemClock::instance().nowMicros())));
      if (r.affected() == 0) {
        return Status::alreadyExists(describeScope(agent, entry) + " already exists");
      }
      return bumpIdentityGeneration(db);
    });
  }

  Status removeScopeEntry(const std::string& tenant, const std::string& agent,
                          const identity::ScopeEntry& entry) override {
    WARD_RETURN_IF_ERROR(requireAgent(tenant, agent));
    return pool_->transaction([&](PgConn& db) -> Status {
      WARD_ASSIGN_OR_RETURN(PgResult r, db.query("delete agent scope entry",
                                                 "DELETE FROM agent_scopes WHERE tenant=$1 AND "
                                                 "agent=$2 AND kind=$3 AND value=$4",
                                                 PgParams()
                                                     .add(tenant)
                                                     .add(agent)
                                                     .add(identity::scopeKindName(entry.kind))
                                                     .add(entry.value)));
      if (r.affected() == 0) return Status::notFound("no " + describeScope(agent, entry));
      return bumpIdentityGeneration(db);
    });
  }

  // --- documents ---
  Result<std::vector<WriteResult>> writeDocuments(std::vector<DocumentWrite>& writes) override {
    std::vector<WriteResult> results;
    // The whole batch in a fixed number of round trips (pg_bulk.h), in one transaction.
    // A concurrent first insert of the same document is a unique violation: run the batch again
    // (it then finds the row and updates it).
    WARD_RETURN_IF_ERROR(pool_->transaction(
        [&](PgConn& db) -> Status {
          WARD_ASSIGN_OR_RETURN(
              results, pg::writeDocumentBatch(db, writes, SystemClock::instance().nowMicros()));
          bool changed = std::any_of(results.begin(), results.end(), [](const WriteResult& r) {
            return r.outcome != WriteOutcome::kUnchanged;
          });
          return changed ? pg::notifyFollowers(db) : Status();
        },
        /*retry_unique=*/true));
    return results;
  }

  Status deleteDocument(const std::string& tenant, const std::string& ext_id) override {
    return pool_->transaction([&](PgConn& db) -> Status {
      WARD_RETURN_IF_ERROR(pg::tombstoneDocument(db, tenant, ext_id));
      return pg::notifyFollowers(db);
    });
  }

  Status setAcl(const std::string& tenant, const std::string& ext_id, const Acl& acl) override {
    return pool_->transaction([&](PgConn& db) -> Status {
      WARD_RETURN_IF_ERROR(pg::updateDocumentAcl(db, tenant, ext_id, acl));
      return pg::notifyFollowers(db);
    });
  }

  Result<DocumentRecord> getDocument(const std::string& tenant,
                                     const std::string& ext_id) override {
    WARD_ASSIGN_OR_RETURN(PgLease db, pool_->acquire());
    return pg::selectDocument(*db, tenant, ext_id);
  }

  Result<DocumentRecord> getDocumentById(int64_t doc_id) override {
    WARD_ASSIGN_OR_RETURN(PgLease db, pool_->acquire());
    return pg::selectDocumentById(*db, doc_id);
  }

  Result<std::vector<ChunkRecord>> chunksOf(int64_t doc_id) override {
    WARD_ASSIGN_OR_RETURN(PgLease db, pool_->acquire());
    return pg::selectChunks(*db, doc_id);
  }

  Result<ChunkRecord> getChunk(int64_t chunk_id) override {
    WARD_ASSIGN_OR_RETURN(PgLease db, pool_->acquire());
    return pg::selectChunk(*db, chunk_id);
  }

  Result<std::vector<ChunkWithDocument>> chunksWithDocuments(
      const std::vector<int64_t>& chunk_ids) override {
    WARD_ASSIGN_OR_RETURN(PgLease db, pool_->acquire());
    return pg::selectChunksWithDocuments(*db, chunk_ids);
  }

  Result<std::vector<SourceRecord>> listSources(const std::string& tenant) override {
    WARD_ASSIGN_OR_RETURN(PgLease db, pool_->acquire());
    WARD_ASSIGN_OR_RETURN(PgResult r,
                          db->query("list sources",
                                    "SELECT source, COUNT(*), MAX(updated_at), MAX(indexed_at) "
                                    "FROM documents WHERE tenant=$1 AND NOT deleted GROUP BY "
                                    "source ORDER BY source",
                                    PgParams().add(tenant)));
    std::vector<SourceRecord> out;
    out.reserve(r.rows());
    for (int i = 0; i < r.rows(); ++i) {
      out.push_back({tenant, r.text(i, 0), r.int64(i, 1), r.int64(i, 2), r.int64(i, 3)});
    }
    return out;
  }

  // --- change feed ---
  Result<std::vector<Change>> changesSince(int64_t seq, int limit) override {
    return pg::readChanges(*pool_, seq, limit);
  }

  Result<int64_t> lastChangeSeq() override { return pg::lastPosition(*pool_); }

  Result<std::unique_ptr<ChangeListener>> listenForChanges() override {
    return pg::openPgChangeListener(pool_->url());
  }

  Result<int64_t> identityGeneration() override { return metaValue("identity_generation"); }

  // --- work across nodes (pg_cluster.h) ---
  const std::string& nodeId() const override { return node_id_; }
  Result<LeaseTerm> acquireLease(const std::string& name, std::chrono::milliseconds ttl) override {
    return pg::acquireLease(*pool_, name, node_id_, ttl);
  }
  Status releaseLease(const LeaseTerm& term) override { return pg::releaseLease(*pool_, term); }
  Result<int64_t> pruneFeed(const LeaseTerm& term, std::chrono::seconds retention) override {
    return pg::pruneFeed(*pool_, term, retention);
  }
  Status recordFollower(int64_t cursor) override {
    return pg::recordFollower(*pool_, node_id_, cursor);
  }
  Result<FeedPage> readFeed(int64_t epoch, int64_t seq, int limit) override {
    return pg::readFeed(*pool_, epoch, seq, limit);
  }
  Result<FeedResyncPoint> resyncPoint() override { return pg::resyncPoint(*pool_); }
  Result<std::vector<int64_t>> liveDocumentIds(int64_t after_id, int limit) override {
    return pg::liveDocumentIds(*pool_, after_id, limit);
  }
  Result<int64_t> newEpoch() override { return pg::newEpoch(*pool_); }

  Result<std::string> storeId() override {
    WARD_ASSIGN_OR_RETURN(PgLease db, pool_->acquire());
    WARD_ASSIGN_OR_RETURN(
        PgResult r, db->query("read store id", "SELECT value FROM meta WHERE key='store_id'"));
    if (r.rows() == 0) return Status::corruption("store id missing from meta");
    return r.text(0, 0);
  }

  Result<StoreStats> stats() override {
    WARD_ASSIGN_OR_RETURN(int64_t last, pg::lastPosition(*pool_));
    WARD_ASSIGN_OR_RETURN(PgLease db, pool_->acquire());
    WARD_ASSIGN_OR_RETURN(
        PgResult r,
        db->query("read stats",
                  "SELECT (SELECT COUNT(*) FROM documents WHERE NOT deleted),"
                  "(SELECT COUNT(*) FROM documents WHERE deleted),"
                  "(SELECT COUNT(*) FROM chunks),"
                  "(SELECT COUNT(DISTINCT tenant||'/'||source) FROM documents WHERE NOT deleted),"
                  "(SELECT COUNT(*) FROM principals),"
                  "(SELECT COALESCE(SUM(octet_length(text)),0) FROM chunks)"));
    StoreStats s;
    s.documents = r.int64(0, 0);
    s.tombstones = r.int64(0, 1);
    s.chunks = r.int64(0, 2);
    s.sources = r.int64(0, 3);
    s.principals = r.int64(0, 4);
    s.last_change_seq = last;
    s.text_bytes = r.int64(0, 5);
    return s;
  }

 private:
  static std::string describeScope(const std::string& agent, const identity::ScopeEntry& e) {
    return std::string(identity::scopeKindName(e.kind)) + " '" + e.value +
           "' in the scope of agent '" + agent + "'";
  }

  static Result<std::vector<identity::ScopeEntry>> selectScope(PgConn& db,
                                                               const std::string& tenant,
                                                               const std::string& agent) {
    WARD_ASSIGN_OR_RETURN(PgResult r, db.query("list agent scope",
                                               "SELECT kind,value FROM agent_scopes WHERE "
                                               "tenant=$1 AND agent=$2 ORDER BY kind,value",
                                               PgParams().add(tenant).add(agent)));
    std::vector<identity::ScopeEntry> out;
    for (int i = 0; i < r.rows(); ++i) {
      auto kind = identity::parseScopeKind(r.text(i, 0));
      if (!kind.ok()) return Status::corruption("agent_scopes: " + kind.status().message());
      out.push_back(identity::ScopeEntry{*kind, r.text(i, 1)});
    }
    return out;
  }

  Result<int64_t> metaValue(const std::string& key) {
    WARD_ASSIGN_OR_RETURN(PgLease db, pool_->acquire());
    WARD_ASSIGN_OR_RETURN(PgResult r, db->query("read meta", "SELECT value FROM meta WHERE key=$1",
                                                PgParams().add(key)));
    if (r.rows() == 0) return Status::corruption("meta '" + key + "' missing");
    return static_cast<int64_t>(std::stoll(r.text(0, 0)));
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
    return pool_->transaction([&](PgConn& db) -> Status {
      WARD_RETURN_IF_ERROR(
          db.query("change membership",
                   add ? "INSERT INTO memberships(member_id,group_id) VALUES($1,$2) "
                         "ON CONFLICT DO NOTHING"
                       : "DELETE FROM memberships WHERE member_id=$1 AND group_id=$2",
                   PgParams().add(m->id).add(g->id))
              .status());
      return bumpIdentityGeneration(db);
    });
  }

  std::unique_ptr<PgPool> pool_;
  const std::string node_id_;
};

}  // namespace

bool isPostgresUrl(std::string_view url) {
  return url.starts_with("postgresql://") || url.starts_with("postgres://");
}

int pgSchemaVersion() { return pg::kMigrations.back().version; }

Result<int> pgStoredSchemaVersion(const std::string& url) {
  WARD_ASSIGN_OR_RETURN(std::unique_ptr<PgConn> db, PgConn::connect(url));
  WARD_ASSIGN_OR_RETURN(
      PgResult table,
      db->query("find schema_migrations", "SELECT to_regclass('schema_migrations') IS NOT NULL"));
  if (!table.boolean(0, 0)) return 0;
  WARD_ASSIGN_OR_RETURN(
      PgResult r,
      db->query("read schema version", "SELECT COALESCE(MAX(version),0) FROM schema_migrations"));
  return static_cast<int>(r.int64(0, 0));
}

Result<std::unique_ptr<Store>> openPgStore(const std::string& url) {
  WARD_ASSIGN_OR_RETURN(std::unique_ptr<PgPool> pool, PgPool::open(url));
  auto store = std::make_unique<PgStore>(std::move(pool));
  WARD_RETURN_IF_ERROR(store->migrate());
  return std::unique_ptr<Store>(std::move(store));
}

}  // namespace ward::store
