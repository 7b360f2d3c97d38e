// Sync alerts (docs/design/ingest.md, "Alerts"): a source in the error state, one whose last run
// is held by the mass-deletion / mass-exposure guard, or one whose lag passes its SLO, raises an
// alert once per episode and a recovery once when it ends.
// AlertTracker decides (dedupe); AlertNotifier (alert_notifier.h) delivers. The alert's JSON is
// the webhook body of docs/formats/alert-webhook.md.
#pragma once

#include <cstdint>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "ward/common/json.h"
#include "ward/common/mutex.h"
#include "ward/ingest/source_config.h"

namespace ward::ingest {

// The webhook body's `version`.
inline constexpr int kAlertFormatVersion = 1;

enum class AlertKind { kError, kHeld, kContentLag, kDeletionLag, kAclLag };
std::string_view alertKindName(AlertKind k);
enum class AlertState { kRaised, kRecovered };
std::string_view alertStateName(AlertState s);

struct SyncAlert {
  std::string tenant;
  std::string source;
  AlertKind kind = AlertKind::kError;
  AlertState state = AlertState::kRaised;
  double value = 0;  // consecutive failed runs, 1 while a run is held, or the lag in seconds
  double limit = 0;  // kErrorAfterFailures, 0 for a held run, or the SLO in seconds
  std::string message;
  int64_t at_us = 0;
  Json toJson() const;  // docs/formats/alert-webhook.md
};

// One source as the scheduler sees it at one moment.
struct SourceObservation {
  int consecutive_failures = 0;
  bool held = false;  // the last run ended held by the guard, waiting for an admin's approval
  // The lags of `ward sources` (none: no such pass yet).
  std::optional<double> content_lag_s, deletion_lag_s, acl_lag_s;
  // How long this process has watched the source: a lag with no pass yet counts as this long.
  double watched_s = 0;
  std::string last_message;  // the last run's message (why it failed)
};

// Remembers which alerts are raised, so that an episode alerts once and its end once.
// Thread-safe (the scheduler observes, /metrics reads).
class AlertTracker {
 public:
  // The alerts whose state changed with this observation (raised or recovered), in kind order.
  std::vector<SyncAlert> observe(const std::string& tenant, const SourceConfig& source,
                                 const SourceObservation& o, int64_t now_us);
  bool raised(const std::string& source, AlertKind kind) const;
  // (source, kind) of every raised alert, sorted.
  std::vector<std::pair<std::string, AlertKind>> raisedAlerts() const;

 private:
  mutable Mutex mu_;
  std::set<std::pair<std::string, AlertKind>> raised_ WARD_GUARDED_BY(mu_);
};

}  // namespace ward::ingest
