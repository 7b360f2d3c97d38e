// SQLite implementation of SyncStore (schema step 7, sync_schema.h): its own connection to
// ward.db; document writes and tombstones go through the same statements as the main store
// (sqlite_documents.h), inside this store's transactions.
#include <mutex>

#include "sqlite_db.h"
#include "sqlite_documents.h"
#include "sqlite_runtime_sources.h"
#include "sqlite_source_groups.h"
#include "ward/common/clock.h"
#include "ward/common/log.h"
#include "ward/common/mutex.h"
#include "ward/store/store.h"
#include "ward/store/sync_store.h"

namespace ward::store {

namespace {

constexpr const char* kRunColumns =
    "SELECT id,tenant,source,full,state,checkpoint,started_at,finished_at,listed,fetched,indexed,"
    "unchanged,failed,refused,held,widened,deleted,pages,resumed,exhausted,message,approval_id,"
    "full_since,requests FROM sync_runs";

SyncRunRecord readRun(Statement* st) {
  SyncRunRecord r;
  r.id = st->int64(0);
  r.tenant = st->text(1);
  r.source = st->text(2);
  r.full = st->int64(3) != 0;
  r.state = parseSyncRunState(st->text(4)).value_or(SyncRunState::kFailed);
  r.checkpoint = st->text(5);
  r.started_at = st->int64(6);
  r.finished_at = st->int64(7);
  int64_t* counters[] = {&r.listed, &r.fetched, &r.indexed, &r.unchanged, &r.failed, &r.refused,
                         &r.held,   &r.widened, &r.deleted, &r.pages,     &r.resumed};
  for (int i = 0; i < 11; ++i) *counters[i] = st->int64(8 + i);
  r.exhausted = st->int64(19) != 0;
  r.message = st->text(20);
  r.approval_id = st->text(21);
  r.full_since = st->int64(22);
  r.requests = st->int64(23);
  return r;
}

class SqliteSyncStore final : public SyncStore {
 public:
  explicit SqliteSyncStore(std::unique_ptr<Database> db) : db_(std::move(db)) {}

  Status init() {
    MutexLock lock(mu_);
    WARD_RETURN_IF_ERROR(db_->exec("PRAGMA journal_mode=WAL"));
    WARD_RETURN_IF_ERROR(db_->exec("PRAGMA synchronous=FULL"));
    WARD_RETURN_IF_ERROR(db_->exec("PRAGMA secure_delete=ON"));
    return db_->exec("PRAGMA foreign_keys=ON");
  }

  Result<std::optional<SyncRunRecord>> runningRun(const std::string& tenant,
                                                  const std::string& source) override {
    return latestRun(tenant, source, "state='running'");
  }

  Result<SyncRunRecord> startRun(const std::string& tenant, const std::string& source, bool full,
                                 int64_t full_since) override {
    MutexLock lock(mu_);
    SyncRunRecord r;
    r.tenant = tenant;
    r.source = source;
    r.full = full;
    r.full_since = full_since;
    r.started_at = SystemClock::instance().nowMicros();
    WARD_ASSIGN_OR_RETURN(
        StmtRef st,
        db_->prepare("INSERT INTO sync_runs(tenant,source,full,state,checkpoint,started_at,"
                     "finished_at,listed,fetched,indexed,unchanged,failed,refused,held,widened,"
                     "deleted,pages,resumed,exhausted,message,approval_id,full_since) VALUES(?,?,?,"
                     "'running','',?,0,0,0,0,0,0,0,0,0,0,0,0,0,'','',?)"));
    st->bind(1, tenant);
    st->bind(2, source);
    st->bind(3, full ? 1 : 0);
    st->bind(4, r.started_at);
    st->bind(5, full_since);
    WARD_RETURN_IF_ERROR(st->exec("start sync run"));
    r.id = db_->lastInsertId();
    return r;
  }

