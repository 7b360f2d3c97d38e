// `ward serve`'s sync of the [[sources]] (docs/design/ingest.md, "Sync under ward serve"): one
// thread that runs each source once at start, again every `schedule_s` seconds when set, and,
// for folder sources, within about kWatchQuiet of the last inotify event under the root; and the
// sources' freshness lags on /metrics.
#pragma once

#include <chrono>
#include <memory>
#include <thread>

#include "sync_wiring.h"
#include "ward/common/metrics.h"

namespace ward::cli {

// A burst of events (an editor's save, a copied tree) is one run: the run starts once no event
// came for this long, or kWatchMaxDelay after the first one.
constexpr std::chrono::milliseconds kWatchQuiet{200};
constexpr std::chrono::milliseconds kWatchMaxDelay{2000};
// A run refused because another process runs the source is tried again after this long.
constexpr std::chrono::seconds kSyncBusyRetry{5};

class SourceScheduler {
 public:
  // Starts the thread; `wiring` must outlive the scheduler.
  SourceScheduler(CliContext& ctx, SyncWiring& wiring);
  ~SourceScheduler();  // stops and joins (a run in progress is finished first)

 private:
  void loop();

  CliContext& ctx_;
  SyncWiring& wiring_;
  int wake_fd_ = -1;  // eventfd: written to stop
  // ward_sync_lag_seconds{source,kind}: the lags of `ward sources` (content, deletion, acl,
  // membership); registered only with server.metrics_data_gauges (/metrics needs no
  // authentication).
  GaugeRegistration lag_gauge_;
  std::thread thread_;
};

}  // namespace ward::cli
