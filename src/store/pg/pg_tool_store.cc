// PostgreSQL implementation of ToolStore (ward/store/pg_store.h, openPgToolStore): the gateway's
// system of record shared by every node on one database. Each call borrows a pooled connection;
// every write is one transaction (PgPool::transaction retries serialization failures, deadlocks
// and, where two nodes insert one row together, unique violations). Cross-node exactly-once comes
// from single statements: an idempotency key is claimed by INSERT ... ON CONFLICT DO UPDATE ...
// WHERE expired, and approvals move by compare-and-set (pg_approvals.h). Prompt pins are in
// pg_prompt_pins.cc.
#include "pg_approvals.h"
#include "pg_idempotency.h"
#include "pg_pool.h"
#include "pg_prompt_pins.h"
#include "ward/common/clock.h"
#include "ward/store/pg_store.h"
#include "ward/store/tool_store.h"

namespace ward::store {

namespace {

using pg::jsonCell;
using pg::PgConn;
using pg::PgLease;
using pg::PgParams;
using pg::PgPool;
using pg::PgResult;

const std::string kToolColumns =
    "tenant,name,version,definition,canonical_hash,pinned_hash,deprecated,quarantined,"
    "pending_definition,pending_hash,created_at,updated_at";
const std::string kGrantColumns =
    "id,tenant,subject_kind,subject,tool,constraints,created_by,created_at";

ToolRecord readTool(const PgResult& r, int i) {
  ToolRecord t;
  t.tenant = r.text(i, 0);
  t.name = r.text(i, 1);
  t.version = r.text(i, 2);
  t.definition = jsonCell(r.text(i, 3));
  t.canonical_hash = r.text(i, 4);
  t.pinned_hash = r.text(i, 5);
  t.deprecated = r.boolean(i, 6);
  t.quarantined = r.boolean(i, 7);
  t.pending_definition = jsonCell(r.text(i, 8));
  t.pending_hash = r.text(i, 9);
  t.created_at = r.int64(i, 10);
  t.updated_at = r.int64(i, 11);
  return t;
}

// An unknown subject kind is Corruption (the row was not written by Ward).
Result<GrantRecord> readGrant(const PgResult& r, int i) {
  GrantRecord g;
  g.id = r.int64(i, 0);
  g.tenant = r.text(i, 1);
  auto kind = parseGrantSubjectKind(r.text(i, 2));
  if (!kind.ok()) {
    return Status::corruption("grant " + std::to_string(g.id) + ": " + kind.status().message());
  }
  g.subject_kind = *kind;
  g.subject = r.text(i, 3);
  g.tool = r.text(i, 4);
  g.constraints = jsonCell(r.text(i, 5));
  if (g.constraints.is_null()) g.constraints = Json::object();
  g.created_by = r.text(i, 6);
  g.created_at = r.int64(i, 7);
  return g;
}

// The generation every node's PolicyCache compares, moved inside the writer's transaction.
Status bumpGeneration(PgConn& db) {
  return db
      .query("bump tool generation",
             "UPDATE meta SET value=(value::bigint+1)::text WHERE key='tool_generation'")
      .status();
}

Result<ToolRecord> selectTool(PgConn& db, const std::string& tenant, const std::string& name,
                              const std::string& version, bool for_update) {
  WARD_ASSIGN_OR_RETURN(
      PgResult r,
      db.query("read tool",
               "SELECT " + kToolColumns + " FROM tools WHERE tenant=$1 AND name=$2 AND version=$3" +
                   (for_update ? " FOR UPDATE" : ""),
               PgParams().add(tenant).add(name).add(version)));
  if (r.rows() == 0) return Status::notFound("tool '" + name + "@" + version + "' not found");
  return readTool(r, 0);
}

Status insertTool(PgConn& db, const std::string& tenant, const ToolRecord& t) {
  return db
      .query("insert tool",
             "INSERT INTO tools(tenant,name,version,definition,canonical_hash,created_at,"
             "updated_at) VALUES($1,$2,$3,$4,$5,$6,$6)",
             PgParams()
                 .add(tenant)
                 .add(t.name)
                 .add(t.version)
                 .add(dumpJson(t.definition))
                 .add(t.canonical_hash)
                 .add(t.created_at))
      .status();
}

Status insertGrant(PgConn& db, const GrantRecord& g, int64_t* id) {
  WARD_ASSIGN_OR_RETURN(PgResult r,
                        db.query("insert grant",
                                 "INSERT INTO tool_grants(tenant,subject_kind,subject,tool,"
                                 "constraints,created_by,created_at) VALUES($1,$2,$3,$4,$5,$6,$7) "
                                 "RETURNING id",
                                 PgParams()
                                     .add(g.tenant)
                                     .add(toString(g.subject_kind))
                                     .add(g.subject)
                                     .add(g.tool)
                                     .add(dumpJson(g.constraints))
                                     .add(g.created_by)
                                     .add(g.created_at)));
  if (id != nullptr) *id = r.int64(0, 0);
  return Status();
}

Result<bool> exists(PgConn& db, const std::string& sql, const PgParams& params) {
  WARD_ASSIGN_OR_RETURN(PgResult r, db.query("provisioning lookup", sql, params));
  return r.rows() > 0;
}

class PgToolStore final : public ToolStore {
 public:
  explicit PgToolStore(std::unique_ptr<PgPool> pool) : pool_(std::move(pool)) {}

