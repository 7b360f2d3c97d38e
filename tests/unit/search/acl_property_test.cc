// The key ACL property: searching the whole corpus as principal P gives exactly what a separate
// data directory holding only P's readable documents gives -- same documents, order, scores,
// snippets and totals. So hidden documents neither appear nor leak through ranking statistics.
// Random corpora, groups, ACLs and queries; then membership, ACL and deletion changes are applied
// and the property is checked again without reingesting. The same holds for an agent, alone or
// acting for a user: its reference corpus holds only what the user may read AND the agent's
// document scope (sources, groups, tags) covers -- the intersection, and nothing else.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <optional>
#include <random>
#include <set>
#include <sstream>

#include "testutil/test_env.h"
#include "ward/identity/directory.h"

namespace ward {
namespace {

using testing::TempDir;
using testing::WardInstance;

constexpr int kSeeds = 30;

const std::vector<std::string>& vocabulary() {
  static const std::vector<std::string> kWords = {
      "robot",    "timeout",  "invoice",  "contract",  "notice",   "termination", "payment",
      "server",   "cluster",  "shard",    "cache",     "latency",  "budget",      "quarter",
      "roadmap",  "platform", "customer", "refund",    "shipping", "warehouse",   "pallet",
      "forklift", "battery",  "charger",  "sensor",    "camera",   "lidar",       "motor",
      "gearbox",  "firmware", "update",   "release",   "rollback", "incident",    "outage",
      "pager",    "alert",    "metric",   "dashboard", "query",    "index",       "segment",
      "merge",    "compact",  "vacuum",   "backup",    "restore",  "snapshot",    "replica",
      "leader",   "follower", "election", "quorum",    "ledger",   "audit",       "policy",
      "salary",   "bonus",    "hiring",   "zephyr"};
  return kWords;
}

struct DocModel {
  std::string id;
  std::string title;
  std::string text;
  std::string source;  // "wiki" or "code"
  std::string team;    // metadata "team": "t0".."t2", what tag scope entries match
  store::Acl acl;
  bool deleted = false;
};

// An agent's document scope in the test's own model.
struct ScopeModel {
  std::set<std::string> sources, groups, tags;  // tags as "team=tN"

  bool covers(const DocModel& d) const {
    if (sources.count(d.source) || tags.count("team=" + d.team)) return true;
    return std::any_of(d.acl.groups.begin(), d.acl.groups.end(),
                       [&](const std::string& g) { return groups.count(g) > 0; });
  }
};

// The test's own model of principals and documents, independent of the code under test.
struct World {
  std::vector<std::string> groups;
  std::vector<std::string> users;
  std::map<std::string, std::set<std::string>> member_of;  // member -> direct groups
  std::vector<DocModel> docs;

  std::set<std::string> closure(const std::string& who) const {
    std::set<std::string> out;
    std::vector<std::string> todo{who};
    while (!todo.empty()) {
      std::string m = todo.back();
      todo.pop_back();
      auto it = member_of.find(m);
      if (it == member_of.end()) continue;
      for (const auto& g : it->second) {
        if (out.insert(g).second) todo.push_back(g);
      }
    }
    return out;
  }

