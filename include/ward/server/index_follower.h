// Keeps a server's index following the store's change feed while it serves, so that a change
// committed by another process (`ward rm` or `ward ingest` beside `ward serve`, another node on
// the same PostgreSQL database) reaches the server's index, and a delete leaves index/
// (docs/design/index.md, "Purging deleted text"), even when no request arrives. It reads the feed
// when the store's change listener wakes it (PostgreSQL: a writer's NOTIFY) and at least every
// `interval` (kIndexFollowInterval, or WARD_INDEX_FOLLOW_MS): the poll bounds the delay when a
// wake-up is lost or the store has none (SQLite). On a shared store (store/cluster.h) it also
// records the index's cursor every kFollowerHeartbeat, so feed pruning keeps what it has not read.
#pragma once

#include <chrono>
#include <memory>
#include <thread>

#include "ward/common/mutex.h"
#include "ward/index/index.h"
#include "ward/store/change_listener.h"
#include "ward/store/store.h"

namespace ward::server {

// How often `ward serve` reads the change feed without a wake-up, unless the environment
// variable kIndexFollowEnv (milliseconds, kIndexFollowMinMs to kIndexFollowMaxMs) says otherwise.
inline constexpr std::chrono::milliseconds kIndexFollowInterval{1000};
inline constexpr const char* kIndexFollowEnv = "WARD_INDEX_FOLLOW_MS";
inline constexpr int64_t kIndexFollowMinMs = 50;
inline constexpr int64_t kIndexFollowMaxMs = 86'400'000;
// kIndexFollowInterval, or the value of kIndexFollowEnv; InvalidArgument naming the variable when
// it is not a whole number of milliseconds in range.
Result<std::chrono::milliseconds> indexFollowInterval();

class IndexFollower {
 public:
  IndexFollower(index::Index& index, store::Store& store, std::chrono::milliseconds interval);
  ~IndexFollower();  // stops and joins

 private:
  void run();
  // Waits for a wake-up or the interval; false once stopping.
  bool waitForWork();

  index::Index& index_;
  store::Store& store_;
  const std::chrono::milliseconds interval_;
  Mutex mu_;
  CondVar cv_;
  bool stop_ WARD_GUARDED_BY(mu_) = false;
  // Made and replaced by the follower's thread only; interrupted by the destructor under mu_.
  std::unique_ptr<store::ChangeListener> listener_ WARD_GUARDED_BY(mu_);
  bool listen_failed_ WARD_GUARDED_BY(mu_) = false;  // warned once until a listener opens again
  std::thread thread_;
};

}  // namespace ward::server