  // --- tools ---
  Result<ToolPutOutcome> putTool(const ToolRecord& tool, bool from_upstream) override {
    ToolPutOutcome outcome = ToolPutOutcome::kUnchanged;
    // Two nodes adding one new version race to a unique violation; the re-run finds the row.
    WARD_RETURN_IF_ERROR(pool_->transaction(
        [&](PgConn& db) -> Status {
          auto existing = selectTool(db, tool.tenant, tool.name, tool.version, true);
          if (!existing.ok()) {
            if (existing.status().code() != StatusCode::kNotFound) return existing.status();
            WARD_RETURN_IF_ERROR(insertTool(db, tool.tenant, tool));
            outcome = ToolPutOutcome::kCreated;
          } else if (existing->canonical_hash == tool.canonical_hash &&
                     dumpJson(existing->definition) == dumpJson(tool.definition)) {
            outcome = ToolPutOutcome::kUnchanged;
            return Status();
          } else if (!from_upstream) {
            return Status::alreadyExists("tool '" + tool.name + "@" + tool.version +
                                         "' already exists with a different definition; "
                                         "versions are immutable, publish a new version");
          } else {
            const bool pinned = !existing->pinned_hash.empty();
            WARD_RETURN_IF_ERROR(
                db.query(pinned ? "quarantine tool" : "replace tool",
                         pinned ? "UPDATE tools SET quarantined=true,pending_definition=$1,"
                                  "pending_hash=$2,updated_at=$3 WHERE tenant=$4 AND name=$5 "
                                  "AND version=$6"
                                : "UPDATE tools SET definition=$1,canonical_hash=$2,"
                                  "updated_at=$3 WHERE tenant=$4 AND name=$5 AND version=$6",
                         PgParams()
                             .add(dumpJson(tool.definition))
                             .add(tool.canonical_hash)
                             .add(tool.created_at)
                             .add(tool.tenant)
                             .add(tool.name)
                             .add(tool.version))
                    .status());
            outcome = pinned ? ToolPutOutcome::kQuarantined : ToolPutOutcome::kReplaced;
          }
          return bumpGeneration(db);
        },
        /*retry_unique=*/true));
    return outcome;
  }

  Result<ToolRecord> getTool(const std::string& tenant, const std::string& name,
                             const std::string& version) override {
    WARD_ASSIGN_OR_RETURN(PgLease db, pool_->acquire());
    return selectTool(*db, tenant, name, version, false);
  }

  Result<std::vector<ToolRecord>> listTools(const std::string& tenant,
                                            const std::string& name) override {
    WARD_ASSIGN_OR_RETURN(PgLease db, pool_->acquire());
    WARD_ASSIGN_OR_RETURN(PgResult r,
                          db->query("list tools",
                                    "SELECT " + kToolColumns +
                                        " FROM tools WHERE tenant=$1 AND ($2='' OR name=$2) "
                                        "ORDER BY name COLLATE \"C\", created_at",
                                    PgParams().add(tenant).add(name)));
    std::vector<ToolRecord> out;
    out.reserve(r.rows());
    for (int i = 0; i < r.rows(); ++i) out.push_back(readTool(r, i));
    if (!name.empty() && out.empty()) return Status::notFound("tool '" + name + "' not found");
    return out;
  }

