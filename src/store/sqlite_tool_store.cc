// SQLite implementation of ToolStore: its own connection to ward.db (WAL), one mutex, every write
// in a BEGIN IMMEDIATE transaction so concurrent processes serialize on SQLite's lock.
#include <mutex>

#include "sqlite_db.h"
#include "sqlite_provisioning.h"
#include "sqlite_approvals.h"
#include "sqlite_delegations.h"
#include "sqlite_prompt_pins.h"
#include "sqlite_secrets.h"
#include "ward/common/clock.h"
#include "ward/common/mutex.h"
#include "ward/store/store.h"
#include "ward/store/tool_store.h"

namespace ward::store {

namespace {

constexpr const char* kToolColumns =
    "tenant,name,version,definition,canonical_hash,pinned_hash,deprecated,quarantined,"
    "pending_definition,pending_hash,created_at,updated_at";
constexpr const char* kIdemColumns =
    "tenant,principal,key,tool,args_hash,state,response,approval_id,created_at,expires_at";

ToolRecord readTool(Statement* st) {
  ToolRecord t;
  t.tenant = st->text(0);
  t.name = st->text(1);
  t.version = st->text(2);
  t.definition = jsonColumn(st->text(3));
  t.canonical_hash = st->text(4);
  t.pinned_hash = st->text(5);
  t.deprecated = st->int64(6) != 0;
  t.quarantined = st->int64(7) != 0;
  t.pending_definition = jsonColumn(st->text(8));
  t.pending_hash = st->text(9);
  t.created_at = st->int64(10);
  t.updated_at = st->int64(11);
  return t;
}

IdempotencyRecord readIdem(Statement* st) {
  IdempotencyRecord r;
  r.tenant = st->text(0);
  r.principal = st->text(1);
  r.key = st->text(2);
  r.tool = st->text(3);
  r.args_hash = st->text(4);
  r.state = st->text(5);
  r.response = jsonColumn(st->text(6));
  r.approval_id = st->text(7);
  r.created_at = st->int64(8);
  r.expires_at = st->int64(9);
  return r;
}

// An unknown subject kind is Corruption (the row was not written by Ward).
Result<GrantRecord> readGrant(Statement* st) {
  GrantRecord g;
  g.id = st->int64(0);
  g.tenant = st->text(1);
  auto kind = parseGrantSubjectKind(st->text(2));
  if (!kind.ok())
    return Status::corruption("grant " + std::to_string(g.id) + ": " + kind.status().message());
  g.subject_kind = *kind;
  g.subject = st->text(3);
  g.tool = st->text(4);
  g.constraints = jsonColumn(st->text(5));
  if (g.constraints.is_null()) g.constraints = Json::object();
  g.created_by = st->text(6);
  g.created_at = st->int64(7);
  return g;
}

class SqliteToolStore final : public ToolStore {
 public:
  explicit SqliteToolStore(std::unique_ptr<Database> db) : db_(std::move(db)) {}

  Status init() {
    MutexLock lock(mu_);
    WARD_RETURN_IF_ERROR(db_->exec("PRAGMA journal_mode=WAL"));
    WARD_RETURN_IF_ERROR(db_->exec("PRAGMA synchronous=FULL"));
    return db_->exec("PRAGMA secure_delete=ON");
  }