  bool canRead(const std::string& user, const store::Acl& acl) const {
    if (acl.is_public) return true;
    if (std::find(acl.users.begin(), acl.users.end(), user) != acl.users.end()) return true;
    std::set<std::string> gs = closure(user);
    return std::any_of(acl.groups.begin(), acl.groups.end(),
                       [&](const std::string& g) { return gs.count(g) > 0; });
  }
};

Json aclJson(const store::Acl& acl) {
  return Json{{"users", acl.users}, {"groups", acl.groups}, {"public", acl.is_public}};
}

Json recordJson(const DocModel& d, const store::Acl& acl) {
  Json r{{"id", d.id},
         {"text", d.text},
         {"acl", aclJson(acl)},
         {"source", d.source},
         {"metadata", {{"team", d.team}}}};
  if (!d.title.empty()) r["title"] = d.title;
  return r;
}

std::string randomText(std::mt19937& rng, int words) {
  const auto& v = vocabulary();
  std::uniform_int_distribution<size_t> pick(0, v.size() - 1);
  std::string out;
  for (int i = 0; i < words; ++i) {
    if (i) out += (rng() % 11 == 0) ? ". " : " ";
    std::string w = v[pick(rng)];
    // Inflected forms exercise stemming on both sides; identifiers exercise exact matching.
    if (rng() % 7 == 0) w += "s";
    if (rng() % 40 == 0) w = "INV-2024-00" + std::to_string(rng() % 5);
    out += w;
  }
  return out;
}

World randomWorld(std::mt19937& rng) {
  World w;
  int n_groups = 3 + static_cast<int>(rng() % 4);
  for (int g = 0; g < n_groups; ++g) {
    w.groups.push_back("g" + std::to_string(g));
    // Nesting: a group may join an earlier group (a DAG, several levels deep).
    if (g > 0 && rng() % 2 == 0)
      w.member_of[w.groups.back()].insert("g" + std::to_string(rng() % g));
  }
  int n_users = 3 + static_cast<int>(rng() % 4);
  for (int u = 0; u < n_users; ++u) {
    std::string name = "u" + std::to_string(u);
    w.users.push_back(name);
    int memberships = static_cast<int>(rng() % 3);
    for (int i = 0; i < memberships; ++i)
      w.member_of[name].insert(w.groups[rng() % w.groups.size()]);
  }
  int n_docs = 40 + static_cast<int>(rng() % 81);
  for (int i = 0; i < n_docs; ++i) {
    DocModel d;
    d.id = "doc-" + std::to_string(i);
    if (rng() % 3 == 0) d.title = randomText(rng, 1 + static_cast<int>(rng() % 4));
    // Mostly short texts; a few long enough to be split into several chunks.
    int len =
        (rng() % 12 == 0) ? 600 + static_cast<int>(rng() % 600) : 3 + static_cast<int>(rng() % 80);
    d.text = randomText(rng, len);
    d.source = rng() % 2 ? "wiki" : "code";
    d.team = "t" + std::to_string(rng() % 3);
    int kind = static_cast<int>(rng() % 10);
    if (kind < 2) {
      d.acl.is_public = true;
    } else if (kind == 2) {
      // no users, no groups, not public: admins only
    } else {
      if (rng() % 2) d.acl.users.push_back(w.users[rng() % w.users.size()]);
      if (rng() % 3) d.acl.groups.push_back(w.groups[rng() % w.groups.size()]);
      if (rng() % 4 == 0) d.acl.groups.push_back(w.groups[rng() % w.groups.size()]);
    }
    std::sort(d.acl.users.begin(), d.acl.users.end());
    d.acl.users.erase(std::unique(d.acl.users.begin(), d.acl.users.end()), d.acl.users.end());
    std::sort(d.acl.groups.begin(), d.acl.groups.end());
    d.acl.groups.erase(std::unique(d.acl.groups.begin(), d.acl.groups.end()), d.acl.groups.end());
    w.docs.push_back(std::move(d));
  }
  return w;
}

std::string randomQuery(std::mt19937& rng, const World& w) {
  // A quoted phrase lifted from a document, so that phrases actually match sometimes.
  if (rng() % 4 == 0) {
    const DocModel& d = w.docs[rng() % w.docs.size()];
    std::istringstream in(d.text);
    std::vector<std::string> words;
    for (std::string s; in >> s;) words.push_back(s);
    if (words.size() >= 3) {
      size_t n = 2 + rng() % 2;
      size_t at = rng() % (words.size() - n + 1);
      std::string phrase;
      for (size_t i = 0; i < n; ++i) phrase += (i ? " " : "") + words[at + i];
      std::string q = "\"" + phrase + "\"";
      if (rng() % 2) q += " " + vocabulary()[rng() % vocabulary().size()];
      return q;
    }
  }
  if (rng() % 10 == 0) return "INV-2024-00" + std::to_string(rng() % 5);
  int n = 1 + static_cast<int>(rng() % 4);
  std::string q;
  for (int i = 0; i < n; ++i) {
    if (i) q += " ";
    q += vocabulary()[rng() % vocabulary().size()];
    if (rng() % 6 == 0) q += "s";
  }
  return q;
}

// Loads the principals of `w` into a store.
void loadPrincipals(store::Store& s, const World& w) {
  for (const auto& g : w.groups) {
    ASSERT_TRUE(s.createPrincipal("default", g, identity::PrincipalKind::kGroup, false).ok());
  }
  for (const auto& u : w.users) {
    ASSERT_TRUE(s.createPrincipal("default", u, identity::PrincipalKind::kUser, false).ok());
  }
  for (const auto& [member, groups] : w.member_of) {
    for (const auto& g : groups) ASSERT_TRUE(s.addMembership("default", member, g).ok());
  }
}

void loadDocs(WardInstance& ward, const World& w) {
  Json records = Json::array();
  for (const auto& d : w.docs) records.push_back(recordJson(d, d.acl));
  auto r = ward.ingestRecords(records);
  ASSERT_TRUE(r.ok()) << r.status().toString();
  ASSERT_EQ(r->created, static_cast<int64_t>(w.docs.size()));
}

bool sameScore(double a, double b) {
  return a == b || std::fabs(a - b) <= 1e-9 * std::max(std::fabs(a), std::fabs(b));
}

// Who searches: a user (or agent) alone, or `agent` acting for `user`. `scope` is the agent's
// document scope (for an agent alone too); unset for a user alone.
struct Reader {
  std::string user;
  std::string agent;                // "" = nobody acts for `user`
  std::optional<ScopeModel> scope;  // set whenever an agent reads

