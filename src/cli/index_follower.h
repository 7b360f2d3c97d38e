// Keeps a server's index following the store's change feed while it serves, so that a change
// committed by another process (`ward rm` or `ward ingest` beside `ward serve`) reaches the
// server's index, and a delete leaves index/ (docs/design/index.md, "Purging deleted text"), within
// kIndexFollowInterval even when no request arrives.
#pragma once

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>

#include "ward/common/mutex.h"
#include "ward/index/index.h"

namespace ward::cli {

constexpr std::chrono::seconds kIndexFollowInterval{5};

class IndexFollower {
 public:
  explicit IndexFollower(index::Index& index);
  ~IndexFollower();  // stops and joins

 private:
  index::Index& index_;
  Mutex mu_;
  CondVar cv_;
  bool stop_ WARD_GUARDED_BY(mu_) = false;
  std::thread thread_;
};

}  // namespace ward::cli