  // --- tools ---
  Result<ToolPutOutcome> putTool(const ToolRecord& tool, bool from_upstream) override {
    MutexLock lock(mu_);
    Transaction tx(*db_);
    WARD_RETURN_IF_ERROR(tx.begin());
    auto existing = getToolLocked(tool.tenant, tool.name, tool.version);
    ToolPutOutcome outcome;
    if (!existing.ok()) {
      if (existing.status().code() != StatusCode::kNotFound) return existing.status();
      WARD_ASSIGN_OR_RETURN(
          StmtRef st, db_->prepare("INSERT INTO tools(tenant,name,version,definition,"
                                   "canonical_hash,created_at,updated_at) VALUES(?,?,?,?,?,?,?)"));
      st->bind(1, tool.tenant);
      st->bind(2, tool.name);
      st->bind(3, tool.version);
      st->bind(4, dumpJson(tool.definition));
      st->bind(5, tool.canonical_hash);
      st->bind(6, tool.created_at);
      st->bind(7, tool.created_at);
      WARD_RETURN_IF_ERROR(st->exec("insert tool"));
      outcome = ToolPutOutcome::kCreated;
    } else if (existing->canonical_hash == tool.canonical_hash &&
               dumpJson(existing->definition) == dumpJson(tool.definition)) {
      return ToolPutOutcome::kUnchanged;  // rolled back: nothing to write
    } else if (!from_upstream) {
      return Status::alreadyExists("tool '" + tool.name + "@" + tool.version +
                                   "' already exists with a different definition; versions are "
                                   "immutable, publish a new version");
    } else if (!existing->pinned_hash.empty()) {
      WARD_ASSIGN_OR_RETURN(
          StmtRef st, db_->prepare("UPDATE tools SET quarantined=1,pending_definition=?,"
                                   "pending_hash=?,updated_at=? WHERE tenant=? AND name=? AND "
                                   "version=?"));
      st->bind(1, dumpJson(tool.definition));
      st->bind(2, tool.canonical_hash);
      st->bind(3, tool.created_at);
      st->bind(4, tool.tenant);
      st->bind(5, tool.name);
      st->bind(6, tool.version);
      WARD_RETURN_IF_ERROR(st->exec("quarantine tool"));
      outcome = ToolPutOutcome::kQuarantined;
    } else {
      WARD_ASSIGN_OR_RETURN(
          StmtRef st, db_->prepare("UPDATE tools SET definition=?,canonical_hash=?,updated_at=? "
                                   "WHERE tenant=? AND name=? AND version=?"));
      st->bind(1, dumpJson(tool.definition));
      st->bind(2, tool.canonical_hash);
      st->bind(3, tool.created_at);
      st->bind(4, tool.tenant);
      st->bind(5, tool.name);
      st->bind(6, tool.version);
      WARD_RETURN_IF_ERROR(st->exec("replace tool"));
      outcome = ToolPutOutcome::kReplaced;
    }
    WARD_RETURN_IF_ERROR(bumpGeneration());
    WARD_RETURN_IF_ERROR(tx.commit());
    return outcome;
  }

  Result<ToolRecord> getTool(const std::string& tenant, const std::string& name,
                             const std::string& version) override {
    MutexLock lock(mu_);
    return getToolLocked(tenant, name, version);
  }

  Result<std::vector<ToolRecord>> listTools(const std::string& tenant,
                                            const std::string& name) override {
    MutexLock lock(mu_);
    std::string sql = std::string("SELECT ") + kToolColumns + " FROM tools WHERE tenant=?" +
                      (name.empty() ? "" : " AND name=?") + " ORDER BY name, created_at";
    WARD_ASSIGN_OR_RETURN(StmtRef st, db_->prepare(sql));
    st->bind(1, tenant);
    if (!name.empty()) st->bind(2, name);
    std::vector<ToolRecord> out;
    while (st->step()) out.push_back(readTool(st.operator->()));
    WARD_RETURN_IF_ERROR(st->error("list tools"));
    if (!name.empty() && out.empty()) return Status::notFound("tool '" + name + "' not found");
    return out;
  }

  Status setDeprecated(const std::string& tenant, const std::string& name,
                       const std::string& version, bool deprecated) override {
    return updateTool(tenant, name, version, "deprecated=" + std::string(deprecated ? "1" : "0"));
  }

  Status setPinned(const std::string& tenant, const std::string& name, const std::string& version,
                   bool pin) override {
    return updateTool(tenant, name, version, pin ? "pinned_hash=canonical_hash" : "pinned_hash=''");
  }

  Status approveDefinition(const std::string& tenant, const std::string& name,
                           const std::string& version, int64_t now) override {
    MutexLock lock(mu_);
    Transaction tx(*db_);
    WARD_RETURN_IF_ERROR(tx.begin());
    WARD_ASSIGN_OR_RETURN(ToolRecord t, getToolLocked(tenant, name, version));
    if (!t.quarantined) {
      return Status::failedPrecondition("tool '" + name + "@" + version +
                                        "' has no quarantined definition to approve");
    }
    WARD_ASSIGN_OR_RETURN(
        StmtRef st,
        db_->prepare("UPDATE tools SET definition=pending_definition,canonical_hash=pending_hash,"
                     "pinned_hash=CASE WHEN pinned_hash='' THEN '' ELSE pending_hash END,"
                     "quarantined=0,pending_definition='',pending_hash='',updated_at=? "
                     "WHERE tenant=? AND name=? AND version=?"));
    st->bind(1, now);
    st->bind(2, tenant);
    st->bind(3, name);
    st->bind(4, version);
    WARD_RETURN_IF_ERROR(st->exec("approve definition"));
    WARD_RETURN_IF_ERROR(bumpGeneration());
    return tx.commit();
  }

