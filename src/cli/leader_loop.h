// Leader-only work of `ward serve` on a shared store (docs/design/store.md, "Leader lease and
// feed pruning"): a thread that acquires or renews the store's leader lease every TTL /
// kLeaseRenewDivisor and, while this node leads, prunes the change feed under the lease's term
// (a fenced write: refused once another node holds the lease). Every node runs one; the lease
// decides which one works. Exposes ward_store_leader{lease="leader"} (1 while leading) in
// /metrics. Only for a store with ClusterStore (PostgreSQL); SQLite has one node and no feed
// pruning.
#pragma once

#include <atomic>
#include <chrono>
#include <thread>

#include "ward/common/metrics.h"
#include "ward/common/mutex.h"
#include "ward/store/cluster.h"
#include "ward/store/store_url.h"

namespace ward::cli {

class LeaderLoop {
 public:
  LeaderLoop(store::ClusterStore& cluster, const store::ClusterOptions& options);
  ~LeaderLoop();  // stops, joins, and releases the lease when this node holds it

  bool leading() const { return leading_.load(); }

 private:
  void run();
  // One round: acquire or renew, then the leader's work.
  void round();

  store::ClusterStore& cluster_;
  const store::ClusterOptions options_;
  std::atomic<bool> leading_{false};
  store::LeaseTerm term_;  // the thread's own; the last term held or seen
  Mutex mu_;
  CondVar cv_;
  bool stop_ WARD_GUARDED_BY(mu_) = false;
  GaugeRegistration gauge_;
  std::thread thread_;
};

}  // namespace ward::cli
