// The bounded export queue and its exporter thread (trace_export.h).
#include <chrono>

#include "ward/audit/trace_export.h"
#include "ward/common/log.h"
#include "ward/common/mutex.h"

namespace ward::audit {

namespace {

constexpr const char* kEventsMetric = "ward_audit_export_events_total";

bool retryable(const Status& s) {
  return s.code() == StatusCode::kUnavailable || s.code() == StatusCode::kResourceExhausted;
}

}  // namespace

ExportQueue::ExportQueue(std::unique_ptr<TraceExporter> exporter, ExportQueueOptions options)
    : exporter_(std::move(exporter)), options_(options), name_(exporter_->name()) {
  metrics().describeCounter(kEventsMetric,
                            "Trace events handed to an exporter, by exporter and outcome");
  // The callback holds the depth by shared_ptr, not `this`: a render that copied it just
  // before the queue is destroyed still reads valid memory.
  depth_gauge_ = metrics().registerGauge(
      "ward_audit_export_queue_events", "Trace events waiting in an export queue",
      [depth = depth_, name = name_] {
        return std::vector<GaugeSample>{{{{"exporter", name}}, static_cast<double>(depth->load())}};
      });
  thread_ = std::thread([this] { run(); });
}

ExportQueue::~ExportQueue() {
  depth_gauge_.reset();
  {
    MutexLock lock(mu_);
    stopping_ = true;
  }
  cv_.notifyAll();
  thread_.join();
}

void ExportQueue::count(const char* outcome, uint64_t n) {
  if (n == 0) return;
  metrics().incrementCounter(kEventsMetric, {{"exporter", name_}, {"outcome", outcome}},
                             static_cast<double>(n));
}

bool ExportQueue::offer(uint64_t index, const trace::TraceEvent& event) {
  offered_.fetch_add(1, std::memory_order_relaxed);
  {
    MutexLock lock(mu_);
    if (queue_.size() < options_.capacity && !stopping_) {
      queue_.push_back(StoredTraceEvent{index, event, "plain"});
      depth_->fetch_add(1);
      cv_.notifyOne();
      return true;
    }
  }
  dropped_full_.fetch_add(1, std::memory_order_relaxed);
  count("dropped_queue_full", 1);
  return false;
}

bool ExportQueue::waitIdle(int64_t timeout_ms) {
  MutexLock lock(mu_);
  return idle_cv_.waitFor(lock, std::chrono::milliseconds(timeout_ms),
                          [this]() WARD_REQUIRES(mu_) { return queue_.empty() && !in_flight_; });
}

ExportQueue::Counters ExportQueue::counters() const {
  Counters c;
  c.offered = offered_.load();
  c.exported = exported_.load();
  c.dropped_queue_full = dropped_full_.load();
  c.failed = failed_.load();
  c.dropped_shutdown = dropped_shutdown_.load();
  return c;
}

bool ExportQueue::exportWithRetry(const std::vector<StoredTraceEvent>& batch) {
  int64_t backoff = options_.backoff_initial_ms;
  for (int attempt = 0;; ++attempt) {
    Status s = exporter_->exportBatch(batch);
    if (s.ok()) return true;
    bool again = retryable(s) && attempt < options_.retries;
    logWarn("audit export (" + name_ + "): batch of " + std::to_string(batch.size()) +
            " events failed: " + s.message() + (again ? "; retrying" : "; dropped"));
    if (!again) return false;
    MutexLock lock(mu_);
    // Waits out the backoff; a shutdown ends the retries (the batch counts as failed), so a
    // process stops within one request timeout plus the grace period.
    if (cv_.waitFor(lock, std::chrono::milliseconds(backoff),
                    [this]() WARD_REQUIRES(mu_) { return stopping_; })) {
      return false;
    }
    backoff = std::min(backoff * 2, options_.backoff_max_ms);
  }
}

void ExportQueue::run() {
  using Clock = std::chrono::steady_clock;
  Clock::time_point deadline = Clock::time_point::max();
  MutexLock lock(mu_);
  for (;;) {
    cv_.wait(lock, [this]() WARD_REQUIRES(mu_) { return stopping_ || !queue_.empty(); });
    if (stopping_ && deadline == Clock::time_point::max()) {
      deadline = Clock::now() + std::chrono::milliseconds(options_.shutdown_grace_ms);
    }
    if (queue_.empty() || (stopping_ && Clock::now() >= deadline)) break;
    std::vector<StoredTraceEvent> batch;
    size_t n = std::min(options_.max_batch, queue_.size());
    batch.reserve(n);
    for (size_t i = 0; i < n; ++i) {
      batch.push_back(std::move(queue_.front()));
      queue_.pop_front();
    }
    depth_->fetch_sub(n);
    in_flight_ = true;
    lock.unlock();
    bool ok = exportWithRetry(batch);
    (ok ? exported_ : failed_).fetch_add(batch.size());
    count(ok ? "exported" : "failed", batch.size());
    lock.lock();
    in_flight_ = false;
    if (queue_.empty()) idle_cv_.notifyAll();
  }
  uint64_t left = queue_.size();
  queue_.clear();
  depth_->store(0);
  in_flight_ = false;
  idle_cv_.notifyAll();
  lock.unlock();
  dropped_shutdown_.fetch_add(left);
  count("dropped_shutdown", left);
}

}  // namespace ward::audit