  bool mayRead(const World& w, const DocModel& d) const {
    return w.canRead(user, d.acl) && (!scope || scope->covers(d));
  }
  std::string describe() const {
    return agent.empty() ? "user=" + user : "agent=" + agent + " for user=" + user;
  }
};

Result<search::SearchResponse> searchAsReader(WardInstance& ward, const Reader& r,
                                              const search::SearchRequest& req) {
  if (r.agent.empty()) return ward.searchAs(r.user, req);
  WARD_ASSIGN_OR_RETURN(identity::Principal user,
                        identity::resolvePrincipal(*ward.store, ward.tenant, r.user));
  WARD_ASSIGN_OR_RETURN(identity::Principal agent,
                        identity::resolvePrincipal(*ward.store, ward.tenant, r.agent));
  WARD_ASSIGN_OR_RETURN(identity::Principal reader,
                        identity::resolveActingFor(*ward.store, user, agent));
  return ward.search->search(reader, req, trace::TraceContext::generate());
}

// Builds a reference data dir holding only what `reader` may read (as public documents, in the
// same relative order) and compares every query's response with the full corpus's.
void checkAgainstReference(WardInstance& full, const World& w, const Reader& reader,
                           const std::vector<std::string>& queries, std::mt19937& rng,
                           const std::string& context) {
  const std::string& user = reader.user;
  TempDir ref_dir;
  auto ref = WardInstance::open(ref_dir.path());
  ASSERT_TRUE(
      ref->store->createPrincipal("default", user, identity::PrincipalKind::kUser, false).ok());
  std::set<std::string> readable;
  Json records = Json::array();
  for (const auto& d : w.docs) {
    if (d.deleted || !reader.mayRead(w, d)) continue;
    readable.insert(d.id);
    store::Acl pub;
    pub.is_public = true;
    records.push_back(recordJson(d, pub));
  }
  if (!records.empty()) {
    ASSERT_TRUE(ref->ingestRecords(records).ok());
  }

  for (const auto& q : queries) {
    search::SearchRequest req;
    req.query = q;
    req.k = 1 + static_cast<int>(rng() % 20);
    SCOPED_TRACE(context + " " + reader.describe() + " query=[" + q +
                 "] k=" + std::to_string(req.k));
    auto got = searchAsReader(full, reader, req);
    auto want = ref->searchAs(user, req);
    ASSERT_EQ(got.ok(), want.ok()) << got.status().toString() << " vs " << want.status().toString();
    if (!got.ok()) continue;
    for (const auto& h : got->hits) {
      EXPECT_TRUE(readable.count(h.doc_id)) << "unreadable document leaked: " << h.doc_id;
    }
    EXPECT_EQ(got->total_matches, want->total_matches);
    ASSERT_EQ(got->hits.size(), want->hits.size());
    for (size_t i = 0; i < got->hits.size(); ++i) {
      const auto& a = got->hits[i];
      const auto& b = want->hits[i];
      EXPECT_EQ(a.doc_id, b.doc_id) << "rank " << i;
      EXPECT_EQ(a.ordinal, b.ordinal) << "rank " << i;
      EXPECT_TRUE(sameScore(a.score, b.score))
          << "rank " << i << ": " << a.score << " vs " << b.score;
      EXPECT_EQ(a.snippet, b.snippet) << "rank " << i;
      EXPECT_EQ(a.title, b.title) << "rank " << i;
    }
  }
}

class AclPropertyTest : public ::testing::TestWithParam<int> {};

TEST_P(AclPropertyTest, FullCorpusEqualsReadableOnlyCorpus) {
  std::mt19937 rng(static_cast<uint32_t>(GetParam()) * 7919u + 17u);
  World w = randomWorld(rng);
  TempDir dir;
  auto full = WardInstance::open(dir.path());
  loadPrincipals(*full->store, w);
  loadDocs(*full, w);

  std::vector<std::string> queries;
  for (int i = 0; i < 12; ++i) queries.push_back(randomQuery(rng, w));
  std::vector<std::string> principals = {w.users[rng() % w.users.size()],
                                         w.users[rng() % w.users.size()]};
  for (const auto& p : principals) {
    checkAgainstReference(*full, w, Reader{p, "", std::nullopt}, queries, rng, "initial");
  }
  const std::string p = principals[0];
  const Reader alone{p, "", std::nullopt};

  // Membership change: P joins a group it is not in (or leaves one it is in).
  {
    std::string g = w.groups[rng() % w.groups.size()];
    if (w.member_of[p].count(g)) {
      ASSERT_TRUE(full->store->removeMembership("default", p, g).ok());
      w.member_of[p].erase(g);
    } else {
      ASSERT_TRUE(full->store->addMembership("default", p, g).ok());
      w.member_of[p].insert(g);
    }
    checkAgainstReference(*full, w, alone, queries, rng, "after membership change of " + g);
  }
  // Nested membership change: a group P belongs to leaves / joins another group.
  {
    std::string child = w.groups[rng() % w.groups.size()];
    std::string parent = w.groups[rng() % w.groups.size()];
    if (child != parent && !w.closure(parent).count(child)) {
      if (w.member_of[child].count(parent)) {
        ASSERT_TRUE(full->store->removeMembership("default", child, parent).ok());
        w.member_of[child].erase(parent);
      } else {
        ASSERT_TRUE(full->store->addMembership("default", child, parent).ok());
        w.member_of[child].insert(parent);
      }
      checkAgainstReference(*full, w, alone, queries, rng,
                            "after nesting " + child + "->" + parent);
    }
  }
  // ACL changes on a few documents, applied through the store and the change feed.
  for (int i = 0; i < 4; ++i) {
    DocModel& d = w.docs[rng() % w.docs.size()];
    store::Acl acl;
    switch (rng() % 4) {
      case 0:
        acl.is_public = true;
        break;
      case 1:
        acl.users = {p};
        break;
      case 2:
        acl.groups = {w.groups[rng() % w.groups.size()]};
        break;
      default:
        break;  // admins only
    }
    ASSERT_TRUE(full->store->setAcl("default", d.id, acl).ok());
    d.acl = acl;
  }
  ASSERT_TRUE(full->index->catchUp().ok());
  checkAgainstReference(*full, w, alone, queries, rng, "after ACL changes");

  // Deletions.
  for (int i = 0; i < 3; ++i) {
    DocModel& d = w.docs[rng() % w.docs.size()];
    if (d.deleted) continue;
    ASSERT_TRUE(
        full->ingest->removeDocument("default", d.id, trace::TraceContext::generate(), "test")
            .ok());
    d.deleted = true;
  }
  checkAgainstReference(*full, w, alone, queries, rng, "after deletions");
}

INSTANTIATE_TEST_SUITE_P(Seeds, AclPropertyTest, ::testing::Range(0, kSeeds));

// A random document scope over the world's sources, groups and tags (possibly empty).
ScopeModel randomScope(std::mt19937& rng, const World& w) {
  ScopeModel m;
  if (rng() % 4 == 0) m.sources.insert(rng() % 2 ? "wiki" : "code");
  for (const auto& g : w.groups) {
    if (rng() % 3 == 0) m.groups.insert(g);
  }
  if (rng() % 3 == 0) m.tags.insert("team=t" + std::to_string(rng() % 3));
  return m;
}

void storeScope(store::Store& s, const std::string& agent, const ScopeModel& m) {
  using identity::ScopeKind;
  for (const auto& v : m.sources) {
    ASSERT_TRUE(s.addScopeEntry("default", agent, {ScopeKind::kSource, v}, "test").ok());
  }
  for (const auto& v : m.groups) {
    ASSERT_TRUE(s.addScopeEntry("default", agent, {ScopeKind::kGroup, v}, "test").ok());
  }
  for (const auto& v : m.tags) {
    ASSERT_TRUE(s.addScopeEntry("default", agent, {ScopeKind::kTag, v}, "test").ok());
  }
}

class AgentAclPropertyTest : public ::testing::TestWithParam<int> {};

// An agent acting for a user reads exactly the intersection: the full corpus searched by the pair
// equals a corpus of only the documents both may read; before and after scope and membership
// changes. An agent without a scope reads nothing, alone or for a user.
TEST_P(AgentAclPropertyTest, AgentForUserEqualsIntersectionOnlyCorpus) {
  std::mt19937 rng(static_cast<uint32_t>(GetParam()) * 104729u + 3u);
  World w = randomWorld(rng);
  TempDir dir;
  auto full = WardInstance::open(dir.path());
  loadPrincipals(*full->store, w);
  ASSERT_TRUE(
      full->store->createPrincipal("default", "bot", identity::PrincipalKind::kAgent, false).ok());
  loadDocs(*full, w);
  std::vector<std::string> queries;
  for (int i = 0; i < 10; ++i) queries.push_back(randomQuery(rng, w));
  const std::string user = w.users[rng() % w.users.size()];

  // No scope yet: nothing, for the user or alone.
  ScopeModel scope;
  checkAgainstReference(*full, w, Reader{user, "bot", scope}, queries, rng, "empty scope");
  checkAgainstReference(*full, w, Reader{"bot", "", scope}, queries, rng, "empty scope, alone");

  scope = randomScope(rng, w);
  storeScope(*full->store, "bot", scope);
  checkAgainstReference(*full, w, Reader{user, "bot", scope}, queries, rng, "random scope");
  // Alone, the agent reads what its own ACL tokens allow (public documents) inside its scope.
  checkAgainstReference(*full, w, Reader{"bot", "", scope}, queries, rng, "random scope, alone");
  const std::string other = w.users[rng() % w.users.size()];
  checkAgainstReference(*full, w, Reader{other, "bot", scope}, queries, rng, "other user");

  // Widening the scope by a group and narrowing it by a source take effect on the next query.
  const std::string g = w.groups[rng() % w.groups.size()];
  if (!scope.groups.count(g)) {
    ASSERT_TRUE(
        full->store->addScopeEntry("default", "bot", {identity::ScopeKind::kGroup, g}, "t").ok());
    scope.groups.insert(g);
  }
  for (const auto& src : std::set<std::string>(scope.sources)) {
    ASSERT_TRUE(
        full->store->removeScopeEntry("default", "bot", {identity::ScopeKind::kSource, src}).ok());
    scope.sources.erase(src);
  }
  checkAgainstReference(*full, w, Reader{user, "bot", scope}, queries, rng, "after scope change");

  // The user's own membership change still applies under the agent's scope.
  const std::string g2 = w.groups[rng() % w.groups.size()];
  if (w.member_of[user].count(g2)) {
    ASSERT_TRUE(full->store->removeMembership("default", user, g2).ok());
    w.member_of[user].erase(g2);
  } else {
    ASSERT_TRUE(full->store->addMembership("default", user, g2).ok());
    w.member_of[user].insert(g2);
  }
  checkAgainstReference(*full, w, Reader{user, "bot", scope}, queries, rng,
                        "after membership change of " + g2);
}

// Fewer seeds than the user property: each builds several reference corpora.
INSTANTIATE_TEST_SUITE_P(Seeds, AgentAclPropertyTest, ::testing::Range(0, kSeeds / 3));

// --- targeted checks of the same property's moving parts ---

class AclDynamicsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ward_ = WardInstance::open(dir_.path());
    auto& s = *ward_->store;
    ASSERT_TRUE(s.createPrincipal("default", "eng", identity::PrincipalKind::kGroup, false).ok());
    ASSERT_TRUE(
        s.createPrincipal("default", "platform", identity::PrincipalKind::kGroup, false).ok());
    ASSERT_TRUE(s.createPrincipal("default", "alice", identity::PrincipalKind::kUser, false).ok());
    ASSERT_TRUE(s.createPrincipal("default", "bob", identity::PrincipalKind::kUser, false).ok());
    ASSERT_TRUE(s.addMembership("default", "platform", "eng").ok());
    Json records = Json::array({
        {{"id", "secret"},
         {"text", "the zephyr launch codes are kept here"},
         {"acl", {{"groups", {"eng"}}}}},
        {{"id", "open"}, {"text", "zephyr public announcement"}, {"acl", {{"public", true}}}},
        {{"id", "mine"}, {"text", "zephyr notes for bob only"}, {"acl", {{"users", {"bob"}}}}},
        {{"id", "admins"}, {"text", "zephyr admin only material"}},
    });
    ASSERT_TRUE(ward_->ingestRecords(records).ok());
  }

