// The moment a streamed proxy answer's fate is known to its handler: started (an HTTP 200
// stream follows) or failed before anything was sent (an HTTP error). Shared by the chat
// completions and responses front doors.
#pragma once

#include <condition_variable>
#include <mutex>

#include "ward/common/status.h"

namespace ward::http {

struct StreamStart {
  std::mutex mu;
  std::condition_variable cv;
  bool decided = false;  // guarded by mu
  Status status;         // guarded by mu

  void decide(Status s) {
    std::lock_guard lock(mu);
    if (decided) return;
    decided = true;
    status = std::move(s);
    cv.notify_all();
  }
  Status wait() {
    std::unique_lock lock(mu);
    cv.wait(lock, [this] { return decided; });
    return status;
  }
};

}  // namespace ward::http
