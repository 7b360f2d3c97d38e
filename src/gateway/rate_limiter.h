// Token buckets keyed by string ("t/<tenant>/tool/<name>", ...), refilled from an injectable
// clock. In-process state: each Ward process enforces its own buckets. Thread-safe.
#pragma once

#include <cstdint>
#include <mutex>
#include <string>
#include <unordered_map>

#include "ward/common/clock.h"
#include "ward/common/mutex.h"
#include "ward/gateway/tool_definition.h"

namespace ward::gateway {

class RateLimiter {
 public:
  explicit RateLimiter(const Clock& clock) : clock_(clock) {}
  // Takes one token from bucket `key` (created full). Returns 0 when taken, else the
  // microseconds until a token will be available (nothing taken).
  int64_t tryTake(const std::string& key, const RateSpec& spec);

 private:
  struct Bucket {
    double tokens = 0;
    int64_t updated_us = 0;
  };
  const Clock& clock_;
  Mutex mu_;
  std::unordered_map<std::string, Bucket> buckets_ WARD_GUARDED_BY(mu_);
};

}  // namespace ward::gateway
