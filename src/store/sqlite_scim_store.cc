// SQLite implementation of identity::ScimDirectory (scim_store.h, schema step 8 in
// scim_schema.h). Each write is one BEGIN IMMEDIATE transaction that also bumps
// meta.identity_generation, the counter every cache of resolved principals compares
// (identity/api_key_cache.h): a membership removed here is gone from the next request's groups.
#include <mutex>

#include "sqlite_db.h"
#include "ward/common/clock.h"
#include "ward/common/hash.h"
#include "ward/common/mutex.h"
#include "ward/identity/principal.h"
#include "ward/store/scim_store.h"
#include "ward/store/store.h"

namespace ward::store {

namespace {

using identity::ScimFilterAttribute;
using identity::ScimMember;
using identity::ScimMemberOp;
using identity::ScimResource;
using identity::ScimResourceType;

std::string typeText(ScimResourceType t) { return std::string(identity::scimResourceTypeName(t)); }

constexpr const char* kSelectResource =
    "SELECT s.principal_id,s.id,s.name,s.external_id,s.attributes,s.created_at,s.modified_at,"
    "p.name,p.disabled,s.tenant,s.type FROM scim_resources s JOIN principals p ON "
    "p.id=s.principal_id ";

ScimResource readResource(Statement* st) {
  ScimResource r;
  r.principal_id = st->int64(0);
  r.id = st->text(1);
  r.name = st->text(2);
  r.external_id = st->text(3);
  r.attributes = jsonColumn(st->text(4));
  if (!r.attributes.is_object()) r.attributes = Json::object();
  r.created_at = st->int64(5);
  r.modified_at = st->int64(6);
  r.principal = st->text(7);
  r.active = st->int64(8) == 0;
  r.tenant = st->text(9);
  r.type = st->text(10) == "Group" ? ScimResourceType::kGroup : ScimResourceType::kUser;
  return r;
}

class SqliteScimStore final : public identity::ScimDirectory {
 public:
  explicit SqliteScimStore(std::unique_ptr<Database> db) : db_(std::move(db)) {}

  Status init() {
    MutexLock lock(mu_);
    WARD_RETURN_IF_ERROR(db_->exec("PRAGMA journal_mode=WAL"));
    WARD_RETURN_IF_ERROR(db_->exec("PRAGMA synchronous=FULL"));
    return db_->exec("PRAGMA foreign_keys=ON");
  }

  Result<ScimResource> createResource(const ScimResource& in,
                                      const std::vector<ScimMemberOp>& members) override {
    WARD_RETURN_IF_ERROR(identity::validateName("principal", in.principal));
    MutexLock lock(mu_);
    Transaction tx(*db_);
    WARD_RETURN_IF_ERROR(tx.begin());
    WARD_RETURN_IF_ERROR(checkNameFree(in, /*self=*/0));
    const int64_t now = SystemClock::instance().nowMicros();
    const auto kind = in.type == ScimResourceType::kGroup ? identity::PrincipalKind::kGroup
                                                          : identity::PrincipalKind::kUser;
    WARD_ASSIGN_OR_RETURN(StmtRef find,
                          db_->prepare("SELECT p.id,p.kind,s.deleted,s.type FROM principals p "
                                       "LEFT JOIN scim_resources s ON s.principal_id=p.id "
                                       "WHERE p.tenant=? AND p.name=?"));
    find->bind(1, in.tenant);
    find->bind(2, in.principal);
    int64_t principal_id = 0;
    if (find->step()) {
      // Taken over only when it was a SCIM resource of the same type that has been deleted.
      const bool ours = find->text(3) == typeText(in.type) && find->int64(2) == 1 &&
                        find->text(1) == identity::principalKindName(kind);
      if (!ours) {
        return Status::alreadyExists("principal '" + in.principal +
                                     "' already exists in Ward (not provisioned by SCIM)");
      }
      principal_id = find->int64(0);
    }
    WARD_RETURN_IF_ERROR(find->error("find principal"));
    if (principal_id == 0) {
      WARD_ASSIGN_OR_RETURN(
          StmtRef t, db_->prepare("INSERT OR IGNORE INTO tenants(name,created_at) VALUES(?,?)"));
      t->bind(1, in.tenant);
      t->bind(2, now);
      WARD_RETURN_IF_ERROR(t->exec("create tenant"));
      WARD_ASSIGN_OR_RETURN(StmtRef p, db_->prepare("INSERT INTO principals(tenant,name,kind,admin,"
                                                    "created_at,disabled) VALUES(?,?,?,0,?,?)"));
      p->bind(1, in.tenant);
      p->bind(2, in.principal);
      p->bind(3, identity::principalKindName(kind));
      p->bind(4, now);
      p->bind(5, in.active ? 0 : 1);
      WARD_RETURN_IF_ERROR(p->exec("create principal"));
      principal_id = db_->lastInsertId();
    } else {
      WARD_RETURN_IF_ERROR(setDisabled(principal_id, !in.active));
    }
    WARD_ASSIGN_OR_RETURN(
        StmtRef row,
        db_->prepare("INSERT OR REPLACE INTO scim_resources(principal_id,tenant,type,id,name,"
                     "external_id,attributes,created_at,modified_at,deleted) "
                     "VALUES(?,?,?,?,?,?,?,?,?,0)"));
    const std::string id = randomHex(16);
    row->bind(1, principal_id);
    row->bind(2, in.tenant);
    row->bind(3, typeText(in.type));
    row->bind(4, id);
    row->bind(5, in.name);
    row->bind(6, in.external_id);
    row->bind(7, dumpJson(in.attributes));
    row->bind(8, now);
    row->bind(9, now);
    WARD_RETURN_IF_ERROR(row->exec("create SCIM resource"));
    WARD_RETURN_IF_ERROR(applyMembers(in.tenant, principal_id, members));
    WARD_RETURN_IF_ERROR(bumpIdentityGeneration());
    WARD_ASSIGN_OR_RETURN(ScimResource out, selectResource(in.tenant, in.type, id));
    WARD_RETURN_IF_ERROR(tx.commit());
    return out;
  }