  Result<std::vector<WriteResult>> commitBatch(SyncBatch& batch) override {
    MutexLock lock(mu_);
    Transaction tx(*db_);
    WARD_RETURN_IF_ERROR(tx.begin());
    const int64_t now = SystemClock::instance().nowMicros();
    std::vector<WriteResult> results;
    for (auto& w : batch.writes) {
      WARD_ASSIGN_OR_RETURN(WriteResult r, writeDocument(*db_, w, now));
      results.push_back(r);
      ++(r.outcome == WriteOutcome::kUnchanged ? batch.run.unchanged : batch.run.indexed);
    }
    for (const auto& [ext_id, acl] : batch.acl_updates) {
      WARD_RETURN_IF_ERROR(updateDocumentAcl(*db_, batch.run.tenant, ext_id, acl));
    }
    WARD_ASSIGN_OR_RETURN(StmtRef seen,
                          db_->prepare("INSERT OR REPLACE INTO sync_seen(run_id,ext_id,version,"
                                       "state) VALUES(?,?,?,?)"));
    WARD_ASSIGN_OR_RETURN(StmtRef item,
                          db_->prepare("INSERT OR REPLACE INTO sync_items(tenant,ext_id,source,"
                                       "version) VALUES(?,?,?,?)"));
    for (const auto& s : batch.seen) {
      seen->reset();
      seen->bind(1, batch.run.id);
      seen->bind(2, s.ext_id);
      seen->bind(3, s.version);
      seen->bind(4, static_cast<int64_t>(s.state));
      WARD_RETURN_IF_ERROR(seen->exec("record seen id"));
      // An empty version is stored too: it replaces an older one, so the item is read next time.
      if (s.state != SeenState::kIndexed) continue;
      item->reset();
      item->bind(1, batch.run.tenant);
      item->bind(2, s.ext_id);
      item->bind(3, batch.run.source);
      item->bind(4, s.version);
      WARD_RETURN_IF_ERROR(item->exec("record item version"));
    }
    WARD_ASSIGN_OR_RETURN(
        StmtRef reported,
        db_->prepare("INSERT OR IGNORE INTO sync_run_groups(run_id,name) VALUES(?,?)"));
    for (const auto& update : batch.group_updates) {
      WARD_RETURN_IF_ERROR(
          applyGroupMembership(*db_, batch.run.tenant, batch.run.source, update, now));
      reported->reset();
      reported->bind(1, batch.run.id);
      reported->bind(2, update.group);
      WARD_RETURN_IF_ERROR(reported->exec("remember reported group"));
    }
    WARD_RETURN_IF_ERROR(writeRun(batch.run));
    WARD_RETURN_IF_ERROR(tx.commit());
    return results;
  }

  Status updateRun(const SyncRunRecord& run) override {
    MutexLock lock(mu_);
    return writeRun(run);
  }

  Result<std::vector<std::string>> unseenDocuments(const SyncRunRecord& run) override {
    MutexLock lock(mu_);
    WARD_ASSIGN_OR_RETURN(
        StmtRef st,
        db_->prepare("SELECT d.ext_id FROM documents d WHERE d.tenant=? AND d.source=? AND "
                     "d.deleted=0 AND NOT EXISTS (SELECT 1 FROM sync_seen s WHERE s.run_id=? AND "
                     "s.ext_id=d.ext_id AND s.state<>3) ORDER BY d.ext_id"));
    st->bind(1, run.tenant);
    st->bind(2, run.source);
    st->bind(3, run.id);
    std::vector<std::string> out;
    while (st->step()) out.push_back(st->text(0));
    WARD_RETURN_IF_ERROR(st->error("list unseen documents"));
    return out;
  }

  Result<std::vector<std::string>> requestedDeletes(const SyncRunRecord& run) override {
    MutexLock lock(mu_);
    WARD_ASSIGN_OR_RETURN(StmtRef st,
                          db_->prepare("SELECT s.ext_id FROM sync_seen s JOIN documents d ON "
                                       "d.tenant=? AND d.ext_id=s.ext_id WHERE s.run_id=? AND "
                                       "s.state=3 AND d.source=? AND d.deleted=0 ORDER BY "
                                       "s.ext_id"));
    st->bind(1, run.tenant);
    st->bind(2, run.id);
    st->bind(3, run.source);
    std::vector<std::string> out;
    while (st->step()) out.push_back(st->text(0));
    WARD_RETURN_IF_ERROR(st->error("list requested deletes"));
    return out;
  }

