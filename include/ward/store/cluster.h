// Work across nodes that share one store (docs/design/store.md, "Leader lease and feed pruning"):
// a leader lease with a fencing term, the followers' feed cursors that feed pruning respects, and
// the store epoch with the pruned horizon, behind which a follower rebuilds its index from a
// snapshot instead of reading the feed with a gap. Implemented by the PostgreSQL store; SQLite
// (one process, one node) has none of it: callers find it with dynamic_cast on their Store.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "ward/common/status.h"
#include "ward/store/records.h"

namespace ward::store {

// The lease that leader-only work runs under.
inline constexpr const char* kLeaderLease = "leader";
// A lease's time to live (ward.toml [store] lease_ttl_ms), and its limits. A leader renews at
// kLeaseRenewDivisor times per TTL, so a node that stops renewing loses the lease within one TTL.
inline constexpr std::chrono::milliseconds kLeaseTtl{15'000};
inline constexpr int64_t kLeaseTtlMinMs = 1'000;
inline constexpr int64_t kLeaseTtlMaxMs = 600'000;
inline constexpr int kLeaseRenewDivisor = 3;
// How long a feed row is kept at least, whoever has read it (ward.toml [store]
// feed_retention_s), and its limits.
inline constexpr std::chrono::seconds kFeedRetention{3600};
inline constexpr int64_t kFeedRetentionMinS = 0;
inline constexpr int64_t kFeedRetentionMaxS = 30 * 86'400;
// A follower records its cursor at most this often; one silent for kFollowerLiveness no longer
// holds pruning back (when it returns behind the pruned horizon, it resyncs).
inline constexpr std::chrono::seconds kFollowerHeartbeat{5};
inline constexpr std::chrono::seconds kFollowerLiveness{60};
// A follower's row silent this long is deleted by the leader's pruning (node ids are made at each
// start, so every restart leaves one behind).
inline constexpr std::chrono::seconds kFollowerForget{86'400};
// Feed rows one pruning statement deletes at most (it runs again while rows remain).
inline constexpr int kPruneBatch = 10'000;

// A node's view of a lease after acquiring or renewing it.
struct LeaseTerm {
  std::string name;
  std::string holder;  // the node holding it (this node when `leading`)
  int64_t term = 0;    // grows by one with every change of holder
  bool leading = false;
};

// One page of the change feed read with the follower's epoch. `resync` says the follower cannot
// go on from its cursor: the epoch changed (a restore), rows after the cursor were pruned, or
// the cursor is above the feed's last position (the feed went back: a restore without a new
// epoch).
struct FeedPage {
  std::vector<Change> changes;
  int64_t epoch = 0;
  bool resync = false;
};

// Where a rebuild from a snapshot starts following the feed: the last position at the time the
// live documents are listed afterwards (a document changed later is read again from the feed).
struct FeedResyncPoint {
  int64_t epoch = 0;
  int64_t seq = 0;
};

class ClusterStore {
 public:
  virtual ~ClusterStore() = default;

  // This process's node id, made when the store was opened.
  virtual const std::string& nodeId() const = 0;

  // Acquires the lease `name` for `ttl` when it is free or expired, or renews it when this node
  // holds it, in one statement on the database's clock. A change of holder increments the term.
  // Not leading (with the holder and term) when another node holds it.
  virtual Result<LeaseTerm> acquireLease(const std::string& name,
                                         std::chrono::milliseconds ttl) = 0;
  // Gives the lease up at once (at shutdown) when this node holds it under `term`.
  virtual Status releaseLease(const LeaseTerm& term) = 0;

  // Leader-only: deletes feed rows that every live follower has passed and that are older than
  // `retention`, fenced: refused (FailedPrecondition, nothing deleted) unless `term` still holds
  // the lease in the same transaction. Returns the rows deleted.
  virtual Result<int64_t> pruneFeed(const LeaseTerm& term, std::chrono::seconds retention) = 0;

  // Records this node's feed cursor (its index's applied position) with a heartbeat.
  virtual Status recordFollower(int64_t cursor) = 0;

  // Changes after `seq` read together with the epoch and the pruned horizon in one snapshot.
  // `epoch` 0 adopts the store's epoch.
  virtual Result<FeedPage> readFeed(int64_t epoch, int64_t seq, int limit) = 0;
  // The start of a rebuild: the epoch and the last feed position now.
  virtual Result<FeedResyncPoint> resyncPoint() = 0;
  // Ids of live (not deleted) documents above `after_id`, ascending, at most `limit`.
  virtual Result<std::vector<int64_t>> liveDocumentIds(int64_t after_id, int limit) = 0;

  // Starts a new epoch (after a logical restore: `ward migrate --new-epoch`): every follower
  // rebuilds its index, and index checkpoints of the old epoch are refused (the store id changes
  // with it). Returns the new epoch.
  virtual Result<int64_t> newEpoch() = 0;
};

}  // namespace ward::store
