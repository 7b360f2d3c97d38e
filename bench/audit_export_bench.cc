// The cost of trace export (and of sealing) on the request path, measured in one run.
//
//   build/bench/audit_export_bench [--dir DIR] [--events N] [--threads T]
//
// 1. offer(): the only export work a request does. T threads offer ~1 KB tool-call events to
//    an ExportQueue whose OTLP exporter points at a collector that accepts connections but never
//    answers (a listening socket nobody reads), so the queue fills and then drops: latency
//    p50/p99 per offer, accepted and dropped.
// 2. record() through the audit sink (redaction off, group commit with fsync) with T threads:
//    plain, + sealing (audit.encrypt_subjects), + sealing + export to the hung collector.
//    Prints events/s and per-record p50/p99; the export row minus the sealing row is what export
//    adds to a request.
// DIR (default: a fresh folder under $TMPDIR or /tmp, removed at the end) holds the audit logs.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <string>
#include <thread>
#include <vector>

#include "ward/audit/audit_trace_sink.h"
#include "ward/audit/subject_keys.h"
#include "ward/audit/trace_export.h"
#include "ward/common/clock.h"

namespace {

using Clock = std::chrono::steady_clock;
using namespace ward;

struct Args {
  std::string dir;
  size_t events = 20000;
  int threads = 8;
};

trace::TraceEvent toolCallEvent(size_t i) {
  trace::TraceEvent e;
  e.context = trace::TraceContext::generate();
  e.kind = "tool_call";
  e.tenant = "acme";
  e.principal = "user" + std::to_string(i % 50);
  e.time_us = SystemClock::instance().nowMicros();
  std::string note(700, 'x');
  e.attributes =
      Json{{"tool", "refund@2"},
           {"decision", "executed"},
           {"stage", "dispatch"},
           {"args", {{"order_id", "ord_" + std::to_string(i)}, {"amount", 12.5}, {"note", note}}},
           {"principal_chain", {e.principal}},
           {"duration_us", 1200},
           {"backend_status", 200}};
  return e;
}

double percentile(std::vector<double>& v, double p) {
  if (v.empty()) return 0;
  size_t k = static_cast<size_t>(p * static_cast<double>(v.size() - 1));
  std::nth_element(v.begin(), v.begin() + static_cast<long>(k), v.end());
  return v[k];
}

// Runs fn(i) for events 0..n-1 over T threads; returns per-call latencies in µs and seconds.
template <typename Fn>
std::pair<std::vector<double>, double> timed(size_t n, int threads, Fn fn) {
  std::vector<std::vector<double>> lat(threads);
  std::atomic<size_t> next{0};
  auto start = Clock::now();
  std::vector<std::thread> pool;
  for (int t = 0; t < threads; ++t) {
    pool.emplace_back([&, t] {
      for (size_t i; (i = next.fetch_add(1)) < n;) {
        auto a = Clock::now();
        fn(i);
        lat[t].push_back(std::chrono::duration<double, std::micro>(Clock::now() - a).count());
      }
    });
  }
  for (auto& th : pool) th.join();
  double secs = std::chrono::duration<double>(Clock::now() - start).count();
  std::vector<double> all;
  for (auto& l : lat) all.insert(all.end(), l.begin(), l.end());
  return {all, secs};
}

// A TCP listener that never accepts: connections complete in the kernel backlog, requests are
// sent, nothing ever answers. Returns the port.
int hungCollector(int* fd_out) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0 || listen(fd, 64) != 0) {
    std::perror("listen");
    std::exit(1);
  }
  socklen_t len = sizeof a;
  getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
  *fd_out = fd;
  return ntohs(a.sin_port);
}

std::unique_ptr<audit::ExportQueue> hungQueue(int port) {
  audit::OtlpOptions o;
  o.endpoint = "http://127.0.0.1:" + std::to_string(port);
  o.allow_loopback = true;
  o.timeout_ms = 3000;  // bounds the wait for the stuck request when the queue is destroyed
  audit::ExportQueueOptions q;
  q.capacity = 10000;
  q.shutdown_grace_ms = 0;
  auto exporter = audit::makeOtlpHttpExporter(o);
  if (!exporter.ok()) {
    std::fprintf(stderr, "%s\n", exporter.status().toString().c_str());
    std::exit(1);
  }
  return std::make_unique<audit::ExportQueue>(std::move(exporter).value(), q);
}