  Status finishRun(const SyncRunRecord& run, const std::vector<std::string>& deletes,
                   bool empty_unreported_groups, std::vector<std::string>* emptied) override {
    MutexLock lock(mu_);
    {
      Transaction tx(*db_);
      WARD_RETURN_IF_ERROR(tx.begin());
      WARD_ASSIGN_OR_RETURN(StmtRef item,
                            db_->prepare("DELETE FROM sync_items WHERE tenant=? AND ext_id=?"));
      for (const auto& id : deletes) {
        Status s = tombstoneDocument(*db_, run.tenant, id);
        if (!s.ok() && s.code() != StatusCode::kNotFound) return s;
        item->reset();
        item->bind(1, run.tenant);
        item->bind(2, id);
        WARD_RETURN_IF_ERROR(item->exec("forget item version"));
      }
      if (empty_unreported_groups) {
        WARD_ASSIGN_OR_RETURN(std::vector<std::string> gone,
                              emptyUnreportedGroups(*db_, run.tenant, run.source, run.id));
        if (emptied != nullptr) *emptied = std::move(gone);
      }
      WARD_ASSIGN_OR_RETURN(StmtRef seen, db_->prepare("DELETE FROM sync_seen WHERE run_id=?"));
      seen->bind(1, run.id);
      WARD_RETURN_IF_ERROR(seen->exec("drop seen ids"));
      WARD_ASSIGN_OR_RETURN(StmtRef groups,
                            db_->prepare("DELETE FROM sync_run_groups WHERE run_id=?"));
      groups->bind(1, run.id);
      WARD_RETURN_IF_ERROR(groups->exec("drop reported groups"));
      WARD_RETURN_IF_ERROR(writeRun(run));
      WARD_RETURN_IF_ERROR(tx.commit());
    }
    if (!deletes.empty()) {
      // Older WAL frames still hold the deleted text (docs/design/store.md, "Delete").
      auto truncated = db_->truncateWal();
      if (!truncated.ok() || !*truncated) {
        logWarn("sync: the WAL still holds frames in use; the next delete truncates it");
      }
    }
    return Status();
  }

  Result<int64_t> liveDocuments(const std::string& tenant, const std::string& source) override {
    MutexLock lock(mu_);
    WARD_ASSIGN_OR_RETURN(StmtRef st,
                          db_->prepare("SELECT COUNT(*) FROM documents WHERE tenant=? AND "
                                       "source=? AND deleted=0"));
    st->bind(1, tenant);
    st->bind(2, source);
    if (!st->step()) {
      WARD_RETURN_IF_ERROR(st->error("count documents"));
      return int64_t{0};
    }
    return st->int64(0);
  }

  Result<std::map<std::string, std::string>> itemVersions(const std::string& tenant,
                                                          const std::string& source) override {
    MutexLock lock(mu_);
    WARD_ASSIGN_OR_RETURN(StmtRef st,
                          db_->prepare("SELECT ext_id,version FROM sync_items WHERE tenant=? AND "
                                       "source=?"));
    st->bind(1, tenant);
    st->bind(2, source);
    std::map<std::string, std::string> out;
    while (st->step()) out[st->text(0)] = st->text(1);
    WARD_RETURN_IF_ERROR(st->error("read item versions"));
    return out;
  }

  Result<std::vector<SyncRunRecord>> listRuns(const std::string& tenant, const std::string& source,
                                              int limit) override {
    MutexLock lock(mu_);
    WARD_ASSIGN_OR_RETURN(StmtRef st,
                          db_->prepare(std::string(kRunColumns) +
                                       " WHERE tenant=? AND (?='' OR source=?) ORDER BY id DESC "
                                       "LIMIT ?"));
    st->bind(1, tenant);
    st->bind(2, source);
    st->bind(3, source);
    st->bind(4, static_cast<int64_t>(limit));
    std::vector<SyncRunRecord> out;
    while (st->step()) out.push_back(readRun(st.operator->()));
    WARD_RETURN_IF_ERROR(st->error("list sync runs"));
    return out;
  }

  Result<std::optional<SyncRunRecord>> lastCompletePass(const std::string& tenant,
                                                        const std::string& source) override {
    return latestRun(tenant, source, "exhausted=1 AND state IN ('completed','partial','held')");
  }

  Result<std::optional<std::string>> groupManager(const std::string& tenant,
                                                  const std::string& group) override {
    MutexLock lock(mu_);
    return selectGroupManager(*db_, tenant, group);
  }

  Result<int64_t> managedGroups(const std::string& tenant, const std::string& source) override {
    MutexLock lock(mu_);
    return countManagedGroups(*db_, tenant, source);
  }

  Result<std::vector<RuntimeSourceRecord>> listSources(const std::string& tenant) override {
    MutexLock lock(mu_);
    return selectRuntimeSources(*db_, tenant, "");
  }

  Result<std::optional<RuntimeSourceRecord>> getSource(const std::string& tenant,
                                                       const std::string& name) override {
    MutexLock lock(mu_);
    WARD_ASSIGN_OR_RETURN(auto rows, selectRuntimeSources(*db_, tenant, name));
    if (rows.empty()) return std::optional<RuntimeSourceRecord>();
    return std::optional<RuntimeSourceRecord>(std::move(rows.front()));
  }

