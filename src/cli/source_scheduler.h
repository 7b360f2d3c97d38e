// `ward serve`'s sync of the [[sources]] (docs/design/ingest.md, "Sync under ward serve"): one
// thread that runs each source once at start, again every `schedule_s` seconds when set, and,
// for folder sources, within about kWatchQuiet of the last inotify event under the root; a failed
// run is retried with backoff (sync_health.h) and the sources' error states and SLOs raise alerts
// (sync_alerts.h, alert_notifier.h); the sources' freshness lags on /metrics.
#pragma once

#include <chrono>
#include <memory>
#include <thread>

#include "sync_wiring.h"
#include "ward/common/metrics.h"
#include "ward/ingest/alert_notifier.h"
#include "ward/ingest/sync_alerts.h"

namespace ward::cli {

// A burst of events (an editor's save, a copied tree) is one run: the run starts once no event
// came for this long, or kWatchMaxDelay after the first one.
constexpr std::chrono::milliseconds kWatchQuiet{200};
constexpr std::chrono::milliseconds kWatchMaxDelay{2000};
// A run refused because another process runs the source is tried again after this long.
constexpr std::chrono::seconds kSyncBusyRetry{5};
// The sources' error states and lags are checked against their SLOs this often (and after each
// run).
constexpr std::chrono::seconds kAlertCheckInterval{5};

class SourceScheduler {
 public:
  // Starts the thread; `wiring` must outlive the scheduler.
  SourceScheduler(CliContext& ctx, SyncWiring& wiring);
  ~SourceScheduler();  // stops and joins (a run in progress is finished first)

 private:
  void loop();
  // Raises or ends the alerts of every source (`watched_s`: seconds since the scheduler started).
  void checkAlerts(double watched_s);

  CliContext& ctx_;
  SyncWiring& wiring_;
  int wake_fd_ = -1;  // eventfd: written to stop
  // ward_sync_lag_seconds{source,kind}: the lags of `ward sources` (content, deletion, acl,
  // membership); registered only with server.metrics_data_gauges (/metrics needs no
  // authentication).
  GaugeRegistration lag_gauge_;
  // ward_sync_source_error{source} (1 in the error state) and ward_sync_slo_breach{source,kind}
  // (1 while a lag is above its SLO): gated like the lags.
  GaugeRegistration error_gauge_, breach_gauge_;
  ingest::AlertTracker alerts_;
  std::unique_ptr<ingest::AlertNotifier> notifier_;
  std::thread thread_;
};

}  // namespace ward::cli
