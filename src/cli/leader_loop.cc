#include "leader_loop.h"

#include "ward/common/log.h"

namespace ward::cli {

LeaderLoop::LeaderLoop(store::ClusterStore& cluster, const store::ClusterOptions& options)
    : cluster_(cluster), options_(options) {
  logInfo("store: node " + cluster_.nodeId() + " follows lease '" + store::kLeaderLease +
          "' (ttl " + std::to_string(options_.lease_ttl.count()) + " ms, feed retention " +
          std::to_string(options_.feed_retention.count()) + " s)");
  gauge_ = metrics().registerGauge(
      "ward_store_leader",
      "1 while this node holds the store's leader lease (leader-only work runs here), else 0.",
      [this] {
        return std::vector<GaugeSample>{
            {{{"lease", store::kLeaderLease}}, leading_.load() ? 1.0 : 0.0}};
      });
  thread_ = std::thread([this] { run(); });
}

LeaderLoop::~LeaderLoop() {
  {
    MutexLock lock(mu_);
    stop_ = true;
  }
  cv_.notifyAll();
  if (thread_.joinable()) thread_.join();
  gauge_.reset();
  if (leading_.load()) {
    // Another node takes over at once rather than after the TTL.
    Status s = cluster_.releaseLease(term_);
    if (!s.ok()) logWarn("store: releasing the leader lease: " + s.toString());
  }
}

void LeaderLoop::run() {
  const auto every = options_.lease_ttl / store::kLeaseRenewDivisor;
  while (true) {
    round();
    MutexLock lock(mu_);
    if (cv_.waitFor(lock, every, [this]() WARD_REQUIRES(mu_) { return stop_; })) return;
  }
}

void LeaderLoop::round() {
  auto got = cluster_.acquireLease(store::kLeaderLease, options_.lease_ttl);
  if (!got.ok()) {
    // Without the database this node cannot renew: it stops acting as leader now; its lease
    // runs out on the database's clock and fenced writes under its term are refused anyway.
    if (leading_.exchange(false)) {
      logWarn("store: leader lease not renewed, no longer leading: " + got.status().toString());
    }
    return;
  }
  const bool was = leading_.exchange(got->leading);
  if (got->leading && (!was || got->term != term_.term)) {
    logInfo("store: node " + cluster_.nodeId() + " leads (lease '" + got->name + "', term " +
            std::to_string(got->term) + ")");
  } else if (!got->leading && was) {
    logWarn("store: node " + cluster_.nodeId() + " lost the leader lease to " + got->holder +
            " (term " + std::to_string(got->term) + ")");
  }
  term_ = *got;
  if (!got->leading) return;
  auto pruned = cluster_.pruneFeed(term_, options_.feed_retention);
  if (!pruned.ok()) {
    if (pruned.status().code() == StatusCode::kFailedPrecondition) leading_.store(false);
    logWarn("store: feed pruning: " + pruned.status().toString());
  }
}

}  // namespace ward::cli