  Status setDeprecated(const std::string& tenant, const std::string& name,
                       const std::string& version, bool deprecated) override {
    return updateTool(tenant, name, version, "deprecated=$4", PgParams().add(deprecated));
  }

  Status setPinned(const std::string& tenant, const std::string& name, const std::string& version,
                   bool pin) override {
    return updateTool(tenant, name, version,
                      "pinned_hash=CASE WHEN $4 THEN canonical_hash ELSE '' END",
                      PgParams().add(pin));
  }

  Status approveDefinition(const std::string& tenant, const std::string& name,
                           const std::string& version, int64_t now) override {
    return pool_->transaction([&](PgConn& db) -> Status {
      WARD_ASSIGN_OR_RETURN(ToolRecord t, selectTool(db, tenant, name, version, true));
      if (!t.quarantined) {
        return Status::failedPrecondition("tool '" + name + "@" + version +
                                          "' has no quarantined definition to approve");
      }
      WARD_RETURN_IF_ERROR(
          db.query("approve definition",
                   "UPDATE tools SET definition=pending_definition,canonical_hash=pending_hash,"
                   "pinned_hash=CASE WHEN pinned_hash='' THEN '' ELSE pending_hash END,"
                   "quarantined=false,pending_definition='',pending_hash='',updated_at=$1 "
                   "WHERE tenant=$2 AND name=$3 AND version=$4",
                   PgParams().add(now).add(tenant).add(name).add(version))
              .status());
      return bumpGeneration(db);
    });
  }

  Result<int64_t> generation() override {
    WARD_ASSIGN_OR_RETURN(PgLease db, pool_->acquire());
    WARD_ASSIGN_OR_RETURN(PgResult r,
                          db->query("read tool generation",
                                    "SELECT value::bigint FROM meta WHERE key='tool_generation'"));
    if (r.rows() == 0) return Status::corruption("meta 'tool_generation' missing");
    return r.int64(0, 0);
  }

  Result<bool> provisionOnce(const std::string& tenant, const std::string& what,
                             const std::vector<ToolRecord>& tools,
                             const std::vector<GrantRecord>& grants) override {
    bool done = false;
    Status s = pool_->transaction(
        [&](PgConn& db) -> Status {
          // The marker first: a second node provisioning together waits on it, then sees it.
          WARD_ASSIGN_OR_RETURN(PgResult mark,
                                db.query("mark provisioned",
                                         "INSERT INTO meta(key,value) VALUES($1,'1') "
                                         "ON CONFLICT (key) DO NOTHING",
                                         PgParams().add("provisioned/" + what + "/" + tenant)));
          done = mark.affected() == 1;
          if (!done) return Status();
          for (const ToolRecord& t : tools) {
            WARD_ASSIGN_OR_RETURN(bool have,
                                  exists(db, "SELECT 1 FROM tools WHERE tenant=$1 AND name=$2",
                                         PgParams().add(tenant).add(t.name)));
            if (!have) WARD_RETURN_IF_ERROR(insertTool(db, tenant, t));
          }
          for (GrantRecord g : grants) {
            WARD_ASSIGN_OR_RETURN(bool have, exists(db,
                                                    "SELECT 1 FROM tool_grants WHERE tenant=$1 "
                                                    "AND subject_kind=$2 AND subject=$3 AND "
                                                    "tool=$4",
                                                    PgParams()
                                                        .add(tenant)
                                                        .add(toString(g.subject_kind))
                                                        .add(g.subject)
                                                        .add(g.tool)));
            g.tenant = tenant;
            if (!have) WARD_RETURN_IF_ERROR(insertGrant(db, g, nullptr));
          }
          return bumpGeneration(db);
        },
        /*retry_unique=*/true);
    WARD_RETURN_IF_ERROR(s);
    return done;
  }

  // --- grants ---
  Result<GrantRecord> addGrant(const GrantRecord& grant) override {
    GrantRecord out = grant;
    WARD_RETURN_IF_ERROR(pool_->transaction([&](PgConn& db) -> Status {
      WARD_RETURN_IF_ERROR(insertGrant(db, grant, &out.id));
      return bumpGeneration(db);
    }));
    return out;
  }