  Result<ScimResource> getResource(const std::string& tenant, ScimResourceType type,
                                   const std::string& id) override {
    MutexLock lock(mu_);
    return selectResource(tenant, type, id);
  }

  Result<identity::ScimPage> listResources(const identity::ScimListQuery& q) override {
    std::string where = "WHERE s.tenant=? AND s.type=? AND s.deleted=0";
    if (q.attribute) {
      switch (*q.attribute) {
        case ScimFilterAttribute::kId:
          where += " AND s.id=?";
          break;
        case ScimFilterAttribute::kExternalId:
          where += " AND s.external_id=?";
          break;
        case ScimFilterAttribute::kUserName:
        case ScimFilterAttribute::kDisplayName:
          where += " AND s.name=? COLLATE NOCASE";
          break;
      }
    }
    MutexLock lock(mu_);
    identity::ScimPage page;
    {
      WARD_ASSIGN_OR_RETURN(StmtRef count,
                            db_->prepare("SELECT COUNT(*) FROM scim_resources s " + where));
      count->bind(1, q.tenant);
      count->bind(2, typeText(q.type));
      if (q.attribute) count->bind(3, q.value);
      if (!count->step()) return count->error("count SCIM resources");
      page.total = count->int64(0);
    }
    WARD_ASSIGN_OR_RETURN(StmtRef st,
                          db_->prepare(std::string(kSelectResource) + where +
                                       " ORDER BY s.created_at, s.principal_id LIMIT ? OFFSET ?"));
    int i = 1;
    st->bind(i++, q.tenant);
    st->bind(i++, typeText(q.type));
    if (q.attribute) st->bind(i++, q.value);
    st->bind(i++, q.limit);
    st->bind(i++, q.offset);
    while (st->step()) page.resources.push_back(readResource(st.operator->()));
    WARD_RETURN_IF_ERROR(st->error("list SCIM resources"));
    return page;
  }

  Result<ScimResource> updateResource(const ScimResource& in,
                                      const std::vector<ScimMemberOp>& members) override {
    MutexLock lock(mu_);
    Transaction tx(*db_);
    WARD_RETURN_IF_ERROR(tx.begin());
    WARD_ASSIGN_OR_RETURN(ScimResource current, selectResource(in.tenant, in.type, in.id));
    WARD_RETURN_IF_ERROR(checkNameFree(in, current.principal_id));
    WARD_ASSIGN_OR_RETURN(StmtRef st,
                          db_->prepare("UPDATE scim_resources SET name=?,external_id=?,"
                                       "attributes=?,modified_at=? WHERE principal_id=?"));
    st->bind(1, in.name);
    st->bind(2, in.external_id);
    st->bind(3, dumpJson(in.attributes));
    st->bind(4, SystemClock::instance().nowMicros());
    st->bind(5, current.principal_id);
    WARD_RETURN_IF_ERROR(st->exec("update SCIM resource"));
    if (in.type == ScimResourceType::kUser) {
      WARD_RETURN_IF_ERROR(setDisabled(current.principal_id, !in.active));
    }
    WARD_RETURN_IF_ERROR(applyMembers(in.tenant, current.principal_id, members));
    WARD_RETURN_IF_ERROR(bumpIdentityGeneration());
    WARD_ASSIGN_OR_RETURN(ScimResource out, selectResource(in.tenant, in.type, in.id));
    WARD_RETURN_IF_ERROR(tx.commit());
    return out;
  }