  Result<int64_t> generation() override {
    MutexLock lock(mu_);
    WARD_ASSIGN_OR_RETURN(StmtRef st,
                          db_->prepare("SELECT value FROM meta WHERE key='tool_generation'"));
    if (!st->step()) {
      WARD_RETURN_IF_ERROR(st->error("read tool generation"));
      return int64_t{0};
    }
    return static_cast<int64_t>(std::stoll(st->text(0)));
  }

  Result<bool> provisionOnce(const std::string& tenant, const std::string& what,
                             const std::vector<ToolRecord>& tools,
                             const std::vector<GrantRecord>& grants) override {
    MutexLock lock(mu_);
    Transaction tx(*db_);
    WARD_RETURN_IF_ERROR(tx.begin());
    WARD_ASSIGN_OR_RETURN(bool done, provisionTenant(*db_, tenant, what, tools, grants));
    if (done) WARD_RETURN_IF_ERROR(bumpGeneration());
    WARD_RETURN_IF_ERROR(tx.commit());
    return done;
  }

  // --- grants ---
  Result<GrantRecord> addGrant(const GrantRecord& grant) override {
    MutexLock lock(mu_);
    Transaction tx(*db_);
    WARD_RETURN_IF_ERROR(tx.begin());
    WARD_ASSIGN_OR_RETURN(StmtRef st,
                          db_->prepare("INSERT INTO tool_grants(tenant,subject_kind,subject,tool,"
                                       "constraints,created_by,created_at) VALUES(?,?,?,?,?,?,?)"));
    st->bind(1, grant.tenant);
    st->bind(2, toString(grant.subject_kind));
    st->bind(3, grant.subject);
    st->bind(4, grant.tool);
    st->bind(5, dumpJson(grant.constraints));
    st->bind(6, grant.created_by);
    st->bind(7, grant.created_at);
    WARD_RETURN_IF_ERROR(st->exec("insert grant"));
    GrantRecord out = grant;
    out.id = db_->lastInsertId();
    WARD_RETURN_IF_ERROR(bumpGeneration());
    WARD_RETURN_IF_ERROR(tx.commit());
    return out;
  }

  Result<std::vector<GrantRecord>> listGrants(const std::string& tenant) override {
    MutexLock lock(mu_);
    WARD_ASSIGN_OR_RETURN(StmtRef st,
                          db_->prepare("SELECT id,tenant,subject_kind,subject,tool,constraints,"
                                       "created_by,created_at FROM tool_grants WHERE tenant=? "
                                       "ORDER BY id"));
    st->bind(1, tenant);
    std::vector<GrantRecord> out;
    while (st->step()) {
      WARD_ASSIGN_OR_RETURN(GrantRecord g, readGrant(st.operator->()));
      out.push_back(std::move(g));
    }
    WARD_RETURN_IF_ERROR(st->error("list grants"));
    return out;
  }

  Status deleteGrant(const std::string& tenant, int64_t id) override {
    MutexLock lock(mu_);
    Transaction tx(*db_);
    WARD_RETURN_IF_ERROR(tx.begin());
    WARD_ASSIGN_OR_RETURN(StmtRef st,
                          db_->prepare("DELETE FROM tool_grants WHERE tenant=? AND id=?"));
    st->bind(1, tenant);
    st->bind(2, id);
    WARD_RETURN_IF_ERROR(st->exec("delete grant"));
    if (db_->changes() == 0) return Status::notFound("grant " + std::to_string(id) + " not found");
    WARD_RETURN_IF_ERROR(bumpGeneration());
    return tx.commit();
  }

  // --- delegations (sqlite_delegations.cc) ---
  Status addDelegation(const DelegationRecord& d) override {
    MutexLock lock(mu_);
    return inGenerationTx([&]() WARD_REQUIRES(mu_) { return insertDelegation(*db_, d); });
  }
  Result<std::vector<DelegationRecord>> listDelegations(const std::string& tenant) override {
    MutexLock lock(mu_);
    return selectDelegations(*db_, tenant);
  }
  Status deleteDelegation(const std::string& tenant, const std::string& user,
                          const std::string& agent) override {
    MutexLock lock(mu_);
    return inGenerationTx(
        [&]() WARD_REQUIRES(mu_) { return removeDelegation(*db_, tenant, user, agent); });
  }

