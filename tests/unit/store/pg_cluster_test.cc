// Work across nodes on the real PostgreSQL (ward/store/cluster.h): two stores in one process are
// two nodes (two pools, two node ids). The leader lease and its term, fencing after the leader's
// backend is killed, feed pruning against the followers' cursors, and an index that falls
// behind the pruned horizon or sees a new store epoch rebuilding instead of reading with a gap.
// Waits are for conditions, with a bounded deadline; nothing asserts on elapsed time.
#include <gtest/gtest.h>

#include <chrono>
#include <functional>
#include <thread>

#include "pg/pg_conn.h"
#include "pg_test_env.h"
#include "ward/index/index.h"
#include "ward/ingest/ingest_service.h"
#include "ward/store/cluster.h"
#include "ward/store/pg_store.h"

namespace ward {
namespace {

using namespace std::chrono_literals;
using store::ClusterStore;
using store::LeaseTerm;
using store::pg::PgConn;

// A lease short enough that a takeover happens within a test; waits are bounded by kDeadline.
constexpr auto kShortTtl = 400ms;
constexpr auto kDeadline = 30s;

bool waitFor(const std::function<bool()>& condition) {
  const auto until = std::chrono::steady_clock::now() + kDeadline;
  while (std::chrono::steady_clock::now() < until) {
    if (condition()) return true;
    std::this_thread::sleep_for(20ms);
  }
  return condition();
}

class PgClusterTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_NO_FATAL_FAILURE(testing::resetPgSchema());
    for (auto* s : {&a_, &b_}) {
      auto opened = store::openPgStore(testing::pgTestUrl());
      ASSERT_TRUE(opened.ok()) << opened.status().toString();
      *s = std::move(opened).value();
    }
    ASSERT_TRUE(a_->ensureTenant("default").ok());
    auto c = PgConn::connect(testing::pgTestUrl());
    ASSERT_TRUE(c.ok()) << c.status().toString();
    raw_ = std::move(c).value();
  }

  static ClusterStore& cluster(std::unique_ptr<store::Store>& s) {
    return dynamic_cast<ClusterStore&>(*s);
  }

  void put(const std::string& id, const std::string& text) {
    Json rec{{"id", id}, {"text", text}, {"title", "T " + id}, {"acl", {{"public", true}}}};
    auto w = ingest::IngestService::recordToWrite(rec, "default", "records", IngestConfig{});
    ASSERT_TRUE(w.ok()) << w.status().toString();
    std::vector<store::DocumentWrite> writes{std::move(w).value()};
    auto r = a_->writeDocuments(writes);
    ASSERT_TRUE(r.ok()) << r.status().toString();
  }

  int64_t sql(const std::string& q) {
    auto r = raw_->query("test", q);
    EXPECT_TRUE(r.ok()) << r.status().toString();
    return r.ok() && r->rows() > 0 ? r->int64(0, 0) : -1;
  }

  static std::unique_ptr<index::Index> openIndexOn(store::Store& s) {
    auto ix = index::openIndex("", s, IndexConfig{});
    EXPECT_TRUE(ix.ok()) << ix.status().toString();
    return ix.ok() ? std::move(ix).value() : nullptr;
  }

  // The chunk ids a query finds, best first (every match: k is large).
  static std::vector<int64_t> found(index::Index& ix, const std::string& term) {
    index::IndexQuery q;
    q.terms = {{term, 1.0}};
    q.any_of_tokens = {"default/*"};
    q.k = 1000;
    auto r = ix.search(q, index::BM25Params{});
    EXPECT_TRUE(r.ok()) << r.status().toString();
    std::vector<int64_t> out;
    if (r.ok()) {
      for (const auto& c : r->top) out.push_back(c.chunk_id);
    }
    return out;
  }

  std::unique_ptr<store::Store> a_, b_;
  std::unique_ptr<PgConn> raw_;
};

