// The ToolStore's state machines, table by table, on SQLite and on PostgreSQL
// (tool_store_backends.h): every pair of approval states (the moves of the life cycle succeed, any
// other is refused and leaves the row as it was, a stale `from` is refused naming the real state,
// expiry touches pending rows only), idempotency claims (a key held in flight, a completed key
// replayed, other arguments seen by the caller, expiry, keys per principal and tenant) and
// definition quarantine (what putTool and approveDefinition do from each state of a tool).
#include <gtest/gtest.h>

#include <algorithm>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "tool_store_backends.h"

namespace ward {
namespace {

using store::ApprovalRecord;
using store::IdempotencyRecord;
using store::ToolPutOutcome;
using store::ToolRecord;

const std::vector<std::string> kApprovalStates = {"pending", "approved", "executing", "executed",
                                                  "failed",  "denied",   "expired"};

// The life cycle (include/ward/store/tool_store.h, ApprovalRecord): the only moves a store makes.
const std::set<std::pair<std::string, std::string>> kLegalMoves = {
    {"pending", "approved"},   {"pending", "denied"},    {"pending", "expired"},
    {"approved", "executing"}, {"approved", "executed"}, {"executing", "executed"},
    {"executing", "failed"}};

// The legal path from pending to each state.
std::vector<std::string> pathTo(const std::string& state) {
  if (state == "pending") return {};
  if (state == "approved") return {"approved"};
  if (state == "executing") return {"approved", "executing"};
  if (state == "executed") return {"approved", "executing", "executed"};
  if (state == "failed") return {"approved", "executing", "failed"};
  return {state};  // denied, expired
}

template <typename Backend>
class ToolStoreTransitions : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_NO_FATAL_FAILURE(backend_.prepare());
    auto s = backend_.open();
    ASSERT_TRUE(s.ok()) << s.status().toString();
    tools_ = std::move(s).value();
  }

  static ApprovalRecord approval(const std::string& id, int64_t expires_at) {
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
    a.idempotency_key = "k-" + id;
    a.trace_id = "t1";
    a.state = store::ApprovalState::kPending;
    a.created_at = 100;
    a.expires_at = expires_at;
    return a;
  }

  // A new approval `id`, moved along the legal path into `state`.
  void approvalIn(const std::string& id, const std::string& state, int64_t expires_at = 1'000'000) {
    ASSERT_TRUE(tools_->createApproval(approval(id, expires_at)).ok());
    std::string at = "pending";
    for (const std::string& next : pathTo(state)) {
      ApprovalRecord to;
      to.state = testing::approvalState(next);
      auto moved = tools_->transitionApproval("default", id, testing::approvalState(at), to);
      ASSERT_TRUE(moved.ok()) << at << " -> " << next << ": " << moved.status().toString();
      at = next;
    }
    ASSERT_EQ(testing::stateName(tools_->getApproval("default", id)->state), state);
  }

  static IdempotencyRecord key(const std::string& k, const std::string& args_hash, int64_t now,
                               const std::string& principal = "alice",
                               const std::string& tenant = "default") {
    IdempotencyRecord r;
    r.tenant = tenant;
    r.principal = principal;
    r.key = k;
    r.tool = "refund";
    r.args_hash = args_hash;
    r.created_at = now;
    r.expires_at = now + 1'000;
    return r;
  }

  static ToolRecord tool(const std::string& hash, const std::string& name = "refund") {
    ToolRecord t;
    t.tenant = "default";
    t.name = name;
    t.version = "1.0.0";
    t.definition = Json{{"name", name}, {"version", "1.0.0"}, {"h", hash}};
    t.canonical_hash = hash;
    t.created_at = 1000;
    return t;
  }

  Backend backend_;
  std::unique_ptr<store::ToolStore> tools_;
};

TYPED_TEST_SUITE(ToolStoreTransitions, testing::ToolBackends, testing::ToolBackendName);

