// The whole recording path for typical tool-call events (~1 KB, 5% with a secret): the audit
// trace sink redacts a copy of the attributes with the default rules, encodes the event and
// appends it to the audit log, returning once it is durable. T threads record concurrently, as
// request threads do. Prints events/s and the per-record() latency p50/p99, with redaction on
// and off, in one run.
//
// Usage: trace_sink_bench [--events N] [--threads T]... [--dir DIR]
//   DIR defaults to a fresh folder under $TMPDIR (or /tmp), removed at the end; put it on tmpfs
//   (/dev/shm/...) to leave out the disk's fsync.
#include <stdlib.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <string>
#include <thread>
#include <vector>

#include "tool_call_events.h"
#include "ward/audit/audit_trace_sink.h"
#include "ward/audit/redaction.h"

namespace {

using Clock = std::chrono::steady_clock;

struct Run {
  std::string dir;
  const ward::trace::Redactor* redactor = nullptr;
  int threads = 1;
};

void runSink(const Run& run, const std::vector<ward::trace::TraceEvent>& events) {
  ward::audit::AuditSinkOptions o;
  o.log.dir = run.dir;
  o.redactor = run.redactor;
  auto sink = ward::audit::openAuditLogSink(o);
  if (!sink.ok()) {
    std::fprintf(stderr, "open: %s\n", sink.status().toString().c_str());
    std::exit(1);
  }
  std::atomic<size_t> next{0};
  std::vector<std::vector<double>> lat(static_cast<size_t>(run.threads));
  auto start = Clock::now();
  std::vector<std::thread> pool;
  for (int t = 0; t < run.threads; ++t) {
    pool.emplace_back([&, t] {
      for (size_t i; (i = next.fetch_add(1)) < events.size();) {
        auto t0 = Clock::now();
        ward::Status s = (*sink)->record(events[i]);
        if (!s.ok()) {
          std::fprintf(stderr, "record: %s\n", s.toString().c_str());
          std::exit(1);
        }
        lat[static_cast<size_t>(t)].push_back(
            std::chrono::duration<double, std::micro>(Clock::now() - t0).count());
      }
    });
  }
  for (auto& t : pool) t.join();
  double secs = std::chrono::duration<double>(Clock::now() - start).count();
  std::vector<double> all;
  for (auto& v : lat) all.insert(all.end(), v.begin(), v.end());
  std::printf("redaction %-3s %3d threads  %9.0f events/s  p50 %8.1f us  p99 %8.1f us\n",
              run.redactor ? "on" : "off", run.threads, static_cast<double>(events.size()) / secs,
              ward::bench::percentile(all, 0.50), ward::bench::percentile(all, 0.99));
}

}  // namespace

int main(int argc, char** argv) {
  size_t n = 50000;
  std::vector<int> thread_counts;
  std::string dir;
  for (int i = 1; i < argc; ++i) {
    std::string k = argv[i];
    if (i + 1 >= argc) {
      std::fprintf(stderr, "usage: %s [--events N] [--threads T]... [--dir DIR]\n", argv[0]);
      return 2;
    }
    std::string v = argv[++i];
    if (k == "--events") {
      n = std::stoul(v);
    } else if (k == "--threads") {
      thread_counts.push_back(std::stoi(v));
    } else if (k == "--dir") {
      dir = v;
    } else {
      std::fprintf(stderr, "unknown option %s\n", k.c_str());
      return 2;
    }
  }
  if (thread_counts.empty()) thread_counts = {1, 16, 64};
  bool own_dir = dir.empty();
  if (own_dir) {
    const char* base = std::getenv("TMPDIR");
    std::string tmpl = std::string(base && *base ? base : "/tmp") + "/ward_sink_bench_XXXXXX";
    if (::mkdtemp(tmpl.data()) == nullptr) return 1;
    dir = tmpl;
  }
  ward::audit::RedactorOptions ro;
  ro.key = std::string(32, 'k');
  auto redactor = ward::audit::loadRedactor(ro);
  if (!redactor.ok()) {
    std::fprintf(stderr, "%s\n", redactor.status().toString().c_str());
    return 1;
  }
  std::mt19937 rng(42);
  std::vector<ward::trace::TraceEvent> events;
  size_t bytes = 0;
  for (size_t i = 0; i < n; ++i) {
    ward::Json e = ward::bench::makeToolCallEvent(rng, static_cast<int>(i), i % 20 == 0);
    ward::trace::TraceEvent ev;
    ev.context = ward::trace::TraceContext::generate();
    ev.kind = "tool_call";
    ev.tenant = "default";
    ev.principal = "fleet-assistant";
    ev.time_us = 1'768'473'000'000'000 + static_cast<int64_t>(i);
    ev.attributes = {{"tool", e["tool"]},
                     {"args", e["arguments"]},
                     {"result", e["result"]},
                     {"decision", "executed"},
                     {"duration_us", e["latency_ms"]}};
    bytes += ward::audit::encodeTraceEvent(ev).size();
    events.push_back(std::move(ev));
  }
  std::printf("%zu tool-call events, mean %.0f bytes encoded, 5%% with a secret, in %s\n", n,
              static_cast<double>(bytes) / static_cast<double>(n), dir.c_str());
  int round = 0;
  for (int t : thread_counts) {
    const ward::trace::Redactor* with = redactor->get();
    for (const ward::trace::Redactor* r :
         {with, static_cast<const ward::trace::Redactor*>(nullptr)}) {
      runSink(Run{dir + "/run-" + std::to_string(round++), r, t}, events);
    }
  }
  if (own_dir) std::filesystem::remove_all(dir);
  return 0;
}