TEST_F(PgClusterTest, OneOfTwoHoldersLeadsAndTheOtherTakesOverAfterExpiryWithAHigherTerm) {
  ASSERT_NE(cluster(a_).nodeId(), cluster(b_).nodeId());
  auto first = cluster(a_).acquireLease(store::kLeaderLease, kShortTtl);
  ASSERT_TRUE(first.ok()) << first.status().toString();
  EXPECT_TRUE(first->leading);
  EXPECT_EQ(first->term, 1);

  auto other = cluster(b_).acquireLease(store::kLeaderLease, kShortTtl);
  ASSERT_TRUE(other.ok()) << other.status().toString();
  EXPECT_FALSE(other->leading);
  EXPECT_EQ(other->holder, cluster(a_).nodeId());
  EXPECT_EQ(other->term, 1);

  // A renewal by the holder keeps its term.
  auto renewed = cluster(a_).acquireLease(store::kLeaderLease, 60s);
  ASSERT_TRUE(renewed.ok());
  EXPECT_TRUE(renewed->leading);
  EXPECT_EQ(renewed->term, 1);
  // Unexpired: B still cannot take it. Then A stops renewing (here: the lease is made to expire
  // by the database clock) and B takes it over with the next term.
  EXPECT_FALSE(cluster(b_).acquireLease(store::kLeaderLease, kShortTtl)->leading);
  ASSERT_GE(sql("UPDATE leases SET expires_at = clock_timestamp() + interval '300 milliseconds' "
                "RETURNING term"),
            1);
  LeaseTerm taken;
  ASSERT_TRUE(waitFor([&] {
    auto t = cluster(b_).acquireLease(store::kLeaderLease, 60s);
    if (t.ok() && t->leading) taken = *t;
    return t.ok() && t->leading;
  }));
  EXPECT_EQ(taken.term, 2);
  EXPECT_EQ(taken.holder, cluster(b_).nodeId());
  auto lost = cluster(a_).acquireLease(store::kLeaderLease, kShortTtl);
  ASSERT_TRUE(lost.ok());
  EXPECT_FALSE(lost->leading);
  EXPECT_EQ(lost->holder, cluster(b_).nodeId());

  // A release expires the lease at once and keeps the term, so the next holder's term is higher.
  ASSERT_TRUE(cluster(b_).releaseLease(taken).ok());
  auto back = cluster(a_).acquireLease(store::kLeaderLease, kShortTtl);
  ASSERT_TRUE(back.ok());
  EXPECT_TRUE(back->leading);
  EXPECT_EQ(back->term, 3);
}

TEST_F(PgClusterTest, ALeaderWhoseBackendIsKilledCannotWriteUnderItsOldTerm) {
  put("d1", "alpha");
  put("d2", "beta");
  ASSERT_EQ(a_->lastChangeSeq().value(), 2);  // positioned: only positioned rows are pruned
  auto lead = cluster(a_).acquireLease(store::kLeaderLease, kShortTtl);
  ASSERT_TRUE(lead.ok() && lead->leading);
  // A fenced write under the live term goes through (nothing to prune: no follower).
  auto pruned = cluster(a_).pruneFeed(*lead, 0s);
  ASSERT_TRUE(pruned.ok()) << pruned.status().toString();
  EXPECT_EQ(*pruned, 0);

  // Every other backend of the test database, A's among them, is terminated: no session lock
  // would survive this; the lease row does, and it expires because A no longer renews it.
  EXPECT_GE(sql("SELECT COUNT(pg_terminate_backend(pid)) FROM pg_stat_activity "
                "WHERE datname = current_database() AND pid <> pg_backend_pid()"),
            1);
  LeaseTerm taken;
  ASSERT_TRUE(waitFor([&] {
    auto t = cluster(b_).acquireLease(store::kLeaderLease, 60s);
    if (t.ok() && t->leading) taken = *t;
    return t.ok() && t->leading;
  }));
  EXPECT_GT(taken.term, lead->term);

  // A's fenced write with its old term is refused (its pool reconnects first), and deletes
  // nothing even though a follower would allow it.
  ASSERT_TRUE(cluster(b_).recordFollower(1'000'000).ok());
  Status refused;
  ASSERT_TRUE(waitFor([&] {
    auto r = cluster(a_).pruneFeed(*lead, 0s);
    refused = r.status();
    return r.status().code() != StatusCode::kUnavailable;
  }));
  EXPECT_EQ(refused.code(), StatusCode::kFailedPrecondition) << refused.toString();
  EXPECT_EQ(sql("SELECT COUNT(*) FROM changes"), 2);
  // The new leader's write under its term goes through.
  auto by_b = cluster(b_).pruneFeed(taken, 0s);
  ASSERT_TRUE(by_b.ok()) << by_b.status().toString();
  EXPECT_EQ(*by_b, 1);  // the newest row stays (positions number on from it)
}