  Result<std::vector<ScimMember>> groupMembers(const std::string& tenant,
                                               const std::string& group_id) override {
    MutexLock lock(mu_);
    WARD_ASSIGN_OR_RETURN(
        StmtRef st,
        db_->prepare("SELECT m2.id,m2.type,m2.name FROM scim_resources g "
                     "JOIN memberships m ON m.group_id=g.principal_id "
                     "JOIN scim_resources m2 ON m2.principal_id=m.member_id AND m2.deleted=0 "
                     "WHERE g.tenant=? AND g.id=? AND g.type='Group' AND g.deleted=0 "
                     "ORDER BY m2.name, m2.id"));
    st->bind(1, tenant);
    st->bind(2, group_id);
    std::vector<ScimMember> out;
    while (st->step()) {
      out.push_back({st->text(0),
                     st->text(1) == "Group" ? ScimResourceType::kGroup : ScimResourceType::kUser,
                     st->text(2)});
    }
    WARD_RETURN_IF_ERROR(st->error("read group members"));
    return out;
  }

  Status deleteResource(const std::string& tenant, ScimResourceType type,
                        const std::string& id) override {
    MutexLock lock(mu_);
    Transaction tx(*db_);
    WARD_RETURN_IF_ERROR(tx.begin());
    WARD_ASSIGN_OR_RETURN(ScimResource current, selectResource(tenant, type, id));
    WARD_ASSIGN_OR_RETURN(StmtRef drop,
                          db_->prepare("DELETE FROM memberships WHERE member_id=? OR group_id=?"));
    drop->bind(1, current.principal_id);
    drop->bind(2, current.principal_id);
    WARD_RETURN_IF_ERROR(drop->exec("drop memberships"));
    WARD_ASSIGN_OR_RETURN(StmtRef mark,
                          db_->prepare("UPDATE scim_resources SET deleted=1,modified_at=? "
                                       "WHERE principal_id=?"));
    mark->bind(1, SystemClock::instance().nowMicros());
    mark->bind(2, current.principal_id);
    WARD_RETURN_IF_ERROR(mark->exec("delete SCIM resource"));
    if (type == ScimResourceType::kUser) {
      WARD_RETURN_IF_ERROR(setDisabled(current.principal_id, true));
      // A deleted user's keys stay revoked even if the name is provisioned again.
      WARD_ASSIGN_OR_RETURN(StmtRef keys,
                            db_->prepare("UPDATE api_keys SET revoked=1 WHERE principal_id=?"));
      keys->bind(1, current.principal_id);
      WARD_RETURN_IF_ERROR(keys->exec("revoke API keys"));
    }
    WARD_RETURN_IF_ERROR(bumpIdentityGeneration());
    return tx.commit();
  }

 private:
  // Callers hold mu_.
  Result<ScimResource> selectResource(const std::string& tenant, ScimResourceType type,
                                      const std::string& id) WARD_REQUIRES(mu_) {
    WARD_ASSIGN_OR_RETURN(StmtRef st,
                          db_->prepare(std::string(kSelectResource) +
                                       "WHERE s.tenant=? AND s.type=? AND s.id=? AND s.deleted=0"));
    st->bind(1, tenant);
    st->bind(2, typeText(type));
    st->bind(3, id);
    if (!st->step()) {
      WARD_RETURN_IF_ERROR(st->error("read SCIM resource"));
      return Status::notFound(typeText(type) + " '" + id + "' not found");
    }
    return readResource(st.operator->());
  }

