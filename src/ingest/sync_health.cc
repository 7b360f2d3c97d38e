// Backoff and the error state (sync_health.h).
#include "ward/ingest/sync_health.h"

#include <algorithm>
#include <cmath>

namespace ward::ingest {

std::string_view sourceHealthName(SourceHealth h) {
  return h == SourceHealth::kError ? "error" : "ok";
}

int consecutiveFailures(const std::vector<store::SyncRunRecord>& newest_first) {
  int n = 0;
  for (const auto& r : newest_first) {
    if (r.state == store::SyncRunState::kRunning) continue;
    if (r.state != store::SyncRunState::kFailed) break;
    ++n;
  }
  return n;
}

SourceHealth healthOf(int consecutive_failures) {
  return consecutive_failures >= kErrorAfterFailures ? SourceHealth::kError : SourceHealth::kOk;
}

double retryDelaySeconds(const RetryPolicy& policy, int failures, double retry_after_s,
                         double unit) {
  const double after = std::clamp(retry_after_s, 0.0, kMaxRetryAfterSeconds);
  if (failures <= 0) return after;
  // 2^62 overflows nothing in a double; the cap applies long before.
  const double base =
      std::min(policy.max_s, policy.min_s * std::ldexp(1.0, std::min(failures - 1, 62)));
  const double u = std::clamp(unit, 0.0, 1.0);
  const double jittered = base * (1.0 - policy.jitter + policy.jitter * u);
  return std::max(jittered, after);
}

}  // namespace ward::ingest
