// The ToolStore conformance suite: every test here runs against each implementation of
// store::ToolStore -- SQLite (a fresh ward.db per test) and PostgreSQL (a fresh schema in the test
// cluster, tests/scripts/pg_cluster.sh). Tools, grants, delegations, modes, the generation that
// caches compare, idempotency keys, approvals, secrets, prompt pins and provisioning. "Nodes" are
// several stores opened on the same database (the SQLite file, or the PostgreSQL database): a
// change through one is seen by the others, and idempotency claims, approval moves and
// provisioning are exactly-once across them.
#include <gtest/gtest.h>

#include <atomic>
#include <thread>
#include <vector>

#include "tool_store_backends.h"

namespace ward {
namespace {

using store::ApprovalRecord;
using store::GrantRecord;
using store::IdempotencyRecord;
using store::ToolPutOutcome;
using store::ToolRecord;

// Threads (each with a store of its own, as a node has) in the concurrency tests.
constexpr int kNodes = 4;

template <typename Backend>
class ToolStoreConformance : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_NO_FATAL_FAILURE(backend_.prepare());
    tools_ = node();
    ASSERT_NE(tools_, nullptr);
  }

  // Another store on the same database: another process or node.
  std::unique_ptr<store::ToolStore> node() {
    auto s = backend_.open();
    EXPECT_TRUE(s.ok()) << s.status().toString();
    return s.ok() ? std::move(s).value() : nullptr;
  }

  static ToolRecord tool(const std::string& name, const std::string& version,
                         const std::string& hash) {
    ToolRecord t;
    t.tenant = "default";
    t.name = name;
    t.version = version;
    t.definition = Json{{"name", name}, {"version", version}, {"h", hash}};
    t.canonical_hash = hash;
    t.created_at = 1000;
    return t;
  }

  static GrantRecord grant(const std::string& subject, const std::string& tool_name) {
    GrantRecord g;
    g.tenant = "default";
    g.subject_kind = store::GrantSubjectKind::kPrincipal;
    g.subject = subject;
    g.tool = tool_name;
    g.constraints = Json{{"amount", {{"max", 100}}}};
    g.created_by = "admin";
    g.created_at = 1000;
    return g;
  }

  static IdempotencyRecord key(const std::string& k, int64_t now, int64_t ttl = 1'000'000) {
    IdempotencyRecord r;
    r.tenant = "default";
    r.principal = "alice";
    r.key = k;
    r.tool = "refund";
    r.args_hash = "h1";
    r.created_at = now;
    r.expires_at = now + ttl;
    return r;
  }

  static ApprovalRecord approval(const std::string& id, int64_t created, int64_t expires) {
    ApprovalRecord a;
    a.id = id;
    a.tenant = "default";
    a.tool = "refund";
    a.version = "1.0.0";
    a.requester = "alice";
    a.args = Json{{"amount", 5}};
    a.sealed_args = "v1:sealed";
    a.rule = "always";
    a.reason = "reviewed";
    a.idempotency_key = "k1";
    a.trace_id = "t1";
    a.state = store::ApprovalState::kPending;
    a.created_at = created;
    a.expires_at = expires;
    return a;
  }

  int64_t generation(store::ToolStore& s) {
    auto g = s.generation();
    EXPECT_TRUE(g.ok()) << g.status().toString();
    return g.ok() ? *g : -1;
  }

  Backend backend_;
  std::unique_ptr<store::ToolStore> tools_;
};

TYPED_TEST_SUITE(ToolStoreConformance, testing::ToolBackends, testing::ToolBackendName);