  // userName / displayName unique among the tenant's live resources of the type (no case).
  Status checkNameFree(const ScimResource& r, int64_t self) WARD_REQUIRES(mu_) {
    WARD_ASSIGN_OR_RETURN(StmtRef st,
                          db_->prepare("SELECT 1 FROM scim_resources WHERE tenant=? AND type=? AND "
                                       "deleted=0 AND name=? COLLATE NOCASE AND principal_id<>?"));
    st->bind(1, r.tenant);
    st->bind(2, typeText(r.type));
    st->bind(3, r.name);
    st->bind(4, self);
    if (st->step()) {
      return Status::alreadyExists(
          std::string(r.type == ScimResourceType::kUser ? "userName" : "displayName") + " '" +
          r.name + "' is already taken");
    }
    return st->error("check SCIM name");
  }

  Status setDisabled(int64_t principal_id, bool disabled) WARD_REQUIRES(mu_) {
    WARD_ASSIGN_OR_RETURN(StmtRef st, db_->prepare("UPDATE principals SET disabled=? WHERE id=?"));
    st->bind(1, disabled ? 1 : 0);
    st->bind(2, principal_id);
    return st->exec("set principal disabled");
  }

  // The principal of a live SCIM resource of the tenant; 0 when there is none.
  Result<int64_t> memberPrincipal(const std::string& tenant, const std::string& id)
      WARD_REQUIRES(mu_) {
    WARD_ASSIGN_OR_RETURN(StmtRef st,
                          db_->prepare("SELECT principal_id FROM scim_resources WHERE tenant=? "
                                       "AND id=? AND deleted=0"));
    st->bind(1, tenant);
    st->bind(2, id);
    if (st->step()) return st->int64(0);
    WARD_RETURN_IF_ERROR(st->error("find member"));
    return int64_t{0};
  }

  Status applyMembers(const std::string& tenant, int64_t group,
                      const std::vector<ScimMemberOp>& ops) WARD_REQUIRES(mu_) {
    for (const ScimMemberOp& op : ops) {
      if (op.kind == ScimMemberOp::Kind::kReplaceAll) {
        // Only SCIM's own members are replaced; memberships Ward admins made stay.
        WARD_ASSIGN_OR_RETURN(
            StmtRef clear,
            db_->prepare("DELETE FROM memberships WHERE group_id=? AND member_id IN "
                         "(SELECT principal_id FROM scim_resources WHERE tenant=?)"));
        clear->bind(1, group);
        clear->bind(2, tenant);
        WARD_RETURN_IF_ERROR(clear->exec("clear members"));
      }
      for (const std::string& id : op.ids) {
        WARD_ASSIGN_OR_RETURN(int64_t member, memberPrincipal(tenant, id));
        const bool add = op.kind != ScimMemberOp::Kind::kRemove;
        if (member == 0) {
          if (!add) continue;  // removing a member that is already gone changes nothing
          return Status::invalidArgument("member '" + id +
                                         "' is not a User or Group of this tenant");
        }
        if (member == group) return Status::invalidArgument("a group cannot be a member of itself");
        WARD_ASSIGN_OR_RETURN(
            StmtRef st,
            db_->prepare(add ? "INSERT OR IGNORE INTO memberships(member_id,group_id) VALUES(?,?)"
                             : "DELETE FROM memberships WHERE member_id=? AND group_id=?"));
        st->bind(1, member);
        st->bind(2, group);
        WARD_RETURN_IF_ERROR(st->exec("change membership"));
      }
    }
    return Status();
  }

  Status bumpIdentityGeneration() WARD_REQUIRES(mu_) {
    return db_->exec(
        "UPDATE meta SET value = CAST(CAST(value AS INTEGER) + 1 AS TEXT) "
        "WHERE key='identity_generation'");
  }

  Mutex mu_;
  std::unique_ptr<Database> db_ WARD_GUARDED_BY(mu_);
};

}  // namespace

Result<std::unique_ptr<identity::ScimDirectory>> openSqliteScimStore(const std::string& path) {
  {
    // Opening the main store applies every schema migration (the SCIM table is step 8).
    WARD_ASSIGN_OR_RETURN(std::unique_ptr<Store> migrated, openSqliteStore(path));
  }
  WARD_ASSIGN_OR_RETURN(std::unique_ptr<Database> db, Database::open(path));
  auto store = std::make_unique<SqliteScimStore>(std::move(db));
  WARD_RETURN_IF_ERROR(store->init());
  return std::unique_ptr<identity::ScimDirectory>(std::move(store));
}

}  // namespace ward::store