  std::vector<std::string> ids(const std::string& who, const std::string& q) {
    auto r = ward_->searchAs(who, q, 50);
    EXPECT_TRUE(r.ok()) << r.status().toString();
    std::vector<std::string> out;
    if (r.ok()) {
      for (const auto& h : r->hits) out.push_back(h.doc_id);
    }
    std::sort(out.begin(), out.end());
    return out;
  }

  TempDir dir_;
  std::unique_ptr<WardInstance> ward_;
};

TEST_F(AclDynamicsTest, NestedMembershipChangeTakesEffectOnNextQuery) {
  EXPECT_EQ(ids("alice", "zephyr"), std::vector<std::string>{"open"});
  ASSERT_TRUE(ward_->store->addMembership("default", "alice", "platform").ok());
  EXPECT_EQ(ids("alice", "zephyr"), (std::vector<std::string>{"open", "secret"}));
  ASSERT_TRUE(ward_->store->removeMembership("default", "platform", "eng").ok());
  EXPECT_EQ(ids("alice", "zephyr"), std::vector<std::string>{"open"});
}

TEST_F(AclDynamicsTest, AclChangeTakesEffectAfterCatchUpWithoutReingest) {
  int64_t seq_before = ward_->store->lastChangeSeq().value();
  EXPECT_EQ(ids("bob", "zephyr"), (std::vector<std::string>{"mine", "open"}));
  store::Acl acl;
  acl.users = {"alice"};
  ASSERT_TRUE(ward_->store->setAcl("default", "mine", acl).ok());
  ASSERT_TRUE(ward_->index->catchUp().ok());
  EXPECT_EQ(ids("bob", "zephyr"), std::vector<std::string>{"open"});
  EXPECT_EQ(ids("alice", "zephyr"), (std::vector<std::string>{"mine", "open"}));
  auto doc = ward_->store->getDocument("default", "mine");
  ASSERT_TRUE(doc.ok());
  EXPECT_EQ(doc->version, 1);
  EXPECT_EQ(ward_->store->lastChangeSeq().value(), seq_before + 1);
}