// Every (state, requested state) pair: a move of the life cycle succeeds; any other is
// InvalidArgument naming both states, and the row keeps its state and its sealed arguments.
TYPED_TEST(ToolStoreTransitions, EveryApprovalMoveOfTheLifeCycleAndNoOther) {
  auto& tools = *this->tools_;
  int n = 0, legal = 0;
  for (const std::string& from : kApprovalStates) {
    for (const std::string& to_state : kApprovalStates) {
      const std::string id = "apr_" + std::to_string(n++);
      ASSERT_NO_FATAL_FAILURE(this->approvalIn(id, from));
      const std::string sealed_before = tools.getApproval("default", id)->sealed_args;
      ApprovalRecord to;
      to.state = testing::approvalState(to_state);
      to.reviewer = "rita";
      auto moved = tools.transitionApproval("default", id, testing::approvalState(from), to);
      const bool allowed = kLegalMoves.count({from, to_state}) > 0;
      SCOPED_TRACE(from + " -> " + to_state);
      if (allowed) {
        ++legal;
        ASSERT_TRUE(moved.ok()) << moved.status().toString();
        EXPECT_EQ(testing::stateName(moved->state), to_state);
        EXPECT_EQ(moved->reviewer, "rita");
        // The sealed copy survives pending -> approved only.
        EXPECT_EQ(moved->sealed_args, to_state == "approved" ? "v1:sealed" : "");
      } else {
        EXPECT_EQ(moved.status().code(), StatusCode::kInvalidArgument) << moved.status().toString();
        EXPECT_NE(moved.status().message().find("from '" + from + "' to '" + to_state + "'"),
                  std::string::npos)
            << moved.status().toString();
        auto kept = tools.getApproval("default", id);
        ASSERT_TRUE(kept.ok());
        EXPECT_EQ(testing::stateName(kept->state), from);
        EXPECT_EQ(kept->sealed_args, sealed_before);
        EXPECT_EQ(kept->reviewer, "");
      }
    }
  }
  EXPECT_EQ(legal, static_cast<int>(kLegalMoves.size()));
}

// A legal move asked from a state the row has left (another reviewer or node moved it first) is
// FailedPrecondition naming the state it is in, and changes nothing.
TYPED_TEST(ToolStoreTransitions, AStaleFromStateIsRefusedNamingTheRealOne) {
  auto& tools = *this->tools_;
  int n = 0;
  for (const auto& [from, to_state] : kLegalMoves) {
    for (const std::string& actual : kApprovalStates) {
      if (actual == from) continue;
      const std::string id = "apr_s" + std::to_string(n++);
      ASSERT_NO_FATAL_FAILURE(this->approvalIn(id, actual));
      ApprovalRecord to;
      to.state = testing::approvalState(to_state);
      auto moved = tools.transitionApproval("default", id, testing::approvalState(from), to);
      SCOPED_TRACE(from + " -> " + to_state + " while " + actual);
      EXPECT_EQ(moved.status().code(), StatusCode::kFailedPrecondition);
      EXPECT_NE(moved.status().message().find("is " + actual), std::string::npos)
          << moved.status().toString();
      EXPECT_EQ(testing::stateName(tools.getApproval("default", id)->state), actual);
    }
  }
  ApprovalRecord to;
  to.state = store::ApprovalState::kApproved;
  EXPECT_EQ(tools.transitionApproval("default", "apr_missing", store::ApprovalState::kPending, to)
                .status()
                .code(),
            StatusCode::kNotFound);
  ASSERT_NO_FATAL_FAILURE(this->approvalIn("apr_other_tenant", "pending"));
  EXPECT_EQ(tools.transitionApproval("acme", "apr_other_tenant", store::ApprovalState::kPending, to)
                .status()
                .code(),
            StatusCode::kNotFound);
}