  Result<std::vector<GrantRecord>> listGrants(const std::string& tenant) override {
    WARD_ASSIGN_OR_RETURN(PgLease db, pool_->acquire());
    WARD_ASSIGN_OR_RETURN(PgResult r, db->query("list grants",
                                                "SELECT " + kGrantColumns +
                                                    " FROM tool_grants WHERE tenant=$1 ORDER BY id",
                                                PgParams().add(tenant)));
    std::vector<GrantRecord> out;
    out.reserve(r.rows());
    for (int i = 0; i < r.rows(); ++i) {
      WARD_ASSIGN_OR_RETURN(GrantRecord g, readGrant(r, i));
      out.push_back(std::move(g));
    }
    return out;
  }

  Status deleteGrant(const std::string& tenant, int64_t id) override {
    return pool_->transaction([&](PgConn& db) -> Status {
      WARD_ASSIGN_OR_RETURN(
          PgResult r, db.query("delete grant", "DELETE FROM tool_grants WHERE tenant=$1 AND id=$2",
                               PgParams().add(tenant).add(id)));
      if (r.affected() == 0) return Status::notFound("grant " + std::to_string(id) + " not found");
      return bumpGeneration(db);
    });
  }

  // --- delegations ---
  Status addDelegation(const DelegationRecord& d) override {
    return pool_->transaction([&](PgConn& db) -> Status {
      WARD_ASSIGN_OR_RETURN(
          PgResult r, db.query("insert delegation",
                               "INSERT INTO tool_delegations(tenant,\"user\",agent,created_by,"
                               "created_at) VALUES($1,$2,$3,$4,$5) ON CONFLICT DO NOTHING",
                               PgParams()
                                   .add(d.tenant)
                                   .add(d.user)
                                   .add(d.agent)
                                   .add(d.created_by)
                                   .add(d.created_at)));
      if (r.affected() == 0) {
        return Status::alreadyExists("user '" + d.user + "' already delegates to agent '" +
                                     d.agent + "'");
      }
      return bumpGeneration(db);
    });
  }

  Result<std::vector<DelegationRecord>> listDelegations(const std::string& tenant) override {
    WARD_ASSIGN_OR_RETURN(PgLease db, pool_->acquire());
    WARD_ASSIGN_OR_RETURN(PgResult r,
                          db->query("list delegations",
                                    "SELECT tenant,\"user\",agent,created_by,created_at FROM "
                                    "tool_delegations WHERE tenant=$1 ORDER BY \"user\" COLLATE "
                                    "\"C\",agent COLLATE \"C\"",
                                    PgParams().add(tenant)));
    std::vector<DelegationRecord> out;
    out.reserve(r.rows());
    for (int i = 0; i < r.rows(); ++i) {
      out.push_back(
          DelegationRecord{r.text(i, 0), r.text(i, 1), r.text(i, 2), r.text(i, 3), r.int64(i, 4)});
    }
    return out;
  }

  Status deleteDelegation(const std::string& tenant, const std::string& user,
                          const std::string& agent) override {
    return pool_->transaction([&](PgConn& db) -> Status {
      WARD_ASSIGN_OR_RETURN(PgResult r, db.query("delete delegation",
                                                 "DELETE FROM tool_delegations WHERE tenant=$1 AND "
                                                 "\"user\"=$2 AND agent=$3",
                                                 PgParams().add(tenant).add(user).add(agent)));
      if (r.affected() == 0) {
        return Status::notFound("user '" + user + "' does not delegate to agent '" + agent + "'");
      }
      return bumpGeneration(db);
    });
  }

  // --- modes ---
  Status setMode(const ModeRecord& mode) override {
    return pool_->transaction([&](PgConn& db) -> Status {
      WARD_RETURN_IF_ERROR(
          db.query("set mode",
                   "INSERT INTO tool_modes(scope,tenant,subject,read_only,set_by,updated_at) "
                   "VALUES($1,$2,$3,$4,$5,$6) ON CONFLICT (scope,tenant,subject) DO UPDATE SET "
                   "read_only=excluded.read_only,set_by=excluded.set_by,"
                   "updated_at=excluded.updated_at",
                   PgParams()
                       .add(toString(mode.scope))
                       .add(mode.tenant)
                       .add(mode.subject)
                       .add(mode.read_only)
                       .add(mode.set_by)
                       .add(mode.updated_at))
              .status());
      return bumpGeneration(db);
    });
  }