TYPED_TEST(ToolStoreConformance, PutToolOutcomesAndQuarantine) {
  auto& tools = *this->tools_;
  auto t = this->tool("refund", "1.0.0", "h1");
  EXPECT_EQ(*tools.putTool(t, false), ToolPutOutcome::kCreated);
  EXPECT_EQ(*tools.putTool(t, false), ToolPutOutcome::kUnchanged);
  auto changed = this->tool("refund", "1.0.0", "h2");
  auto refused = tools.putTool(changed, false);
  EXPECT_EQ(refused.status().code(), StatusCode::kAlreadyExists) << refused.status().toString();
  EXPECT_EQ(*tools.putTool(changed, true), ToolPutOutcome::kReplaced);
  ASSERT_TRUE(tools.setPinned("default", "refund", "1.0.0", true).ok());
  EXPECT_EQ(tools.getTool("default", "refund", "1.0.0")->pinned_hash, "h2");
  auto third = this->tool("refund", "1.0.0", "h3");
  EXPECT_EQ(*tools.putTool(third, true), ToolPutOutcome::kQuarantined);
  auto held = tools.getTool("default", "refund", "1.0.0");
  ASSERT_TRUE(held.ok());
  EXPECT_TRUE(held->quarantined);
  EXPECT_EQ(held->canonical_hash, "h2");
  EXPECT_EQ(held->pending_hash, "h3");
  ASSERT_TRUE(tools.approveDefinition("default", "refund", "1.0.0", 2000).ok());
  held = tools.getTool("default", "refund", "1.0.0");
  EXPECT_FALSE(held->quarantined);
  EXPECT_EQ(held->canonical_hash, "h3");
  EXPECT_EQ(held->pinned_hash, "h3");
  EXPECT_EQ(held->definition["h"], "h3");
  EXPECT_EQ(tools.approveDefinition("default", "refund", "1.0.0", 2000).code(),
            StatusCode::kFailedPrecondition);
  ASSERT_TRUE(tools.setDeprecated("default", "refund", "1.0.0", true).ok());
  EXPECT_TRUE(tools.getTool("default", "refund", "1.0.0")->deprecated);
  EXPECT_EQ(tools.setDeprecated("default", "nope", "1.0.0", true).code(), StatusCode::kNotFound);
  ASSERT_TRUE(tools.putTool(this->tool("refund", "1.1.0", "h4"), false).ok());
  ASSERT_TRUE(tools.putTool(this->tool("alpha", "1.0.0", "h5"), false).ok());
  auto all = tools.listTools("default", "");
  ASSERT_TRUE(all.ok());
  ASSERT_EQ(all->size(), 3u);
  EXPECT_EQ((*all)[0].name, "alpha");
  EXPECT_EQ(tools.listTools("default", "refund")->size(), 2u);
  EXPECT_EQ(tools.listTools("default", "nope").status().code(), StatusCode::kNotFound);
  EXPECT_EQ(tools.getTool("other", "refund", "1.0.0").status().code(), StatusCode::kNotFound);
}

// What a cache of one node compares moves when another node changes a tool, grant, mode or
// delegation, and the other node reads the change at once.
TYPED_TEST(ToolStoreConformance, AnotherNodesChangesMoveTheGenerationAndAreReadAtOnce) {
  auto other = this->node();
  ASSERT_NE(other, nullptr);
  auto& mine = *this->tools_;
  int64_t g = this->generation(mine);
  ASSERT_TRUE(other->putTool(this->tool("refund", "1.0.0", "h1"), false).ok());
  EXPECT_GT(this->generation(mine), g);
  g = this->generation(mine);
  auto added = other->addGrant(this->grant("alice", "refund"));
  ASSERT_TRUE(added.ok()) << added.status().toString();
  EXPECT_GT(this->generation(mine), g);
  auto grants = mine.listGrants("default");
  ASSERT_EQ(grants->size(), 1u);
  EXPECT_EQ((*grants)[0].id, added->id);
  EXPECT_EQ((*grants)[0].constraints["amount"]["max"], 100);
  g = this->generation(mine);
  ASSERT_TRUE(other->deleteGrant("default", added->id).ok());
  EXPECT_GT(this->generation(mine), g);
  EXPECT_TRUE(mine.listGrants("default")->empty());
  EXPECT_EQ(mine.deleteGrant("default", added->id).code(), StatusCode::kNotFound);
  g = this->generation(mine);
  ASSERT_TRUE(other->setMode({store::ModeScope::kTenant, "default", "", true, "admin", 5}).ok());
  EXPECT_GT(this->generation(mine), g);
  g = this->generation(mine);
  ASSERT_TRUE(other->addDelegation({"default", "alice", "bot", "admin", 5}).ok());
  EXPECT_GT(this->generation(mine), g);
  EXPECT_EQ(mine.listDelegations("default")->size(), 1u);
  // Reads and idempotency writes leave it alone.
  g = this->generation(mine);
  bool inserted = false;
  ASSERT_TRUE(other->claimIdempotencyKey(this->key("k", 10), 10, &inserted).ok());
  EXPECT_EQ(this->generation(mine), g);
}