// Expiry moves pending approvals whose expiry has come (expires_at <= now) and nothing else.
TYPED_TEST(ToolStoreTransitions, ExpiryMovesOnlyPendingApprovalsPastTheirExpiry) {
  auto& tools = *this->tools_;
  for (const std::string& state : kApprovalStates) {
    ASSERT_NO_FATAL_FAILURE(this->approvalIn("apr_due_" + state, state, 500));
  }
  ASSERT_NO_FATAL_FAILURE(this->approvalIn("apr_later", "pending", 501));
  ASSERT_NO_FATAL_FAILURE(this->approvalIn("apr_exact", "pending", 500));
  auto n = tools.expireApprovals(500);
  ASSERT_TRUE(n.ok()) << n.status().toString();
  EXPECT_EQ(*n, 2);  // apr_due_pending and apr_exact
  for (const std::string& state : kApprovalStates) {
    SCOPED_TRACE(state);
    auto a = tools.getApproval("default", "apr_due_" + state);
    ASSERT_TRUE(a.ok());
    EXPECT_EQ(testing::stateName(a->state), state == "pending" ? "expired" : state);
  }
  auto exact = tools.getApproval("default", "apr_exact");
  EXPECT_EQ(exact->state, store::ApprovalState::kExpired);
  EXPECT_EQ(exact->sealed_args, "");
  EXPECT_EQ(exact->decided_at, 500);
  EXPECT_EQ(tools.getApproval("default", "apr_later")->state, store::ApprovalState::kPending);
  // An expired approval is settled: it can no longer be approved.
  ApprovalRecord to;
  to.state = store::ApprovalState::kApproved;
  auto late = tools.transitionApproval("default", "apr_exact", store::ApprovalState::kPending, to);
  EXPECT_EQ(late.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(late.status().message().find("is expired"), std::string::npos);
  EXPECT_EQ(*tools.expireApprovals(501), 1);  // apr_later, at its expiry
}

// What a second claim of a key finds. The store answers with the record that holds the key; the
// gateway replays a done record, waits on one in flight and refuses other arguments
// (src/gateway/idempotency_stage.cc), so each row checks the fields that decision reads.
struct ClaimCase {
  const char* name;
  const char* first_state;  // "" = no first claim, "in_progress", "done", "released"
  const char* args_hash;    // of the second claim ("h1" = the first claim's)
  const char* principal;    // of the second claim
  const char* tenant;       // of the second claim
  int64_t at;               // time of the second claim (the first is at 100, expiring at 1100)
  bool inserted;            // the second claim holds the key now
  const char* state;        // the record returned
  const char* held_hash;    // its args_hash
  bool has_response;        // it carries the stored response
};

const ClaimCase kClaimCases[] = {
    {"first use", "", "h1", "alice", "default", 200, true, "in_progress", "h1", false},
    {"in flight, same args", "in_progress", "h1", "alice", "default", 200, false, "in_progress",
     "h1", false},
    {"in flight, other args", "in_progress", "h2", "alice", "default", 200, false, "in_progress",
     "h1", false},
    {"done, same args: replay", "done", "h1", "alice", "default", 200, false, "done", "h1", true},
    {"done, other args: conflict", "done", "h2", "alice", "default", 200, false, "done", "h1",
     true},
    {"released: claimed again", "released", "h2", "alice", "default", 200, true, "in_progress",
     "h2", false},
    {"in flight past expiry: replaced", "in_progress", "h2", "alice", "default", 1100, true,
     "in_progress", "h2", false},
    {"done past expiry: replaced", "done", "h2", "alice", "default", 5000, true, "in_progress",
     "h2", false},
    {"done, one before expiry: replay", "done", "h1", "alice", "default", 1099, false, "done", "h1",
     true},
    {"another principal's key", "done", "h2", "bob", "default", 200, true, "in_progress", "h2",
     false},
    {"another tenant's key", "done", "h2", "alice", "acme", 200, true, "in_progress", "h2", false},
};

TYPED_TEST(ToolStoreTransitions, IdempotencyClaimsTableDriven) {
  auto& tools = *this->tools_;
  int row = 0;
  for (const ClaimCase& c : kClaimCases) {
    SCOPED_TRACE(c.name);
    const std::string k = "k" + std::to_string(row++);  // a key of its own per row
    const std::string first_state = c.first_state;
    bool inserted = false;
    if (!first_state.empty()) {
      ASSERT_TRUE(tools.claimIdempotencyKey(this->key(k, "h1", 100), 100, &inserted).ok());
      ASSERT_TRUE(inserted);
      if (first_state == "done") {
        IdempotencyRecord done = this->key(k, "h1", 100);
        done.response = Json{{"status", "ok"}, {"n", 1}};
        ASSERT_TRUE(tools.completeIdempotencyKey(done).ok());
      } else if (first_state == "released") {
        ASSERT_TRUE(tools.releaseIdempotencyKey("default", "alice", k).ok());
      }
    }
    auto held = tools.claimIdempotencyKey(this->key(k, c.args_hash, c.at, c.principal, c.tenant),
                                          c.at, &inserted);
    ASSERT_TRUE(held.ok()) << held.status().toString();
    EXPECT_EQ(inserted, c.inserted);
    EXPECT_EQ(held->state, c.state);
    EXPECT_EQ(held->args_hash, c.held_hash);
    EXPECT_EQ(held->response.is_object() && held->response.value("n", 0) == 1, c.has_response);
    // What is stored is what was answered.
    auto stored = tools.getIdempotencyKey(c.tenant, c.principal, k);
    ASSERT_TRUE(stored.ok()) << stored.status().toString();
    EXPECT_EQ(stored->state, c.state);
    EXPECT_EQ(stored->args_hash, c.held_hash);
  }
}

// Completing and releasing: release frees only an in-flight key; a done key stays done.
TYPED_TEST(ToolStoreTransitions, ReleaseFreesOnlyAKeyInFlight) {
  auto& tools = *this->tools_;
  bool inserted = false;
  ASSERT_TRUE(tools.claimIdempotencyKey(this->key("a", "h1", 100), 100, &inserted).ok());
  ASSERT_TRUE(tools.releaseIdempotencyKey("default", "alice", "a").ok());
  EXPECT_EQ(tools.getIdempotencyKey("default", "alice", "a").status().code(),
            StatusCode::kNotFound);
  ASSERT_TRUE(tools.claimIdempotencyKey(this->key("b", "h1", 100), 100, &inserted).ok());
  IdempotencyRecord done = this->key("b", "h1", 100);
  done.response = Json{{"status", "ok"}};
  ASSERT_TRUE(tools.completeIdempotencyKey(done).ok());
  ASSERT_TRUE(tools.releaseIdempotencyKey("default", "alice", "b").ok());
  auto kept = tools.getIdempotencyKey("default", "alice", "b");
  ASSERT_TRUE(kept.ok());
  EXPECT_EQ(kept->state, "done");
  EXPECT_EQ(kept->response["status"], "ok");
}

// Quarantine: what putTool does from each state of a tool version, and what approval of the
// quarantined definition does.
struct PutCase {
  const char* name;
  const char* existing;  // "" none, "unpinned" (h1), "pinned" (h1 pinned), "quarantined" (h1
                         // pinned, h2 pending)
  const char* hash;      // of the definition put
  bool from_upstream;
  StatusCode code;  // kOk, or the refusal
  ToolPutOutcome outcome;
  // The version afterwards.
  const char* canonical;
  const char* pinned;
  bool quarantined;
  const char* pending;
};

const PutCase kPutCases[] = {
    {"new version", "", "h1", false, StatusCode::kOk, ToolPutOutcome::kCreated, "h1", "", false,
     ""},
    {"same definition again", "unpinned", "h1", false, StatusCode::kOk, ToolPutOutcome::kUnchanged,
     "h1", "", false, ""},
    {"same definition from upstream, pinned", "pinned", "h1", true, StatusCode::kOk,
     ToolPutOutcome::kUnchanged, "h1", "h1", false, ""},
    {"admin changes a version: immutable", "unpinned", "h2", false, StatusCode::kAlreadyExists,
     ToolPutOutcome::kUnchanged, "h1", "", false, ""},
    {"admin changes a pinned version: immutable", "pinned", "h2", false, StatusCode::kAlreadyExists,
     ToolPutOutcome::kUnchanged, "h1", "h1", false, ""},
    {"upstream changes an unpinned version: replaced", "unpinned", "h2", true, StatusCode::kOk,
     ToolPutOutcome::kReplaced, "h2", "", false, ""},
    {"upstream changes a pinned version: quarantined", "pinned", "h2", true, StatusCode::kOk,
     ToolPutOutcome::kQuarantined, "h1", "h1", true, "h2"},
    {"upstream changes it again while quarantined: the newest waits", "quarantined", "h3", true,
     StatusCode::kOk, ToolPutOutcome::kQuarantined, "h1", "h1", true, "h3"},
};

TYPED_TEST(ToolStoreTransitions, QuarantineTableDriven) {
  auto& tools = *this->tools_;
  int row = 0;
  for (const PutCase& c : kPutCases) {
    SCOPED_TRACE(c.name);
    const std::string name = "tool" + std::to_string(row++);  // a tool of its own per row
    const std::string existing = c.existing;
    if (!existing.empty()) {
      ASSERT_EQ(*tools.putTool(this->tool("h1", name), false), ToolPutOutcome::kCreated);
    }
    if (existing == "pinned" || existing == "quarantined") {
      ASSERT_TRUE(tools.setPinned("default", name, "1.0.0", true).ok());
    }
    if (existing == "quarantined") {
      ASSERT_EQ(*tools.putTool(this->tool("h2", name), true), ToolPutOutcome::kQuarantined);
    }
    auto put = tools.putTool(this->tool(c.hash, name), c.from_upstream);
    EXPECT_EQ(put.status().code(), c.code) << put.status().toString();
    if (put.ok()) {
      EXPECT_EQ(*put, c.outcome) << toolPutOutcomeName(*put);
    }
    auto after = tools.getTool("default", name, "1.0.0");
    ASSERT_TRUE(after.ok()) << after.status().toString();
    EXPECT_EQ(after->canonical_hash, c.canonical);
    EXPECT_EQ(after->definition["h"], c.canonical);
    EXPECT_EQ(after->pinned_hash, c.pinned);
    EXPECT_EQ(after->quarantined, c.quarantined);
    EXPECT_EQ(after->pending_hash, c.pending);
  }
}

// Approving a quarantined definition installs and re-pins it and ends the quarantine; with
// nothing quarantined it is refused; unpinning first lets the upstream's change through.
TYPED_TEST(ToolStoreTransitions, ApprovingAQuarantinedDefinitionEndsTheQuarantine) {
  auto& tools = *this->tools_;
  ASSERT_EQ(*tools.putTool(this->tool("h1"), false), ToolPutOutcome::kCreated);
  EXPECT_EQ(tools.approveDefinition("default", "refund", "1.0.0", 2000).code(),
            StatusCode::kFailedPrecondition);
  EXPECT_EQ(tools.approveDefinition("default", "refund", "9.9.9", 2000).code(),
            StatusCode::kNotFound);
  ASSERT_TRUE(tools.setPinned("default", "refund", "1.0.0", true).ok());
  ASSERT_EQ(*tools.putTool(this->tool("h2"), true), ToolPutOutcome::kQuarantined);
  ASSERT_TRUE(tools.approveDefinition("default", "refund", "1.0.0", 2000).ok());
  auto t = tools.getTool("default", "refund", "1.0.0");
  ASSERT_TRUE(t.ok());
  EXPECT_FALSE(t->quarantined);
  EXPECT_EQ(t->canonical_hash, "h2");
  EXPECT_EQ(t->pinned_hash, "h2");
  EXPECT_EQ(t->definition["h"], "h2");
  EXPECT_EQ(tools.approveDefinition("default", "refund", "1.0.0", 2001).code(),
            StatusCode::kFailedPrecondition);
  // Unpinned, the next upstream change replaces the definition without a quarantine.
  ASSERT_TRUE(tools.setPinned("default", "refund", "1.0.0", false).ok());
  EXPECT_EQ(*tools.putTool(this->tool("h3"), true), ToolPutOutcome::kReplaced);
  t = tools.getTool("default", "refund", "1.0.0");
  EXPECT_FALSE(t->quarantined);
  EXPECT_EQ(t->canonical_hash, "h3");
}

}  // namespace
}  // namespace ward
