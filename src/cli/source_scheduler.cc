#include "source_scheduler.h"

#include <poll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <algorithm>
#include <map>
#include <random>
#include <vector>

#include "runtime_sources.h"
#include "ward/common/clock.h"
#include "ward/common/log.h"
#include "ward/common/process_memory.h"
#include "ward/ingest/folder_root.h"
#include "ward/ingest/folder_watch.h"
#include "ward/ingest/sync_health.h"

namespace ward::cli {

namespace {

using Clock = std::chrono::steady_clock;

struct SourceState {
  std::shared_ptr<const ingest::SourceConfig> config;
  bool runtime = false;     // a runtime source (runtime_sources.h)
  std::string config_text;  // runtime: its stored config (a change restarts its state)
  std::unique_ptr<ingest::FolderWatch> watch;
  Clock::time_point next_run;  // scheduled (or retried) run; max() = none
  // After a failure or a rate-limit signal: no run, not even on change, before this.
  Clock::time_point not_before;
  int failures = 0;               // consecutive failed runs (the backoff's exponent)
  Clock::time_point next_canary;  // canary_interval_s; max() = none
  bool dirty = false;             // events seen since the last run
  Clock::time_point first_event, last_event;
};

std::chrono::milliseconds millis(double seconds) {
  return std::chrono::milliseconds(static_cast<int64_t>(seconds * 1000));
}

// After a run of `st` ended (`failed`: in state failed, or an error other than "busy"): the
// backoff and the source's rate-limit signal decide when it may run again.
void afterRun(SourceState& st, bool failed, int64_t retry_after_s, std::mt19937_64& rng) {
  const auto now = Clock::now();
  st.failures = failed ? st.failures + 1 : 0;
  ingest::RetryPolicy policy;
  if (st.config->retry_min_s > 0) policy.min_s = st.config->retry_min_s;
  const double unit = std::uniform_real_distribution<double>(0.0, 1.0)(rng);
  const double wait =
      ingest::retryDelaySeconds(policy, st.failures, static_cast<double>(retry_after_s), unit);
  st.not_before = now + millis(wait);
  if (failed) {
    st.next_run = st.not_before;
    logWarn("sync: source '" + st.config->name + "': " + std::to_string(st.failures) +
            " consecutive failed runs; retried in " + std::to_string(static_cast<int64_t>(wait)) +
            " s");
  } else if (st.next_run != Clock::time_point::max()) {
    st.next_run = std::max(st.next_run, st.not_before);
  }
}

}  // namespace

SourceScheduler::SourceScheduler(CliContext& ctx, SyncWiring& wiring) : ctx_(ctx), wiring_(wiring) {
  wake_fd_ = ::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
  // Runs even without [[sources]]: runtime sources may be created while it runs.
  notifier_ = std::make_unique<ingest::AlertNotifier>(wiring_.alert_webhook, &ctx_.traces());
  // Source names are data: like the store's gauges, only with server.metrics_data_gauges.
  if (ctx_.config().server.metrics_data_gauges)
    lag_gauge_ = metrics().registerGauge(
        "ward_sync_lag_seconds",
        "Seconds since the start of the last complete pass of each source, per kind (content, "
        "deletion, acl, membership); absent when there was none.",
        [this] {
          std::vector<GaugeSample> out;
          auto list = allSourcesJson(wiring_, ctx_.tenant(), SystemClock::instance().nowMicros());
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
  if (ctx_.config().server.metrics_data_gauges) {
    error_gauge_ = metrics().registerGauge(
        "ward_sync_source_error",
        "1 while a source is in the error state (five consecutive failed runs), else 0.", [this] {
          std::vector<GaugeSample> out;
          auto list = allSourcesJson(wiring_, ctx_.tenant(), SystemClock::instance().nowMicros());
          if (!list.ok()) return out;
          for (const auto& s : *list) {
            out.push_back(
                {{{"source", s["name"].get<std::string>()}}, s["state"] == "error" ? 1.0 : 0.0});
          }
          return out;
        });
    breach_gauge_ = metrics().registerGauge(
        "ward_sync_slo_breach",
        "1 while a source's lag (kind: content, deletion, acl) is above its SLO, else 0; only "
        "for the SLOs configured.",
        [this] {
          std::vector<GaugeSample> out;
          auto entries = listSourceEntries(wiring_, ctx_.tenant(), false);
          if (!entries.ok()) return out;
          for (const auto& e : *entries) {
            const ingest::SourceConfig& s = e.config;
            const std::pair<ingest::AlertKind, int64_t> slos[] = {
                {ingest::AlertKind::kContentLag, s.slo.content_lag_s},
                {ingest::AlertKind::kDeletionLag, s.slo.deletion_lag_s},
                {ingest::AlertKind::kAclLag, s.slo.acl_lag_s}};
            for (const auto& [kind, slo] : slos) {
              if (slo <= 0) continue;
              std::string name(ingest::alertKindName(kind));
              out.push_back({{{"source", s.name}, {"kind", name.substr(0, name.find('_'))}},
                             alerts_.raised(s.name, kind) ? 1.0 : 0.0});
            }
          }
          return out;
        });
  }
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

void SourceScheduler::checkAlerts(double watched_s) {
  const int64_t now_us = SystemClock::instance().nowMicros();
  auto entries = listSourceEntries(wiring_, ctx_.tenant(), false);
  if (!entries.ok()) {
    logWarn("sync: cannot check the sources' alerts: " + entries.status().message());
    return;
  }
  std::vector<ingest::SourceConfig> sources;
  for (const auto& e : *entries) sources.push_back(e.config);
  auto list = ingest::sourcesJson(*wiring_.sync, ctx_.tenant(), sources, now_us);
  if (!list.ok()) {
    logWarn("sync: cannot check the sources' alerts: " + list.status().message());
    return;
  }
  for (size_t i = 0; i < sources.size() && i < list->size(); ++i) {
    const Json& j = (*list)[i];
    ingest::SourceObservation o;
    o.consecutive_failures = j["consecutive_failures"].get<int>();
    auto lag = [&](const char* kind) -> std::optional<double> {
      const Json& v = j["lag_s"][kind];
      return v.is_number() ? std::optional<double>(v.get<double>()) : std::nullopt;
    };
    o.content_lag_s = lag("content");
    o.deletion_lag_s = lag("deletion");
    o.acl_lag_s = lag("acl");
    o.watched_s = watched_s;
    if (j["last_run"].is_object()) {
      o.last_message = j["last_run"]["message"].get<std::string>();
      o.held = j["last_run"]["outcome"] == "held";
    }
    for (const auto& a : alerts_.observe(ctx_.tenant(), sources[i], o, now_us)) {
      notifier_->notify(a);
    }
  }
}

void SourceScheduler::loop() {
  std::vector<SourceState> states;
  std::mt19937_64 rng(std::random_device{}());
  const auto start = Clock::now();
  auto next_check = start;
  // A source's state: run once at once (at start, or when a runtime source appears or changes).
  auto add = [&states](const ingest::SourceConfig& s, Clock::time_point at) -> SourceState& {
    SourceState st;
    st.config = std::make_shared<const ingest::SourceConfig>(s);
    st.next_run = at;
    st.not_before = at;
    st.next_canary = s.canary_interval_s > 0 ? at + std::chrono::seconds(s.canary_interval_s)
                                             : Clock::time_point::max();
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
    return states.back();
  };
  for (const auto& s : wiring_.sources) add(s, start);
  // Runtime sources are read from the store on every turn of the loop (its poll waits at most a
  // second), so one created or replaced by any process runs within about a second.
  std::map<std::string, std::string> runtime;  // name -> stored config
  auto refresh = [&] {
    auto entries = listSourceEntries(wiring_, ctx_.tenant(), false);
    if (!entries.ok()) {
      logWarn("sync: cannot read the runtime sources: " + entries.status().message());
      return;
    }
    std::map<std::string, std::string> now_runtime;
    for (const auto& e : *entries) {
      if (e.runtime) now_runtime[e.config.name] = e.record.config;
    }
    if (now_runtime == runtime) return;
    std::erase_if(states, [&](const SourceState& st) {
      auto it = now_runtime.find(st.config->name);
      return st.runtime && (it == now_runtime.end() || it->second != st.config_text);
    });
    for (const auto& e : *entries) {
      if (!e.runtime) continue;
      bool known = std::any_of(states.begin(), states.end(), [&](const SourceState& st) {
        return st.runtime && st.config->name == e.config.name;
      });
      if (known) continue;
      SourceState& st = add(e.config, Clock::now());
      st.runtime = true;
      st.config_text = e.record.config;
      logInfo("sync: runtime source '" + e.config.name + "' scheduled");
    }
    runtime = std::move(now_runtime);
  };
  for (;;) {
    refresh();
    const auto now = Clock::now();
    // Run what is due: scheduled, retried, or a settled burst of events.
    bool ran = false;
    for (auto& st : states) {
      bool settled = st.dirty &&
                     (now - st.last_event >= kWatchQuiet || now - st.first_event >= kWatchMaxDelay);
      if (!settled && now < st.next_run) continue;
      if (now < st.not_before) continue;  // backing off; the events wait
      ran = true;
      st.dirty = false;
      st.next_run = st.config->schedule_s > 0 ? now + std::chrono::seconds(st.config->schedule_s)
                                              : Clock::time_point::max();
      auto r = wiring_.runner->run(ctx_.tenant(), *st.config, ingest::SyncRequest{});
      if (!r.ok()) {
        logWarn("sync: source '" + st.config->name + "': " + r.status().message());
        if (r.status().code() == StatusCode::kFailedPrecondition) {
          st.next_run = std::min(st.next_run, Clock::now() + kSyncBusyRetry);
        } else {
          afterRun(st, true, 0, rng);
        }
        continue;
      }
      const auto& run = r->run;
      afterRun(st, run.state == store::SyncRunState::kFailed, r->retry_after_s, rng);
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
    for (auto& st : states) {
      if (Clock::now() < st.next_canary || Clock::now() < st.not_before) continue;
      st.next_canary = Clock::now() + std::chrono::seconds(st.config->canary_interval_s);
      auto c = runCanary(ctx_, wiring_, *st.config, ingest::kSyncRequester);
      std::string line = "sync canary: source '" + st.config->name + "':";
      if (c.ok()) {
        for (const auto& [kind, seconds] : (*c)["seconds"].items()) {
          line += " " + kind + " " + std::to_string(seconds.get<double>()) + " s";
        }
        if (c->contains("error")) line += "; " + (*c)["error"].get<std::string>();
      } else {
        line += " " + c.status().message();
      }
      if (c.ok() && !c->contains("error")) {
        logInfo(line);
      } else {
        logWarn(line);
      }
      ran = true;
    }
    // A run's threads (parse workers, page committer, blob reader) each allocate in a malloc
    // arena of their own, which keeps its freed pages: hand them back, or RSS grows over the
    // first runs to every arena's high-water mark (docs/design/ingest.md, "Git").
    if (ran) releaseFreeHeap();
    if (ran || Clock::now() >= next_check) {
      checkAlerts(std::chrono::duration<double>(Clock::now() - start).count());
      next_check = Clock::now() + kAlertCheckInterval;
    }
    // Wait for an event, the stop signal or the next deadline.
    auto deadline = next_check;
    std::vector<struct pollfd> fds{{wake_fd_, POLLIN, 0}};
    std::vector<size_t> owners{states.size()};
    for (size_t i = 0; i < states.size(); ++i) {
      auto& st = states[i];
      deadline = std::min({deadline, st.next_run, std::max(st.next_canary, st.not_before)});
      if (st.dirty)
        deadline = std::min({deadline, std::max(st.not_before, st.last_event + kWatchQuiet),
                             std::max(st.not_before, st.first_event + kWatchMaxDelay)});
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