TEST_F(AclDynamicsTest, AdminSeesAdminOnlyDocumentsOthersDoNot) {
  ASSERT_TRUE(
      ward_->store->createPrincipal("default", "root", identity::PrincipalKind::kUser, true).ok());
  EXPECT_EQ(ids("root", "zephyr"), (std::vector<std::string>{"admins", "mine", "open", "secret"}));
  EXPECT_EQ(ids("bob", "admin material"), std::vector<std::string>{});
  auto r = ward_->searchAs("alice", "launch codes");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->total_matches, 0);
}

TEST_F(AclDynamicsTest, RemovedDocumentIsGoneAndPurged) {
  auto before = ward_->store->getDocument("default", "open");
  ASSERT_TRUE(before.ok());
  auto chunks = ward_->store->chunksOf(before->id);
  ASSERT_TRUE(chunks.ok());
  ASSERT_FALSE(chunks->empty());
  ASSERT_TRUE(
      ward_->ingest->removeDocument("default", "open", trace::TraceContext::generate(), "test")
          .ok());
  EXPECT_EQ(ids("bob", "zephyr"), std::vector<std::string>{"mine"});
  EXPECT_EQ(ids("bob", "announcement"), std::vector<std::string>{});
  for (const auto& c : *chunks) {
    auto got = ward_->store->getChunk(c.id);
    EXPECT_EQ(got.status().code(), StatusCode::kNotFound) << "chunk " << c.id;
  }
  auto after = ward_->store->getDocument("default", "open");
  ASSERT_TRUE(after.ok());
  EXPECT_TRUE(after->deleted);
  EXPECT_EQ(after->title, "");
  EXPECT_EQ(after->version, 1);
  // A second removal of the same id is NotFound.
  EXPECT_EQ(
      ward_->ingest->removeDocument("default", "open", trace::TraceContext::generate(), "t").code(),
      StatusCode::kNotFound);
}

TEST_F(AclDynamicsTest, UnknownPrincipalIsNotFound) {
  auto r = identity::resolvePrincipal(*ward_->store, "default", "mallory");
  EXPECT_EQ(r.status().code(), StatusCode::kNotFound);
}

}  // namespace
}  // namespace ward