  Result<std::vector<ModeRecord>> listModes(const std::string& tenant) override {
    WARD_ASSIGN_OR_RETURN(PgLease db, pool_->acquire());
    WARD_ASSIGN_OR_RETURN(PgResult r, db->query("list modes",
                                                "SELECT scope,tenant,subject,read_only,set_by,"
                                                "updated_at FROM tool_modes WHERE scope='server' "
                                                "OR tenant=$1 ORDER BY scope COLLATE \"C\","
                                                "subject COLLATE \"C\"",
                                                PgParams().add(tenant)));
    std::vector<ModeRecord> out;
    out.reserve(r.rows());
    for (int i = 0; i < r.rows(); ++i) {
      auto scope = parseModeScope(r.text(i, 0));
      if (!scope.ok()) return Status::corruption("tool mode: " + scope.status().message());
      out.push_back(ModeRecord{*scope, r.text(i, 1), r.text(i, 2), r.boolean(i, 3), r.text(i, 4),
                               r.int64(i, 5)});
    }
    return out;
  }

  // --- idempotency (pg_idempotency.cc) ---
  Result<IdempotencyRecord> claimIdempotencyKey(const IdempotencyRecord& rec, int64_t now,
                                                bool* inserted) override {
    WARD_ASSIGN_OR_RETURN(PgLease db, pool_->acquire());
    return pg::claimKey(*db, rec, now, inserted);
  }

  Result<IdempotencyRecord> getIdempotencyKey(const std::string& tenant,
                                              const std::string& principal,
                                              const std::string& key) override {
    WARD_ASSIGN_OR_RETURN(PgLease db, pool_->acquire());
    return pg::selectKey(*db, tenant, principal, key);
  }

  Status completeIdempotencyKey(const IdempotencyRecord& rec) override {
    WARD_ASSIGN_OR_RETURN(PgLease db, pool_->acquire());
    return pg::completeKey(*db, rec);
  }

  Status releaseIdempotencyKey(const std::string& tenant, const std::string& principal,
                               const std::string& key) override {
    WARD_ASSIGN_OR_RETURN(PgLease db, pool_->acquire());
    return pg::releaseKey(*db, tenant, principal, key);
  }

  // --- approvals (pg_approvals.cc) ---
  Status createApproval(const ApprovalRecord& a) override {
    WARD_ASSIGN_OR_RETURN(PgLease db, pool_->acquire());
    return pg::insertApproval(*db, a);
  }

  Result<ApprovalRecord> getApproval(const std::string& tenant, const std::string& id) override {
    WARD_ASSIGN_OR_RETURN(PgLease db, pool_->acquire());
    return pg::selectApproval(*db, tenant, id);
  }

  Result<std::vector<ApprovalRecord>> listApprovals(const std::string& tenant,
                                                    std::optional<ApprovalState> state,
                                                    int limit) override {
    WARD_ASSIGN_OR_RETURN(PgLease db, pool_->acquire());
    return pg::selectApprovals(*db, tenant, state, limit);
  }

  Result<ApprovalRecord> transitionApproval(const std::string& tenant, const std::string& id,
                                            ApprovalState from, const ApprovalRecord& to) override {
    WARD_ASSIGN_OR_RETURN(PgLease db, pool_->acquire());
    return pg::casApproval(*db, tenant, id, from, to);
  }

  Result<int64_t> expireApprovals(int64_t now) override {
    WARD_ASSIGN_OR_RETURN(PgLease db, pool_->acquire());
    return pg::expirePending(*db, now);
  }

  Result<std::vector<ApprovalRecord>> listApprovalsWithRawArgs() override {
    WARD_ASSIGN_OR_RETURN(PgLease db, pool_->acquire());
    return pg::selectRawArgApprovals(*db);
  }

  Status replaceRawApprovalArgs(const ApprovalRecord& approval) override {
    WARD_ASSIGN_OR_RETURN(PgLease db, pool_->acquire());
    return pg::replaceRawArgs(*db, approval);
  }

  // --- secrets (ciphertext only) ---
  Status putSecret(const std::string& tenant, const std::string& name,
                   const std::string& ciphertext) override {
    WARD_ASSIGN_OR_RETURN(PgLease db, pool_->acquire());
    return db
        ->query("store secret",
                "INSERT INTO tenant_secrets(tenant,name,ciphertext,updated_at) "
                "VALUES($1,$2,$3,$4) ON CONFLICT (tenant,name) DO UPDATE SET "
                "ciphertext=excluded.ciphertext,updated_at=excluded.updated_at",
                PgParams()
                    .add(tenant)
                    .add(name)
                    .add(ciphertext)
                    .add(SystemClock::instance().nowMicros()))
        .status();
  }