TEST_F(PgClusterTest, PruningNeverRemovesARowALiveFollowerHasNotPassed) {
  for (int i = 1; i <= 6; ++i) put("d" + std::to_string(i), "gamma");
  ASSERT_EQ(a_->lastChangeSeq().value(), 6);
  auto lead = cluster(a_).acquireLease(store::kLeaderLease, 60s);
  ASSERT_TRUE(lead.ok() && lead->leading);
  // No live follower: nothing goes.
  EXPECT_EQ(cluster(a_).pruneFeed(*lead, 0s).value(), 0);
  ASSERT_TRUE(cluster(a_).recordFollower(6).ok());
  ASSERT_TRUE(cluster(b_).recordFollower(3).ok());
  // Within the retention nothing goes either.
  EXPECT_EQ(cluster(a_).pruneFeed(*lead, 3600s).value(), 0);
  EXPECT_EQ(sql("SELECT COUNT(*) FROM changes"), 6);
  // The slowest live follower (B, at 3) bounds it.
  EXPECT_EQ(cluster(a_).pruneFeed(*lead, 0s).value(), 3);
  EXPECT_EQ(sql("SELECT MIN(seq) FROM changes"), 4);
  auto page = cluster(b_).readFeed(0, 3, 100);
  ASSERT_TRUE(page.ok()) << page.status().toString();
  EXPECT_FALSE(page->resync);
  ASSERT_EQ(page->changes.size(), 3u);
  EXPECT_EQ(page->changes.front().seq, 4);
  // Behind the horizon: resync, never a page with a gap.
  auto behind = cluster(b_).readFeed(0, 2, 100);
  ASSERT_TRUE(behind.ok());
  EXPECT_TRUE(behind->resync);
  EXPECT_TRUE(behind->changes.empty());
  // A follower silent for longer than the liveness no longer holds pruning back.
  ASSERT_GE(sql("UPDATE feed_followers SET heartbeat_at = clock_timestamp() - interval '1 hour' "
                "WHERE cursor = 3 RETURNING 1"),
            1);
  EXPECT_EQ(cluster(a_).pruneFeed(*lead, 0s).value(), 2);    // up to A's 6, the newest stays
  EXPECT_EQ(sql("SELECT COUNT(*) FROM feed_followers"), 2);  // silent for an hour: kept
  ASSERT_GE(sql("UPDATE feed_followers SET heartbeat_at = clock_timestamp() - interval '2 days' "
                "WHERE cursor = 3 RETURNING 1"),
            1);
  EXPECT_EQ(cluster(a_).pruneFeed(*lead, 0s).value(), 0);
  EXPECT_EQ(sql("SELECT COUNT(*) FROM feed_followers"), 1);  // silent for a day: forgotten
  // Positions go on after the newest row, never back.
  put("d7", "gamma");
  EXPECT_EQ(a_->lastChangeSeq().value(), 7);
}

TEST_F(PgClusterTest, AnIndexBehindThePrunedHorizonResyncsAndConverges) {
  for (int i = 1; i <= 4; ++i) put("d" + std::to_string(i), "delta omega");
  auto behind = openIndexOn(*b_);
  ASSERT_NE(behind, nullptr);
  EXPECT_EQ(found(*behind, "delta").size(), 4u);
  // While B is away: documents change, one is deleted, the feed is pruned past B's cursor.
  put("d5", "delta omega");
  put("d2", "epsilon omega");
  ASSERT_TRUE(a_->deleteDocument("default", "d3").ok());
  put("d6", "delta omega");
  auto lead = cluster(a_).acquireLease(store::kLeaderLease, 60s);
  ASSERT_TRUE(lead.ok() && lead->leading);
  ASSERT_TRUE(cluster(a_).recordFollower(a_->lastChangeSeq().value()).ok());
  ASSERT_GT(cluster(a_).pruneFeed(*lead, 0s).value(), 4);
  ASSERT_TRUE(behind->catchUp().ok());
  auto fresh = openIndexOn(*a_);  // a node that starts now also bootstraps past the horizon
  ASSERT_NE(fresh, nullptr);
  EXPECT_EQ(found(*behind, "delta"), found(*fresh, "delta"));
  EXPECT_EQ(found(*behind, "delta").size(), 4u);  // d1, d4, d5, d6 (d2 changed, d3 deleted)
  EXPECT_EQ(found(*behind, "epsilon"), found(*fresh, "epsilon"));
  EXPECT_EQ(found(*behind, "omega"), found(*fresh, "omega"));
  EXPECT_EQ(behind->stats().chunks, fresh->stats().chunks);
  EXPECT_EQ(behind->stats().applied_seq, a_->lastChangeSeq().value());
  // And it follows the feed on from there.
  put("d7", "delta omega");
  ASSERT_TRUE(behind->catchUp().ok());
  ASSERT_TRUE(fresh->catchUp().ok());
  EXPECT_EQ(found(*behind, "delta"), found(*fresh, "delta"));
}

