// A source's health between runs (docs/design/ingest.md, "Failures, backoff and the error
// state"): how long `ward serve` waits before retrying a failed run (exponential backoff with
// jitter, never sooner than the source's own retry-after), and when consecutive failed runs put
// the source in the `error` state. Pure functions over the stored runs; thread-safe.
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

#include "ward/store/sync_store.h"

namespace ward::ingest {

// The first retry after a failed run waits this long (`retry_min_s` in [[sources]]); every
// further consecutive failure doubles it, up to kSyncRetryMaxSeconds.
inline constexpr double kSyncRetryMinSeconds = 30;
inline constexpr double kSyncRetryMaxSeconds = 3600;
// The delay is drawn uniformly from [(1 - kSyncRetryJitter) * d, d], so sources that failed
// together do not retry together.
inline constexpr double kSyncRetryJitter = 0.5;
// A source's own retry-after (a 429's Retry-After) is honoured up to this long.
inline constexpr double kMaxRetryAfterSeconds = 3600;
// This many consecutive failed runs put a source in the `error` state; a run that does not fail
// clears it.
inline constexpr int kErrorAfterFailures = 5;

enum class SourceHealth { kOk, kError };
std::string_view sourceHealthName(SourceHealth h);

// Failed runs at the head of `newest_first` (runs of one source, newest first); a running run is
// skipped, any other state ends the count.
int consecutiveFailures(const std::vector<store::SyncRunRecord>& newest_first);
SourceHealth healthOf(int consecutive_failures);

struct RetryPolicy {
  double min_s = kSyncRetryMinSeconds;
  double max_s = kSyncRetryMaxSeconds;
  double jitter = kSyncRetryJitter;
};

// Seconds to wait after the `failures`-th consecutive failure (>= 1): min_s * 2^(failures - 1),
// capped at max_s, jittered by `unit` (uniform in [0, 1): 0 gives the shortest delay), and never
// less than `retry_after_s` (capped at kMaxRetryAfterSeconds). `failures` 0 returns the
// retry-after alone.
double retryDelaySeconds(const RetryPolicy& policy, int failures, double retry_after_s,
                         double unit);

}  // namespace ward::ingest