TYPED_TEST(ToolStoreConformance, DelegationsAndModes) {
  auto& tools = *this->tools_;
  ASSERT_TRUE(tools.addDelegation({"default", "alice", "bot", "admin", 5}).ok());
  EXPECT_EQ(tools.addDelegation({"default", "alice", "bot", "admin", 6}).code(),
            StatusCode::kAlreadyExists);
  ASSERT_TRUE(tools.addDelegation({"default", "alice", "aardvark", "admin", 5}).ok());
  auto ds = tools.listDelegations("default");
  ASSERT_EQ(ds->size(), 2u);
  EXPECT_EQ((*ds)[0].agent, "aardvark");
  ASSERT_TRUE(tools.deleteDelegation("default", "alice", "bot").ok());
  EXPECT_EQ(tools.deleteDelegation("default", "alice", "bot").code(), StatusCode::kNotFound);

  ASSERT_TRUE(tools.setMode({store::ModeScope::kServer, "", "", true, "root", 1}).ok());
  ASSERT_TRUE(tools.setMode({store::ModeScope::kAgent, "default", "bot", true, "admin", 2}).ok());
  ASSERT_TRUE(tools.setMode({store::ModeScope::kAgent, "default", "bot", false, "admin", 3}).ok());
  ASSERT_TRUE(tools.setMode({store::ModeScope::kTenant, "acme", "", true, "carol", 4}).ok());
  auto modes = tools.listModes("default");
  ASSERT_TRUE(modes.ok());
  ASSERT_EQ(modes->size(), 2u);  // the server row and its agent row, not acme's
  EXPECT_EQ((*modes)[0].scope, store::ModeScope::kAgent);
  EXPECT_FALSE((*modes)[0].read_only);
  EXPECT_EQ((*modes)[0].updated_at, 3);
  EXPECT_EQ((*modes)[1].scope, store::ModeScope::kServer);
  EXPECT_TRUE((*modes)[1].read_only);
}

TYPED_TEST(ToolStoreConformance, IdempotencyKeyClaimCompleteReleaseAndExpiry) {
  auto& tools = *this->tools_;
  bool inserted = false;
  auto first = tools.claimIdempotencyKey(this->key("k1", 100), 100, &inserted);
  ASSERT_TRUE(first.ok()) << first.status().toString();
  EXPECT_TRUE(inserted);
  EXPECT_EQ(first->state, "in_progress");
  auto dup = tools.claimIdempotencyKey(this->key("k1", 200), 200, &inserted);
  ASSERT_TRUE(dup.ok());
  EXPECT_FALSE(inserted);
  EXPECT_EQ(dup->state, "in_progress");
  EXPECT_EQ(dup->created_at, 100);
  IdempotencyRecord done = this->key("k1", 100);
  done.response = Json{{"ok", true}};
  done.approval_id = "apr_1";
  ASSERT_TRUE(tools.completeIdempotencyKey(done).ok());
  auto replay = tools.claimIdempotencyKey(this->key("k1", 300), 300, &inserted);
  EXPECT_FALSE(inserted);
  EXPECT_EQ(replay->state, "done");
  EXPECT_EQ(replay->response["ok"], true);
  EXPECT_EQ(replay->approval_id, "apr_1");
  // A done record is never released; an in_progress one is.
  ASSERT_TRUE(tools.releaseIdempotencyKey("default", "alice", "k1").ok());
  EXPECT_EQ(tools.getIdempotencyKey("default", "alice", "k1")->state, "done");
  ASSERT_TRUE(tools.claimIdempotencyKey(this->key("k2", 100), 100, &inserted).ok());
  ASSERT_TRUE(tools.releaseIdempotencyKey("default", "alice", "k2").ok());
  EXPECT_EQ(tools.getIdempotencyKey("default", "alice", "k2").status().code(),
            StatusCode::kNotFound);
  // Past its expiry a record is replaced by the next claim.
  auto later = tools.claimIdempotencyKey(this->key("k1", 5'000'000), 5'000'000, &inserted);
  ASSERT_TRUE(later.ok());
  EXPECT_TRUE(inserted);
  EXPECT_EQ(tools.getIdempotencyKey("default", "alice", "k1")->state, "in_progress");
  EXPECT_TRUE(tools.getIdempotencyKey("default", "alice", "k1")->response.is_null());
}