TEST_F(PgClusterTest, ANewEpochMakesAnIndexRebuildAfterARestoreRewoundTheFeed) {
  for (int i = 1; i <= 4; ++i) put("d" + std::to_string(i), "zeta");
  auto follower = openIndexOn(*b_);
  ASSERT_NE(follower, nullptr);
  EXPECT_EQ(found(*follower, "zeta").size(), 4u);
  // A logical restore of the state after d1 and d2: d3 and d4 and their feed rows are gone, so
  // the feed's positions are behind the follower's cursor. The operator starts a new epoch.
  ASSERT_GE(sql("WITH d AS (DELETE FROM documents WHERE ext_id IN ('d3','d4') RETURNING id), "
                "c AS (DELETE FROM chunks WHERE doc_id IN (SELECT id FROM d) RETURNING 1) "
                "SELECT COUNT(*) FROM d"),
            2);
  ASSERT_GE(sql("WITH g AS (DELETE FROM changes WHERE seq > 2 RETURNING 1) SELECT COUNT(*) FROM g"),
            0);
  const std::string old_id = b_->storeId().value();
  auto epoch = cluster(a_).newEpoch();
  ASSERT_TRUE(epoch.ok()) << epoch.status().toString();
  EXPECT_EQ(*epoch, 2);
  EXPECT_NE(b_->storeId().value(), old_id);  // old checkpoints no longer load
  // Positions 3 and 4 again: the feed's last position is the follower's cursor, so only the
  // epoch tells that these are not the rows it applied.
  put("d5", "zeta");
  put("d6", "zeta");
  ASSERT_EQ(a_->lastChangeSeq().value(), 4);
  ASSERT_TRUE(follower->catchUp().ok());
  auto fresh = openIndexOn(*a_);
  ASSERT_NE(fresh, nullptr);
  EXPECT_EQ(found(*fresh, "zeta").size(), 4u);  // d1, d2, d5, d6
  EXPECT_EQ(found(*follower, "zeta"), found(*fresh, "zeta"));
}

TEST_F(PgClusterTest, AFeedThatWentBackBelowACursorMakesTheIndexRebuildWithoutANewEpoch) {
  for (int i = 1; i <= 4; ++i) put("d" + std::to_string(i), "theta");
  auto follower = openIndexOn(*b_);
  ASSERT_NE(follower, nullptr);
  EXPECT_EQ(found(*follower, "theta").size(), 4u);
  // A restore of the state after d1 and d2 that nobody marked with a new epoch.
  ASSERT_GE(sql("WITH d AS (DELETE FROM documents WHERE ext_id IN ('d3','d4') RETURNING id), "
                "c AS (DELETE FROM chunks WHERE doc_id IN (SELECT id FROM d) RETURNING 1) "
                "SELECT COUNT(*) FROM d"),
            2);
  ASSERT_GE(sql("WITH g AS (DELETE FROM changes WHERE seq > 2 RETURNING 1) SELECT COUNT(*) FROM g"),
            0);
  put("d5", "theta");  // position 3, below the follower's cursor (4)
  auto page = cluster(b_).readFeed(1, 4, 100);
  ASSERT_TRUE(page.ok()) << page.status().toString();
  EXPECT_TRUE(page->resync);
  ASSERT_TRUE(follower->catchUp().ok());
  auto fresh = openIndexOn(*a_);
  ASSERT_NE(fresh, nullptr);
  EXPECT_EQ(found(*fresh, "theta").size(), 3u);  // d1, d2, d5
  EXPECT_EQ(found(*follower, "theta"), found(*fresh, "theta"));
}

}  // namespace
}  // namespace ward
