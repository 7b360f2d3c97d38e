#include "circuit_breaker.h"
#include "ward/common/mutex.h"

namespace ward::gateway {

Status CircuitBreakers::admit(const std::string& backend) {
  MutexLock lock(mu_);
  State& s = states_[backend];
  if (s.failures < threshold_) return Status();
  const int64_t now = clock_.nowMicros();
  if (now < s.open_until || s.trial_in_flight) {
    int64_t wait_s = s.trial_in_flight ? 1 : (s.open_until - now + 999'999) / 1'000'000;
    Status st = Status::unavailable("backend " + backend + " is failing (circuit open after " +
                                    std::to_string(s.failures) + " consecutive failures)");
    st.withRetryAfterSeconds(wait_s);
    return st;
  }
  s.trial_in_flight = true;  // half-open: this call is the trial
  return Status();
}

void CircuitBreakers::recordSuccess(const std::string& backend) {
  MutexLock lock(mu_);
  states_[backend] = State{};
}

void CircuitBreakers::recordFailure(const std::string& backend) {
  MutexLock lock(mu_);
  State& s = states_[backend];
  ++s.failures;
  s.trial_in_flight = false;
  if (s.failures >= threshold_) s.open_until = clock_.nowMicros() + open_us_;
}

}  // namespace ward::gateway
