#include "rate_limiter.h"
#include "ward/common/mutex.h"

#include <algorithm>
#include <cmath>

namespace ward::gateway {

int64_t RateLimiter::tryTake(const std::string& key, const RateSpec& spec) {
  const int64_t now = clock_.nowMicros();
  MutexLock lock(mu_);
  auto [it, inserted] = buckets_.try_emplace(key);
  Bucket& b = it->second;
  if (inserted) {
    b.tokens = spec.burst;
  } else if (now > b.updated_us) {
    b.tokens =
        std::min(spec.burst, b.tokens + spec.rate * static_cast<double>(now - b.updated_us) / 1e6);
  }
  b.updated_us = std::max(b.updated_us, now);
  if (b.tokens >= 1.0) {
    b.tokens -= 1.0;
    return 0;
  }
  return static_cast<int64_t>(std::ceil((1.0 - b.tokens) / spec.rate * 1e6));
}

}  // namespace ward::gateway
