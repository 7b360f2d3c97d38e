#include "ward/server/index_follower.h"

#include <cstdlib>
#include <string>

#include "ward/common/log.h"
#include "ward/store/cluster.h"

namespace ward::server {

Result<std::chrono::milliseconds> indexFollowInterval() {
  const char* env = std::getenv(kIndexFollowEnv);
  if (env == nullptr || *env == '\0') return kIndexFollowInterval;
  char* end = nullptr;
  long long ms = std::strtoll(env, &end, 10);
  if (*end != '\0' || ms < kIndexFollowMinMs || ms > kIndexFollowMaxMs) {
    return Status::invalidArgument(std::string(kIndexFollowEnv) + " must be a whole number of " +
                                   "milliseconds from " + std::to_string(kIndexFollowMinMs) +
                                   " to " + std::to_string(kIndexFollowMaxMs) + " (got '" + env +
                                   "')");
  }
  return std::chrono::milliseconds(ms);
}

IndexFollower::IndexFollower(index::Index& index, store::Store& store,
                             std::chrono::milliseconds interval)
    : index_(index), store_(store), interval_(interval) {
  thread_ = std::thread([this] { run(); });
}

IndexFollower::~IndexFollower() {
  {
    MutexLock lock(mu_);
    stop_ = true;
    if (listener_) listener_->interrupt();
  }
  cv_.notifyAll();
  if (thread_.joinable()) thread_.join();
}

void IndexFollower::run() {
  auto* cluster = dynamic_cast<store::ClusterStore*>(&store_);
  std::chrono::steady_clock::time_point recorded{};
  while (waitForWork()) {
    auto applied = index_.catchUp();
    if (!applied.ok()) {
      logWarn("index: following the change feed: " + applied.status().toString());
      continue;
    }
    // The cursor feed pruning must not pass (store/cluster.h), at most every kFollowerHeartbeat.
    const auto now = std::chrono::steady_clock::now();
    if (cluster != nullptr && now - recorded >= store::kFollowerHeartbeat) {
      Status s = cluster->recordFollower(index_.stats().applied_seq);
      if (s.ok()) {
        recorded = now;
      } else {
        logWarn("index: recording the feed cursor: " + s.toString());
      }
    }
  }
}

bool IndexFollower::waitForWork() {
  store::ChangeListener* listener = nullptr;
  {
    MutexLock lock(mu_);
    if (stop_) return false;
    auto* source = dynamic_cast<store::ChangeListenerSource*>(&store_);
    if (!listener_ && source != nullptr) {
      // (Re)open the listener; without one (SQLite, or PostgreSQL unreachable) the poll alone
      // follows the feed, and the next round tries again.
      auto opened = source->listenForChanges();
      if (opened.ok()) {
        listener_ = std::move(opened).value();
        listen_failed_ = false;
      } else if (!listen_failed_) {
        listen_failed_ = true;
        logWarn("index: change wake-ups unavailable, polling every " +
                std::to_string(interval_.count()) + " ms: " + opened.status().toString());
      }
    }
    if (!listener_) {
      return !cv_.waitFor(lock, interval_, [this]() WARD_REQUIRES(mu_) { return stop_; });
    }
    listener = listener_.get();
  }
  // Only this thread replaces listener_, so the pointer stays valid while it waits unlocked.
  Result<bool> woke = listener->wait(interval_);
  MutexLock lock(mu_);
  if (!woke.ok()) {
    logWarn("index: change wake-ups lost, reconnecting: " + woke.status().toString());
    listener_.reset();
  }
  return !stop_;
}

}  // namespace ward::server