  Result<std::string> getSecret(const std::string& tenant, const std::string& name) override {
    WARD_ASSIGN_OR_RETURN(PgLease db, pool_->acquire());
    WARD_ASSIGN_OR_RETURN(PgResult r, db->query("read secret",
                                                "SELECT ciphertext FROM tenant_secrets WHERE "
                                                "tenant=$1 AND name=$2",
                                                PgParams().add(tenant).add(name)));
    if (r.rows() == 0) return Status::notFound("secret '" + name + "' not found");
    return r.text(0, 0);
  }

  Result<std::vector<std::string>> listSecretNames(const std::string& tenant) override {
    WARD_ASSIGN_OR_RETURN(PgLease db, pool_->acquire());
    WARD_ASSIGN_OR_RETURN(PgResult r, db->query("list secrets",
                                                "SELECT name FROM tenant_secrets WHERE tenant=$1 "
                                                "ORDER BY name COLLATE \"C\"",
                                                PgParams().add(tenant)));
    std::vector<std::string> out;
    out.reserve(r.rows());
    for (int i = 0; i < r.rows(); ++i) out.push_back(r.text(i, 0));
    return out;
  }

  Status deleteSecret(const std::string& tenant, const std::string& name) override {
    WARD_ASSIGN_OR_RETURN(PgLease db, pool_->acquire());
    WARD_ASSIGN_OR_RETURN(
        PgResult r,
        db->query("delete secret", "DELETE FROM tenant_secrets WHERE tenant=$1 AND name=$2",
                  PgParams().add(tenant).add(name)));
    if (r.affected() == 0) return Status::notFound("secret '" + name + "' not found");
    return Status();
  }

  // --- upstream prompt pins (pg_prompt_pins.cc) ---
  Result<std::vector<PromptPinRecord>> offerPromptDefinitions(
      const std::string& tenant, const std::string& upstream,
      const std::vector<PromptPinRecord>& offered, int64_t now) override {
    std::vector<PromptPinRecord> out;
    WARD_RETURN_IF_ERROR(pool_->transaction([&](PgConn& db) -> Status {
      WARD_ASSIGN_OR_RETURN(out, pg::offerPrompts(db, tenant, upstream, offered, now));
      return Status();
    }));
    return out;
  }

  Result<std::vector<PromptPinRecord>> listPromptPins(const std::string& tenant,
                                                      const std::string& upstream) override {
    WARD_ASSIGN_OR_RETURN(PgLease db, pool_->acquire());
    return pg::selectPromptPins(*db, tenant, upstream);
  }

  Status approvePromptDefinition(const std::string& tenant, const std::string& upstream,
                                 const std::string& prompt, const std::string& expected_hash,
                                 int64_t now) override {
    return pool_->transaction([&](PgConn& db) -> Status {
      return pg::approvePromptPin(db, tenant, upstream, prompt, expected_hash, now);
    });
  }

 private:
  // `set` uses $4 (its own parameter, appended after tenant, name and version).
  Status updateTool(const std::string& tenant, const std::string& name, const std::string& version,
                    const std::string& set, const PgParams& extra) {
    return pool_->transaction([&](PgConn& db) -> Status {
      PgParams params;
      params.add(tenant).add(name).add(version);
      for (const auto& v : extra.values()) {
        if (v) params.add(*v);
      }
      WARD_ASSIGN_OR_RETURN(PgResult r, db.query("update tool",
                                                 "UPDATE tools SET " + set +
                                                     " WHERE tenant=$1 AND name=$2 AND version=$3",
                                                 params));
      if (r.affected() == 0)
        return Status::notFound("tool '" + name + "@" + version + "' not found");
      return bumpGeneration(db);
    });
  }

  std::unique_ptr<PgPool> pool_;
};

}  // namespace

Result<std::unique_ptr<ToolStore>> openPgToolStore(const std::string& url) {
  {
    // Opening the Store applies every migration (the tool tables are step 2).
    WARD_ASSIGN_OR_RETURN(std::unique_ptr<Store> migrated, openPgStore(url));
  }
  WARD_ASSIGN_OR_RETURN(std::unique_ptr<PgPool> pool, PgPool::open(url));
  return std::unique_ptr<ToolStore>(std::make_unique<PgToolStore>(std::move(pool)));
}

}  // namespace ward::store