  Status createSource(const RuntimeSourceRecord& r, size_t max_sources) override {
    MutexLock lock(mu_);
    Transaction tx(*db_);
    WARD_RETURN_IF_ERROR(tx.begin());
    WARD_RETURN_IF_ERROR(insertRuntimeSource(*db_, r, max_sources));
    return tx.commit();
  }

  Status replaceSource(const RuntimeSourceRecord& r) override {
    MutexLock lock(mu_);
    return updateRuntimeSource(*db_, r);
  }

  Status setSourceRemoving(const std::string& tenant, const std::string& name) override {
    MutexLock lock(mu_);
    return markRuntimeSourceRemoving(*db_, tenant, name);
  }

  Status deleteSource(const std::string& tenant, const std::string& name) override {
    MutexLock lock(mu_);
    return deleteRuntimeSource(*db_, tenant, name);
  }

 private:
  // The source's newest run matching `condition` (SQL over the run columns, a constant).
  Result<std::optional<SyncRunRecord>> latestRun(const std::string& tenant,
                                                 const std::string& source, const char* condition) {
    MutexLock lock(mu_);
    WARD_ASSIGN_OR_RETURN(
        StmtRef st, db_->prepare(std::string(kRunColumns) + " WHERE tenant=? AND source=? AND " +
                                 condition + " ORDER BY id DESC LIMIT 1"));
    st->bind(1, tenant);
    st->bind(2, source);
    if (!st->step()) {
      WARD_RETURN_IF_ERROR(st->error("read sync run"));
      return std::optional<SyncRunRecord>();
    }
    return std::optional<SyncRunRecord>(readRun(st.operator->()));
  }

  Status writeRun(const SyncRunRecord& r) WARD_REQUIRES(mu_) {
    WARD_ASSIGN_OR_RETURN(
        StmtRef st,
        db_->prepare(
            "UPDATE sync_runs SET state=?,checkpoint=?,finished_at=?,listed=?,fetched=?,"
            "indexed=?,unchanged=?,failed=?,refused=?,held=?,widened=?,deleted=?,"
            "pages=?,resumed=?,exhausted=?,message=?,approval_id=?,requests=? WHERE id=?"));
    st->bind(1, syncRunStateName(r.state));
    st->bind(2, r.checkpoint);
    st->bind(3, r.finished_at);
    const int64_t counters[] = {r.listed, r.fetched, r.indexed, r.unchanged, r.failed, r.refused,
                                r.held,   r.widened, r.deleted, r.pages,     r.resumed};
    for (int i = 0; i < 11; ++i) st->bind(4 + i, counters[i]);
    st->bind(15, r.exhausted ? 1 : 0);
    st->bind(16, r.message);
    st->bind(17, r.approval_id);
    st->bind(18, r.requests);
    st->bind(19, r.id);
    WARD_RETURN_IF_ERROR(st->exec("update sync run"));
    if (db_->changes() == 0) return Status::notFound("sync run " + std::to_string(r.id));
    return Status();
  }

  Mutex mu_;
  std::unique_ptr<Database> db_ WARD_GUARDED_BY(mu_);
};

}  // namespace

std::string_view syncRunStateName(SyncRunState s) {
  switch (s) {
    case SyncRunState::kRunning:
      return "running";
    case SyncRunState::kCompleted:
      return "completed";
    case SyncRunState::kPartial:
      return "partial";
    case SyncRunState::kHeld:
      return "held";
    case SyncRunState::kFailed:
      return "failed";
  }
  return "failed";
}

std::optional<SyncRunState> parseSyncRunState(std::string_view s) {
  for (auto st : {SyncRunState::kRunning, SyncRunState::kCompleted, SyncRunState::kPartial,
                  SyncRunState::kHeld, SyncRunState::kFailed}) {
    if (syncRunStateName(st) == s) return st;
  }
  return std::nullopt;
}

Result<std::unique_ptr<SyncStore>> openSqliteSyncStore(const std::string& path) {
  {
    // Opening the main store applies every schema migration (the sync tables are step 7).
    WARD_ASSIGN_OR_RETURN(std::unique_ptr<Store> migrated, openSqliteStore(path));
  }
  WARD_ASSIGN_OR_RETURN(std::unique_ptr<Database> db, Database::open(path));
  auto store = std::make_unique<SqliteSyncStore>(std::move(db));
  WARD_RETURN_IF_ERROR(store->init());
  return std::unique_ptr<SyncStore>(std::move(store));
}

}  // namespace ward::store
