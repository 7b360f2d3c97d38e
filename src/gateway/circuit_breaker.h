// One circuit breaker per backend (scheme://host:port): after `threshold` consecutive failures
// the circuit opens for `open_us`; then one trial call is let through (half-open) and its outcome
// closes or re-opens it. Thread-safe.
#pragma once

#include <cstdint>
#include <map>
#include <mutex>
#include <string>

#include "ward/common/clock.h"
#include "ward/common/mutex.h"
#include "ward/common/status.h"

namespace ward::gateway {

class CircuitBreakers {
 public:
  CircuitBreakers(const Clock& clock, int threshold = 5, int64_t open_us = 30'000'000)
      : clock_(clock), threshold_(threshold), open_us_(open_us) {}
  // Ok to call, or Unavailable (with retry-after) while the circuit is open.
  Status admit(const std::string& backend);
  void recordSuccess(const std::string& backend);
  void recordFailure(const std::string& backend);

 private:
  struct State {
    int failures = 0;
    int64_t open_until = 0;
    bool trial_in_flight = false;
  };
  const Clock& clock_;
  const int threshold_;
  const int64_t open_us_;
  Mutex mu_;
  std::map<std::string, State> states_ WARD_GUARDED_BY(mu_);
};

}  // namespace ward::gateway