  // --- modes ---
  Status setMode(const ModeRecord& mode) override {
    MutexLock lock(mu_);
    Transaction tx(*db_);
    WARD_RETURN_IF_ERROR(tx.begin());
    WARD_ASSIGN_OR_RETURN(
        StmtRef st, db_->prepare("INSERT INTO tool_modes(scope,tenant,subject,read_only,set_by,"
                                 "updated_at) VALUES(?,?,?,?,?,?) ON CONFLICT(scope,tenant,"
                                 "subject) DO UPDATE SET read_only=excluded.read_only,"
                                 "set_by=excluded.set_by,updated_at=excluded.updated_at"));
    st->bind(1, toString(mode.scope));
    st->bind(2, mode.tenant);
    st->bind(3, mode.subject);
    st->bind(4, mode.read_only ? 1 : 0);
    st->bind(5, mode.set_by);
    st->bind(6, mode.updated_at);
    WARD_RETURN_IF_ERROR(st->exec("set mode"));
    WARD_RETURN_IF_ERROR(bumpGeneration());
    return tx.commit();
  }

  Result<std::vector<ModeRecord>> listModes(const std::string& tenant) override {
    MutexLock lock(mu_);
    WARD_ASSIGN_OR_RETURN(StmtRef st,
                          db_->prepare("SELECT scope,tenant,subject,read_only,set_by,updated_at "
                                       "FROM tool_modes WHERE scope='server' OR tenant=? "
                                       "ORDER BY scope,subject"));
    st->bind(1, tenant);
    std::vector<ModeRecord> out;
    while (st->step()) {
      auto scope = parseModeScope(st->text(0));
      if (!scope.ok()) return Status::corruption("tool mode: " + scope.status().message());
      out.push_back(ModeRecord{*scope, st->text(1), st->text(2), st->int64(3) != 0, st->text(4),
                               st->int64(5)});
    }
    WARD_RETURN_IF_ERROR(st->error("list modes"));
    return out;
  }

  // --- idempotency ---
  Result<IdempotencyRecord> claimIdempotencyKey(const IdempotencyRecord& rec, int64_t now,
                                                bool* inserted) override {
    MutexLock lock(mu_);
    Transaction tx(*db_);
    WARD_RETURN_IF_ERROR(tx.begin());
    auto existing = getIdemLocked(rec.tenant, rec.principal, rec.key);
    if (existing.ok() && existing->expires_at > now) {
      *inserted = false;
      return existing;
    }
    if (!existing.ok() && existing.status().code() != StatusCode::kNotFound) {
      return existing.status();
    }
    WARD_ASSIGN_OR_RETURN(
        StmtRef st, db_->prepare("INSERT OR REPLACE INTO idempotency_keys(tenant,principal,key,"
                                 "tool,args_hash,state,response,approval_id,created_at,expires_at)"
                                 " VALUES(?,?,?,?,?,'in_progress','','',?,?)"));
    st->bind(1, rec.tenant);
    st->bind(2, rec.principal);
    st->bind(3, rec.key);
    st->bind(4, rec.tool);
    st->bind(5, rec.args_hash);
    st->bind(6, rec.created_at);
    st->bind(7, rec.expires_at);
    WARD_RETURN_IF_ERROR(st->exec("claim idempotency key"));
    WARD_RETURN_IF_ERROR(tx.commit());
    *inserted = true;
    IdempotencyRecord out = rec;
    out.state = "in_progress";
    return out;
  }

  Result<IdempotencyRecord> getIdempotencyKey(const std::string& tenant,
                                              const std::string& principal,
                                              const std::string& key) override {
    MutexLock lock(mu_);
    return getIdemLocked(tenant, principal, key);
  }

  Status completeIdempotencyKey(const IdempotencyRecord& rec) override {
    MutexLock lock(mu_);
    Transaction tx(*db_);
    WARD_RETURN_IF_ERROR(tx.begin());
    WARD_ASSIGN_OR_RETURN(StmtRef st,
                          db_->prepare("UPDATE idempotency_keys SET state='done',response=?,"
                                       "approval_id=? WHERE tenant=? AND principal=? AND key=?"));
    st->bind(1, dumpJson(rec.response));
    st->bind(2, rec.approval_id);
    st->bind(3, rec.tenant);
    st->bind(4, rec.principal);
    st->bind(5, rec.key);
    WARD_RETURN_IF_ERROR(st->exec("complete idempotency key"));
    return tx.commit();
  }

