// Export of recorded trace events that never blocks the request path
// (docs/formats/otlp-export.md, docs/formats/audit-jsonl-export.md).
//
// The audit sink offers each event to an ExportQueue once it is durable (AuditSinkOptions::
// on_recorded). offer() only copies the event into a bounded in-memory queue and returns; a
// full queue drops the event and counts it. One background thread per queue takes batches and
// hands them to a TraceExporter (OTLP/HTTP JSON to an OpenTelemetry collector, or JSONL files
// for SIEMs), retrying with exponential backoff. Counters are on /metrics:
//   ward_audit_export_events_total{exporter, outcome=exported|dropped_queue_full|failed|
//                                  dropped_shutdown}
//   ward_audit_export_queue_events{exporter} (gauge)
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "ward/audit/audit_trace_sink.h"
#include "ward/common/metrics.h"
#include "ward/common/mutex.h"
#include "ward/common/status.h"

namespace ward::audit {

// Delivers batches somewhere. Called from one exporter thread only.
class TraceExporter {
 public:
  virtual ~TraceExporter() = default;
  virtual std::string name() const = 0;  // the `exporter` metric label: "otlp", "jsonl"
  // Unavailable (or ResourceExhausted) is retried with backoff; any other error is final.
  virtual Status exportBatch(const std::vector<StoredTraceEvent>& batch) = 0;
};

struct ExportQueueOptions {
  size_t capacity = 10000;           // events held; more are dropped (dropped_queue_full)
  size_t max_batch = 512;            // events per exportBatch call
  int retries = 3;                   // extra attempts of a failing batch, then it is `failed`
  int64_t backoff_initial_ms = 200;  // doubles per attempt...
  int64_t backoff_max_ms = 5000;     // ...up to this
  int64_t shutdown_grace_ms = 2000;  // the destructor drains at most this long
};

// Thread-safe; offer() may be called from any thread and never waits for I/O.
class ExportQueue {
 public:
  ExportQueue(std::unique_ptr<TraceExporter> exporter, ExportQueueOptions options);
  ~ExportQueue();  // drains for up to shutdown_grace_ms; the rest counts as dropped_shutdown
  ExportQueue(const ExportQueue&) = delete;
  ExportQueue& operator=(const ExportQueue&) = delete;

  // Queues a copy of the event; false (and counted) when the queue is full.
  bool offer(uint64_t index, const trace::TraceEvent& event);
  // Waits until every offered event was exported, failed or dropped, up to timeout_ms; true if
  // idle. For tests and shutdown paths, not for requests.
  bool waitIdle(int64_t timeout_ms);

  struct Counters {
    uint64_t offered = 0, exported = 0, dropped_queue_full = 0, failed = 0, dropped_shutdown = 0;
  };
  Counters counters() const;
  const std::string& exporterName() const { return name_; }

 private:
  void run();
  bool exportWithRetry(const std::vector<StoredTraceEvent>& batch);
  void count(const char* outcome, uint64_t n);

  std::unique_ptr<TraceExporter> exporter_;
  const ExportQueueOptions options_;
  const std::string name_;
  mutable Mutex mu_;
  CondVar cv_;       // work arrived / stop
  CondVar idle_cv_;  // queue drained
  std::deque<StoredTraceEvent> queue_ WARD_GUARDED_BY(mu_);
  bool in_flight_ WARD_GUARDED_BY(mu_) = false;
  bool stopping_ WARD_GUARDED_BY(mu_) = false;
  std::atomic<uint64_t> offered_{0}, exported_{0}, dropped_full_{0}, failed_{0},
      dropped_shutdown_{0};
  std::shared_ptr<std::atomic<size_t>> depth_ = std::make_shared<std::atomic<size_t>>(0);
  GaugeRegistration depth_gauge_;
  std::thread thread_;
};

// ---- OTLP/HTTP JSON (docs/formats/otlp-export.md) ----

// The OpenTelemetry semantic-conventions release whose gen_ai.* names Ward emits.
inline constexpr const char* kGenAiSemconvVersion = "1.41.0";

struct OtlpOptions {
  std::string endpoint;  // base URL, e.g. "http://collector:4318"; POST <endpoint>/v1/traces
  std::string service_name = "ward";
  int64_t timeout_ms = 5000;     // whole request
  bool allow_loopback = false;   // loopback collectors only when set explicitly
  bool include_content = false;  // opt-in gen_ai content: tool arguments, query text
  size_t max_response_bytes = 64 << 10;
};

// The ExportTraceServiceRequest for a batch, OTLP JSON encoding (hex ids, string int64s).
Json encodeOtlpTraces(const std::vector<StoredTraceEvent>& batch, const OtlpOptions& options);
// The exported span id of a record: first 8 bytes of SHA-256("<trace_id>/<index>"), hex.
std::string exportSpanId(const std::string& trace_id, uint64_t index);
// Checks the endpoint URL and resolves it under the outbound address rule (format doc);
// InvalidArgument / PermissionDenied naming the problem.
Result<std::unique_ptr<TraceExporter>> makeOtlpHttpExporter(const OtlpOptions& options);

// ---- JSONL for SIEMs (docs/formats/audit-jsonl-export.md) ----

struct JsonlOptions {
  std::string path;                // the active file; rotated to path.1, path.2, ...
  uint64_t max_bytes = 100 << 20;  // rotate before a batch would take the file past this
  int keep_files = 5;              // rotated files kept (path.1 .. path.N)
};

// One line (without the newline) for a stored event.
std::string encodeJsonlLine(const StoredTraceEvent& event);
Result<std::unique_ptr<TraceExporter>> makeJsonlFileExporter(const JsonlOptions& options);

}  // namespace ward::audit