void benchOffer(const Args& args, int port, const std::vector<trace::TraceEvent>& events) {
  auto queue = hungQueue(port);
  size_t n = events.size() * 5;
  auto [lat, secs] =
      timed(n, args.threads, [&](size_t i) { queue->offer(i, events[i % events.size()]); });
  auto c = queue->counters();
  double p50 = percentile(lat, 0.5), p99 = percentile(lat, 0.99);
  std::printf(
      "%-46s %10.0f offers/s  p50 %7.2f us  p99 %7.2f us  (%zu offered, %llu queued, "
      "%llu dropped)\n",
      "offer() to a hung collector's queue", static_cast<double>(n) / secs, p50, p99, n,
      static_cast<unsigned long long>(c.offered - c.dropped_queue_full),
      static_cast<unsigned long long>(c.dropped_queue_full));
}

enum class Mode { kPlain, kSealed, kSealedExport };

void benchRecord(const Args& args, Mode mode, int port,
                 const std::vector<trace::TraceEvent>& events) {
  static int run = 0;
  std::string dir = args.dir + "/run" + std::to_string(run++);
  std::unique_ptr<audit::SubjectKeyStore> keys;
  std::unique_ptr<audit::ExportQueue> queue;
  audit::AuditSinkOptions o;
  o.log.dir = dir + "/audit";
  if (mode != Mode::kPlain) {
    keys = std::move(
        audit::SubjectKeyStore::open(io::posixFileSystem(), dir + "/audit/keys", false).value());
    o.keys = keys.get();
  }
  if (mode == Mode::kSealedExport) {
    queue = hungQueue(port);
    o.on_recorded = [&](uint64_t i, const trace::TraceEvent& e) { queue->offer(i, e); };
  }
  auto sink = std::move(audit::openAuditLogSink(o).value());
  // Warm-up: creates the subject and day keys, so the figure is the steady state.
  for (size_t i = 0; i < 100; ++i) (void)sink->record(events[i % events.size()]);
  auto [lat, secs] = timed(events.size(), args.threads, [&](size_t i) {
    Status s = sink->record(events[i]);
    if (!s.ok()) {
      std::fprintf(stderr, "record failed: %s\n", s.toString().c_str());
      std::exit(1);
    }
  });
  const char* name = mode == Mode::kPlain    ? "record() plain"
                     : mode == Mode::kSealed ? "record() sealed"
                                             : "record() sealed + export (hung collector)";
  double p50 = percentile(lat, 0.5), p99 = percentile(lat, 0.99);
  std::printf("%-46s %10.0f events/s  p50 %7.1f us  p99 %7.1f us  (%zu events)\n", name,
              static_cast<double>(events.size()) / secs, p50, p99, events.size());
  sink.reset();
  queue.reset();
}

}  // namespace

int main(int argc, char** argv) {
  Args args;
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string k = argv[i];
    if (k == "--dir")
      args.dir = argv[i + 1];
    else if (k == "--events")
      args.events = std::stoul(argv[i + 1]);
    else if (k == "--threads")
      args.threads = std::stoi(argv[i + 1]);
    else {
      std::fprintf(stderr, "usage: %s [--dir DIR] [--events N] [--threads T]\n", argv[0]);
      return 2;
    }
  }
  bool own_dir = args.dir.empty();
  if (own_dir) {
    const char* base = std::getenv("TMPDIR");
    std::string tmpl = std::string(base && *base ? base : "/tmp") + "/ward_export_bench_XXXXXX";
    args.dir = mkdtemp(tmpl.data());
  }
  std::vector<trace::TraceEvent> events;
  for (size_t i = 0; i < args.events; ++i) events.push_back(toolCallEvent(i));
  std::printf("audit_export_bench: %zu events of %zu bytes, %d threads, dir %s\n", args.events,
              audit::encodeTraceEvent(events[0]).size(), args.threads, args.dir.c_str());
  int fd = -1;
  int port = hungCollector(&fd);
  benchOffer(args, port, events);
  benchRecord(args, Mode::kPlain, port, events);
  benchRecord(args, Mode::kSealed, port, events);
  benchRecord(args, Mode::kSealedExport, port, events);
  close(fd);
  if (own_dir) std::filesystem::remove_all(args.dir);
  return 0;
}
