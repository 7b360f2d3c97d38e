// Keeps a server's index following the store's change feed while it serves, so that a change
// committed by another process (`ward rm` or `ward ingest` beside `ward serve`) reaches the
// server's index, and a delete leaves index/ (docs/design/index.md, "Purging deleted text"), within
// kIndexFollowInterval even when no request arrives.
#pragma once

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>

#include "ward/index/index.h"

namespace ward::cli {

constexpr std::chrono::seconds kIndexFollowInterval{5};

class IndexFollower {
 public:
  explicit IndexFollower(index::Index& index);
  ~IndexFollower();  // stops and joins

 private:
  index::Index& index_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool stop_ = false;  // guarded by mu_
  std::thread thread_;
};

}  // namespace ward::cli
