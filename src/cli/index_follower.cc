#include "index_follower.h"

#include "ward/common/log.h"
#include "ward/common/mutex.h"

namespace ward::cli {

IndexFollower::IndexFollower(index::Index& index) : index_(index) {
  thread_ = std::thread([this] {
    MutexLock lock(mu_);
    while (
        !cv_.waitFor(lock, kIndexFollowInterval, [this]() WARD_REQUIRES(mu_) { return stop_; })) {
      lock.unlock();
      auto applied = index_.catchUp();
      if (!applied.ok()) {
        logWarn("index: following the change feed: " + applied.status().toString());
      }
      lock.lock();
    }
  });
}

IndexFollower::~IndexFollower() {
  {
    MutexLock lock(mu_);
    stop_ = true;
  }
  cv_.notifyAll();
  if (thread_.joinable()) thread_.join();
}

}  // namespace ward::cli