// Duplicate calls with one key on several nodes at once: exactly one claims it.
TYPED_TEST(ToolStoreConformance, ConcurrentClaimsOfOneKeyOnSeveralNodesInsertOnce) {
  std::vector<std::unique_ptr<store::ToolStore>> nodes;
  for (int i = 0; i < kNodes; ++i) nodes.push_back(this->node());
  for (int round = 0; round < 5; ++round) {
    std::atomic<int> inserted_count{0}, failed{0};
    std::vector<std::thread> threads;
    const std::string k = "race-" + std::to_string(round);
    for (int i = 0; i < kNodes; ++i) {
      threads.emplace_back([&, i] {
        bool inserted = false;
        auto r =
            nodes[static_cast<size_t>(i)]->claimIdempotencyKey(this->key(k, 100), 100, &inserted);
        if (!r.ok()) ++failed;
        if (r.ok() && inserted) ++inserted_count;
      });
    }
    for (auto& t : threads) t.join();
    EXPECT_EQ(failed.load(), 0);
    EXPECT_EQ(inserted_count.load(), 1) << "round " << round;
  }
}

// A node that crashed while its call ran leaves the key in_progress and the approval executing:
// another node neither claims the key again before it expires nor executes the approval again.
TYPED_TEST(ToolStoreConformance, ACrashedCallStaysInDoubtNeverRunsAgain) {
  bool inserted = false;
  {
    auto crashed = this->node();
    ASSERT_TRUE(crashed->claimIdempotencyKey(this->key("k", 100), 100, &inserted).ok());
    ASSERT_TRUE(inserted);
    ASSERT_TRUE(crashed->createApproval(this->approval("apr_x", 100, 1'000'000)).ok());
    ApprovalRecord to;
    to.state = store::ApprovalState::kApproved;
    ASSERT_TRUE(
        crashed->transitionApproval("default", "apr_x", store::ApprovalState::kPending, to).ok());
    to.state = store::ApprovalState::kExecuting;
    ASSERT_TRUE(
        crashed->transitionApproval("default", "apr_x", store::ApprovalState::kApproved, to).ok());
  }
  auto survivor = this->node();
  auto held = survivor->claimIdempotencyKey(this->key("k", 200), 200, &inserted);
  ASSERT_TRUE(held.ok());
  EXPECT_FALSE(inserted);
  EXPECT_EQ(held->state, "in_progress");
  ApprovalRecord to;
  to.state = store::ApprovalState::kExecuting;
  auto again =
      survivor->transitionApproval("default", "apr_x", store::ApprovalState::kApproved, to);
  EXPECT_EQ(again.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(again.status().message().find("is executing"), std::string::npos)
      << again.status().toString();
}

TYPED_TEST(ToolStoreConformance, ApprovalsMoveByCompareAndSet) {
  auto& tools = *this->tools_;
  ASSERT_TRUE(tools.createApproval(this->approval("apr_1", 100, 10'000)).ok());
  ASSERT_TRUE(tools.createApproval(this->approval("apr_2", 200, 500)).ok());
  EXPECT_EQ(tools.createApproval(this->approval("apr_1", 100, 10'000)).code(),
            StatusCode::kAlreadyExists);
  auto got = tools.getApproval("default", "apr_1");
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(got->args["amount"], 5);
  EXPECT_EQ(got->sealed_args, "v1:sealed");
  EXPECT_EQ(tools.getApproval("acme", "apr_1").status().code(), StatusCode::kNotFound);
  auto listed = tools.listApprovals("default", std::nullopt, 10);
  ASSERT_EQ(listed->size(), 2u);
  EXPECT_EQ((*listed)[0].id, "apr_2");  // newest first
  EXPECT_EQ(tools.listApprovals("default", store::ApprovalState::kPending, 1)->size(), 1u);

  ApprovalRecord to;
  to.state = store::ApprovalState::kApproved;
  to.reviewer = "rita";
  to.comment = "fine";
  to.decided_at = 300;
  auto approved = tools.transitionApproval("default", "apr_1", store::ApprovalState::kPending, to);
  ASSERT_TRUE(approved.ok()) << approved.status().toString();
  EXPECT_EQ(approved->reviewer, "rita");
  EXPECT_EQ(approved->sealed_args, "v1:sealed");  // kept for the execution
  auto twice = tools.transitionApproval("default", "apr_1", store::ApprovalState::kPending, to);
  EXPECT_EQ(twice.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(twice.status().message().find("is approved"), std::string::npos);
  EXPECT_EQ(tools.transitionApproval("default", "apr_9", store::ApprovalState::kPending, to)
                .status()
                .code(),
            StatusCode::kNotFound);
  ApprovalRecord claim;
  claim.state = store::ApprovalState::kExecuting;
  auto executing =
      tools.transitionApproval("default", "apr_1", store::ApprovalState::kApproved, claim);
  ASSERT_TRUE(executing.ok());
  EXPECT_EQ(executing->sealed_args, "");  // destroyed by every other move
  EXPECT_EQ(executing->reviewer, "rita");
  ApprovalRecord done;
  done.state = store::ApprovalState::kExecuted;
  done.result = Json{{"ok", 1}};
  auto finished =
      tools.transitionApproval("default", "apr_1", store::ApprovalState::kExecuting, done);
  ASSERT_TRUE(finished.ok());
  EXPECT_EQ(finished->result["ok"], 1);
  EXPECT_EQ(finished->decided_at, 300);

  EXPECT_EQ(*tools.expireApprovals(1000), 1);  // apr_2 only
  EXPECT_EQ(tools.getApproval("default", "apr_2")->state, store::ApprovalState::kExpired);
  EXPECT_EQ(tools.getApproval("default", "apr_2")->sealed_args, "");
  EXPECT_EQ(*tools.expireApprovals(1000), 0);
  EXPECT_TRUE(tools.listApprovalsWithRawArgs()->empty());
}

// Reviewers on several nodes approve one approval at once: one moves it, and one node claims
// its execution.
TYPED_TEST(ToolStoreConformance, OneApprovalIsApprovedAndClaimedOnceAcrossNodes) {
  std::vector<std::unique_ptr<store::ToolStore>> nodes;
  for (int i = 0; i < kNodes; ++i) nodes.push_back(this->node());
  ASSERT_TRUE(nodes[0]->createApproval(this->approval("apr_r", 100, 1'000'000)).ok());
  std::atomic<int> approved{0}, claimed{0}, other{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < kNodes; ++i) {
    threads.emplace_back([&, i] {
      store::ToolStore& s = *nodes[static_cast<size_t>(i)];
      ApprovalRecord to;
      to.state = store::ApprovalState::kApproved;
      to.reviewer = "rita" + std::to_string(i);
      auto a = s.transitionApproval("default", "apr_r", store::ApprovalState::kPending, to);
      if (a.ok()) ++approved;
      ApprovalRecord claim;
      claim.state = store::ApprovalState::kExecuting;
      // Every node tries the claim (the approve path of a node that lost the race would not).
      for (int tries = 0; tries < 200; ++tries) {
        auto c = s.transitionApproval("default", "apr_r", store::ApprovalState::kApproved, claim);
        if (c.ok()) {
          ++claimed;
          return;
        }
        if (c.status().code() != StatusCode::kFailedPrecondition) {
          ++other;
          return;
        }
        if (c.status().message().find("is pending") == std::string::npos) return;
        std::this_thread::yield();
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(approved.load(), 1);
  EXPECT_EQ(claimed.load(), 1);
  EXPECT_EQ(other.load(), 0);
}

TYPED_TEST(ToolStoreConformance, SecretsKeepCiphertextPerTenant) {
  auto& tools = *this->tools_;
  ASSERT_TRUE(tools.putSecret("default", "stripe", "v1:aa").ok());
  ASSERT_TRUE(tools.putSecret("default", "stripe", "v1:bb").ok());
  ASSERT_TRUE(tools.putSecret("default", "github", "v1:cc").ok());
  EXPECT_EQ(*tools.getSecret("default", "stripe"), "v1:bb");
  EXPECT_EQ(tools.getSecret("acme", "stripe").status().code(), StatusCode::kNotFound);
  EXPECT_EQ(*tools.listSecretNames("default"), (std::vector<std::string>{"github", "stripe"}));
  ASSERT_TRUE(tools.deleteSecret("default", "stripe").ok());
  EXPECT_EQ(tools.deleteSecret("default", "stripe").code(), StatusCode::kNotFound);
}

// A secret changed or deleted on another node (or by the CLI next to a server) is what the next
// read returns: SQLite keeps the rows it read behind PRAGMA data_version, never past a commit.
TYPED_TEST(ToolStoreConformance, ASecretChangedElsewhereIsReadOnTheNextCall) {
  auto& tools = *this->tools_;
  auto other = this->node();
  ASSERT_NE(other, nullptr);
  ASSERT_TRUE(other->putSecret("default", "upstream", "v1:old").ok());
  EXPECT_EQ(*tools.getSecret("default", "upstream"), "v1:old");
  EXPECT_EQ(*tools.getSecret("default", "upstream"), "v1:old");
  ASSERT_TRUE(other->putSecret("default", "upstream", "v1:new").ok());
  EXPECT_EQ(*tools.getSecret("default", "upstream"), "v1:new");
  // This store's own write is seen as well.
  ASSERT_TRUE(tools.putSecret("default", "upstream", "v1:own").ok());
  EXPECT_EQ(*tools.getSecret("default", "upstream"), "v1:own");
  EXPECT_EQ(*other->getSecret("default", "upstream"), "v1:own");
  ASSERT_TRUE(other->deleteSecret("default", "upstream").ok());
  EXPECT_EQ(tools.getSecret("default", "upstream").status().code(), StatusCode::kNotFound);
}

TYPED_TEST(ToolStoreConformance, PromptPinsTrustTheFirstImportThenWaitForApproval) {
  auto& tools = *this->tools_;
  std::vector<store::PromptPinRecord> offer{
      {"", "", "greet", "p1", Json{{"v", 1}}, "", nullptr, 0}};
  auto first = tools.offerPromptDefinitions("default", "up", offer, 10);
  ASSERT_TRUE(first.ok()) << first.status().toString();
  EXPECT_EQ((*first)[0].pinned_hash, "p1");
  offer[0].pinned_hash = "p2";
  offer[0].pinned_definition = Json{{"v", 2}};
  offer.push_back({"", "", "added", "a1", Json{{"v", 3}}, "", nullptr, 0});
  auto second = tools.offerPromptDefinitions("default", "up", offer, 20);
  ASSERT_TRUE(second.ok());
  auto pins = tools.listPromptPins("default", "up");
  ASSERT_EQ(pins->size(), 2u);
  EXPECT_EQ((*pins)[0].prompt, "added");
  EXPECT_EQ((*pins)[0].pinned_hash, "");
  EXPECT_EQ((*pins)[0].pending_hash, "a1");
  EXPECT_EQ((*pins)[1].pinned_hash, "p1");
  EXPECT_EQ((*pins)[1].pending_hash, "p2");
  EXPECT_EQ(tools.approvePromptDefinition("default", "up", "greet", "p9", 30).code(),
            StatusCode::kFailedPrecondition);
  ASSERT_TRUE(tools.approvePromptDefinition("default", "up", "greet", "p2", 30).ok());
  pins = tools.listPromptPins("default", "up");
  EXPECT_EQ((*pins)[1].pinned_hash, "p2");
  EXPECT_EQ((*pins)[1].pinned_definition["v"], 2);
  EXPECT_EQ((*pins)[1].pending_hash, "");
  EXPECT_EQ(tools.approvePromptDefinition("default", "up", "greet", "", 40).code(),
            StatusCode::kFailedPrecondition);
  EXPECT_EQ(tools.approvePromptDefinition("default", "up", "nope", "", 40).code(),
            StatusCode::kNotFound);
}

// Nodes starting together provision a tenant once; a later withdrawal is never undone.
TYPED_TEST(ToolStoreConformance, ProvisionOnceRunsOnceAcrossNodes) {
  std::vector<std::unique_ptr<store::ToolStore>> nodes;
  for (int i = 0; i < kNodes; ++i) nodes.push_back(this->node());
  std::vector<ToolRecord> builtins{this->tool("search", "1.0.0", "s1")};
  std::vector<GrantRecord> grants{this->grant("*", "search")};
  grants[0].subject_kind = store::GrantSubjectKind::kUsers;
  std::atomic<int> provisioned{0}, failed{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < kNodes; ++i) {
    threads.emplace_back([&, i] {
      auto r = nodes[static_cast<size_t>(i)]->provisionOnce("default", "builtin_tools", builtins,
                                                            grants);
      if (!r.ok()) ++failed;
      if (r.ok() && *r) ++provisioned;
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(failed.load(), 0);
  EXPECT_EQ(provisioned.load(), 1);
  auto& tools = *this->tools_;
  auto listed = tools.listGrants("default");
  ASSERT_EQ(listed->size(), 1u);
  ASSERT_TRUE(tools.deleteGrant("default", (*listed)[0].id).ok());
  EXPECT_FALSE(*tools.provisionOnce("default", "builtin_tools", builtins, grants));
  EXPECT_TRUE(tools.listGrants("default")->empty());
  EXPECT_EQ(tools.listTools("default", "search")->size(), 1u);
}

}  // namespace
}  // namespace ward
