#include "source_scheduler.h"

#include <poll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <vector>

#include "ward/common/clock.h"
#include "ward/common/log.h"
#include "ward/ingest/folder_root.h"
#include "ward/ingest/folder_watch.h"

namespace ward::cli {

namespace {

using Clock = std::chrono::steady_clock;

struct SourceState {
  const ingest::SourceConfig* config = nullptr;
  std::unique_ptr<ingest::FolderWatch> watch;
  Clock::time_point next_run;  // scheduled (or retried) run; max() = none
  bool dirty = false;          // events seen since the last run
  Clock::time_point first_event, last_event;
};

}  // namespace

SourceScheduler::SourceScheduler(CliContext& ctx, SyncWiring& wiring) : ctx_(ctx), wiring_(wiring) {
  wake_fd_ = ::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
  if (wiring_.sources.empty()) return;
  // Source names are data: like the store's gauges, only with server.metrics_data_gauges.
  if (ctx_.config().server.metrics_data_gauges)
    lag_gauge_ = metrics().registerGauge(
        "ward_sync_lag_seconds",
        "Seconds since the start of the last complete pass of each source, per kind (content, "
        "deletion, acl, membership); absent when there was none.",
        [this] {
          std::vector<GaugeSample> out;
          auto list = ingest::sourcesJson(*wiring_.sync, ctx_.tenant(), wiring_.sources,
                                          SystemClock::instance().nowMicros());
          if (!list.ok()) return out;
          for (const auto& s : *list) {
            for (const char* kind : {"content", "deletion", "acl", "membership"}) {
              const Json& v = s["lag_s"][kind];
              if (!v.is_number()) continue;
              out.push_back(
                  {{{"source", s["name"].get<std::string>()}, {"kind", kind}}, v.get<double>()});
            }
          }
          return out;
        });
  thread_ = std::thread([this] { loop(); });
}

SourceScheduler::~SourceScheduler() {
  if (wake_fd_ >= 0) {
    uint64_t one = 1;
    ssize_t n = ::write(wake_fd_, &one, sizeof(one));
    (void)n;
  }
  if (thread_.joinable()) thread_.join();
  if (wake_fd_ >= 0) ::close(wake_fd_);
}

void SourceScheduler::loop() {
  std::vector<SourceState> states;
  const auto start = Clock::now();
  for (const auto& s : wiring_.sources) {
    SourceState st;
    st.config = &s;
    st.next_run = start;  // every source once at start
    if (s.connector == "folder") {
      auto w =
          ingest::FolderWatch::open(s.root, s.max_depth > 0 ? s.max_depth : ingest::kMaxWalkDepth);
      if (w.ok()) {
        st.watch = std::move(w).value();
      } else {
        logWarn("sync: source '" + s.name + "': not watched: " + w.status().message());
      }
    }
    states.push_back(std::move(st));
  }
  for (;;) {
    const auto now = Clock::now();
    // Run what is due: scheduled, retried, or a settled burst of events.
    for (auto& st : states) {
      bool settled = st.dirty &&
                     (now - st.last_event >= kWatchQuiet || now - st.first_event >= kWatchMaxDelay);
      if (!settled && now < st.next_run) continue;
      st.dirty = false;
      st.next_run = st.config->schedule_s > 0 ? now + std::chrono::seconds(st.config->schedule_s)
                                              : Clock::time_point::max();
      auto r = wiring_.runner->run(ctx_.tenant(), *st.config, ingest::SyncRequest{});
      if (!r.ok()) {
        logWarn("sync: source '" + st.config->name + "': " + r.status().message());
        if (r.status().code() == StatusCode::kFailedPrecondition) {
          st.next_run = std::min(st.next_run, Clock::now() + kSyncBusyRetry);
        }
        continue;
      }
      const auto& run = r->run;
      std::string line = "sync: source '" + run.source + "' run " + std::to_string(run.id) + " " +
                         std::string(store::syncRunStateName(run.state)) + ": listed " +
                         std::to_string(run.listed) + ", indexed " + std::to_string(run.indexed) +
                         ", deleted " + std::to_string(run.deleted);
      if (!run.message.empty()) line += "; " + run.message;
      if (run.state == store::SyncRunState::kCompleted) {
        logInfo(line);
      } else {
        logWarn(line);
      }
    }
    // Wait for an event, the stop signal or the next deadline.
    auto deadline = Clock::time_point::max();
    std::vector<struct pollfd> fds{{wake_fd_, POLLIN, 0}};
    std::vector<size_t> owners{states.size()};
    for (size_t i = 0; i < states.size(); ++i) {
      auto& st = states[i];
      deadline = std::min(deadline, st.next_run);
      if (st.dirty)
        deadline =
            std::min({deadline, st.last_event + kWatchQuiet, st.first_event + kWatchMaxDelay});
      if (st.watch) {
        fds.push_back({st.watch->fd(), POLLIN, 0});
        owners.push_back(i);
      }
    }
    int timeout_ms = 1000;
    if (deadline != Clock::time_point::max()) {
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
      timeout_ms = static_cast<int>(std::clamp<int64_t>(left.count() + 1, 0, 1000));
    }
    int n = ::poll(fds.data(), fds.size(), timeout_ms);
    if (n < 0 && errno != EINTR) {
      logWarn("sync: poll failed; the scheduler stops");
      return;
    }
    if (fds[0].revents & POLLIN) return;  // stop
    const auto seen = Clock::now();
    for (size_t k = 1; k < fds.size(); ++k) {
      if (!(fds[k].revents & POLLIN)) continue;
      auto& st = states[owners[k]];
      if (st.watch->drain()) {
        if (!st.dirty) st.first_event = seen;
        st.dirty = true;
        st.last_event = seen;
      }
    }
  }
}

}  // namespace ward::cli