  Status releaseIdempotencyKey(const std::string& tenant, const std::string& principal,
                               const std::string& key) override {
    MutexLock lock(mu_);
    Transaction tx(*db_);
    WARD_RETURN_IF_ERROR(tx.begin());
    WARD_ASSIGN_OR_RETURN(StmtRef st,
                          db_->prepare("DELETE FROM idempotency_keys WHERE tenant=? AND "
                                       "principal=? AND key=? AND state='in_progress'"));
    st->bind(1, tenant);
    st->bind(2, principal);
    st->bind(3, key);
    WARD_RETURN_IF_ERROR(st->exec("release idempotency key"));
    return tx.commit();
  }

  // --- approvals (sqlite_approvals.cc) ---
  Status createApproval(const ApprovalRecord& a) override {
    MutexLock lock(mu_);
    return inTx([&]() WARD_REQUIRES(mu_) { return insertApproval(*db_, a); });
  }

  Result<ApprovalRecord> getApproval(const std::string& tenant, const std::string& id) override {
    MutexLock lock(mu_);
    return selectApproval(*db_, tenant, id);
  }

  Result<std::vector<ApprovalRecord>> listApprovals(const std::string& tenant,
                                                    std::optional<ApprovalState> state,
                                                    int limit) override {
    MutexLock lock(mu_);
    return selectApprovals(*db_, tenant, state, limit);
  }

  Result<ApprovalRecord> transitionApproval(const std::string& tenant, const std::string& id,
                                            ApprovalState from, const ApprovalRecord& to) override {
    MutexLock lock(mu_);
    Transaction tx(*db_);
    WARD_RETURN_IF_ERROR(tx.begin());
    WARD_ASSIGN_OR_RETURN(ApprovalRecord updated, updateApproval(*db_, tenant, id, from, to));
    WARD_RETURN_IF_ERROR(tx.commit());
    return updated;
  }

  Result<std::vector<ApprovalRecord>> listApprovalsWithRawArgs() override {
    MutexLock lock(mu_);
    return selectRawArgApprovals(*db_);
  }

  Status replaceRawApprovalArgs(const ApprovalRecord& approval) override {
    MutexLock lock(mu_);
    return inTx([&]() WARD_REQUIRES(mu_) { return store::replaceRawApprovalArgs(*db_, approval); });
  }

  Result<int64_t> expireApprovals(int64_t now) override {
    MutexLock lock(mu_);
    Transaction tx(*db_);
    WARD_RETURN_IF_ERROR(tx.begin());
    WARD_ASSIGN_OR_RETURN(int64_t n, expirePendingApprovals(*db_, now));
    WARD_RETURN_IF_ERROR(tx.commit());
    return n;
  }

  // --- secrets (sqlite_secrets.cc) ---
  Status putSecret(const std::string& tenant, const std::string& name,
                   const std::string& ciphertext) override {
    MutexLock lock(mu_);
    return putSecretRow(*db_, tenant, name, ciphertext, SystemClock::instance().nowMicros());
  }

  Result<std::string> getSecret(const std::string& tenant, const std::string& name) override {
    MutexLock lock(mu_);
    return secret_rows_.get(*db_, tenant, name);
  }

  Result<std::vector<std::string>> listSecretNames(const std::string& tenant) override {
    MutexLock lock(mu_);
    return selectSecretNames(*db_, tenant);
  }

  Status deleteSecret(const std::string& tenant, const std::string& name) override {
    MutexLock lock(mu_);
    return deleteSecretRow(*db_, tenant, name);
  }

  // --- upstream prompt pins (sqlite_prompt_pins.cc) ---
  Result<std::vector<PromptPinRecord>> offerPromptDefinitions(
      const std::string& tenant, const std::string& upstream,
      const std::vector<PromptPinRecord>& offered, int64_t now) override {
    MutexLock lock(mu_);
    Transaction tx(*db_);  // one decision about "first import", even across processes
    WARD_RETURN_IF_ERROR(tx.begin());
    WARD_ASSIGN_OR_RETURN(auto out, offerPrompts(*db_, tenant, upstream, offered, now));
    WARD_RETURN_IF_ERROR(tx.commit());
    return out;
  }
  Result<std::vector<PromptPinRecord>> listPromptPins(const std::string& tenant,
                                                      const std::string& upstream) override {
    MutexLock lock(mu_);
    return selectPromptPins(*db_, tenant, upstream);
  }
  Status approvePromptDefinition(const std::string& tenant, const std::string& upstream,
                                 const std::string& prompt, const std::string& expected_hash,
                                 int64_t now) override {
    MutexLock lock(mu_);
    Transaction tx(*db_);
    WARD_RETURN_IF_ERROR(tx.begin());
    WARD_RETURN_IF_ERROR(approvePromptPin(*db_, tenant, upstream, prompt, expected_hash, now));
    return tx.commit();
  }

