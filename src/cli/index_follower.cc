#include "index_follower.h"

#include "ward/common/log.h"

namespace ward::cli {

IndexFollower::IndexFollower(index::Index& index) : index_(index) {
  thread_ = std::thread([this] {
    std::unique_lock<std::mutex> lock(mu_);
    while (!cv_.wait_for(lock, kIndexFollowInterval, [this] { return stop_; })) {
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
    std::lock_guard<std::mutex> lock(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

}  // namespace ward::cli