 private:
  Result<ToolRecord> getToolLocked(const std::string& tenant, const std::string& name,
                                   const std::string& version) WARD_REQUIRES(mu_) {
    WARD_ASSIGN_OR_RETURN(StmtRef st,
                          db_->prepare(std::string("SELECT ") + kToolColumns +
                                       " FROM tools WHERE tenant=? AND name=? AND version=?"));
    st->bind(1, tenant);
    st->bind(2, name);
    st->bind(3, version);
    if (!st->step()) {
      WARD_RETURN_IF_ERROR(st->error("read tool"));
      return Status::notFound("tool '" + name + "@" + version + "' not found");
    }
    return readTool(st.operator->());
  }

  Result<IdempotencyRecord> getIdemLocked(const std::string& tenant, const std::string& principal,
                                          const std::string& key) WARD_REQUIRES(mu_) {
    WARD_ASSIGN_OR_RETURN(
        StmtRef st,
        db_->prepare(std::string("SELECT ") + kIdemColumns +
                     " FROM idempotency_keys WHERE tenant=? AND principal=? AND key=?"));
    st->bind(1, tenant);
    st->bind(2, principal);
    st->bind(3, key);
    if (!st->step()) {
      WARD_RETURN_IF_ERROR(st->error("read idempotency key"));
      return Status::notFound("idempotency key not found");
    }
    return readIdem(st.operator->());
  }

  Status updateTool(const std::string& tenant, const std::string& name, const std::string& version,
                    const std::string& set) {
    MutexLock lock(mu_);
    Transaction tx(*db_);
    WARD_RETURN_IF_ERROR(tx.begin());
    WARD_ASSIGN_OR_RETURN(StmtRef st, db_->prepare("UPDATE tools SET " + set +
                                                   " WHERE tenant=? AND name=? AND version=?"));
    st->bind(1, tenant);
    st->bind(2, name);
    st->bind(3, version);
    WARD_RETURN_IF_ERROR(st->exec("update tool"));
    if (db_->changes() == 0) {
      return Status::notFound("tool '" + name + "@" + version + "' not found");
    }
    WARD_RETURN_IF_ERROR(bumpGeneration());
    return tx.commit();
  }

  // Runs `change` in one transaction (bumping the generation with it). Caller holds mu_.
  template <typename Fn>
  Status inTx(Fn change, bool bump_generation = false) WARD_REQUIRES(mu_) {
    Transaction tx(*db_);
    WARD_RETURN_IF_ERROR(tx.begin());
    WARD_RETURN_IF_ERROR(change());
    if (bump_generation) WARD_RETURN_IF_ERROR(bumpGeneration());
    return tx.commit();
  }
  template <typename Fn>
  Status inGenerationTx(Fn change) WARD_REQUIRES(mu_) {
    return inTx(change, true);
  }

  Status bumpGeneration() WARD_REQUIRES(mu_) {
    return db_->exec("UPDATE meta SET value=CAST(value AS INTEGER)+1 WHERE key='tool_generation'");
  }

  Mutex mu_;
  std::unique_ptr<Database> db_ WARD_GUARDED_BY(mu_);
  SecretRows secret_rows_ WARD_GUARDED_BY(mu_);  // getSecret's rows, behind db_'s ChangeStamp
};

}  // namespace

Result<std::unique_ptr<ToolStore>> openSqliteToolStore(const std::string& path) {
  {
    // Opening the main store applies every schema migration (the tool tables are step 2).
    WARD_ASSIGN_OR_RETURN(std::unique_ptr<Store> migrated, openSqliteStore(path));
  }
  WARD_ASSIGN_OR_RETURN(std::unique_ptr<Database> db, Database::open(path));
  auto store = std::make_unique<SqliteToolStore>(std::move(db));
  WARD_RETURN_IF_ERROR(store->init());
  return std::unique_ptr<ToolStore>(std::move(store));
}

}  // namespace ward::store
