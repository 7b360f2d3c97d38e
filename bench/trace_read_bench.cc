// Reading traces back: how long list / trace / explain take over a log of N events.
//
//   build/bench/trace_read_bench [--dir DIR] [--records N] [--per-trace K] [--threads T]
//
// Writes N tool_call-shaped events (~600 bytes each, K per trace, several principals, tools and
// decisions) through the audit-log sink with T appender threads (group commit), then times
// TraceReader::list (no filter; decision + tool filters), TraceReader::trace and explainTrace.
// Every query is one scan of the whole log, so the figure to read is records scanned per second.
// DIR defaults to a fresh folder under $TMPDIR (or /tmp), removed at the end.
#include <stdlib.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <string>
#include <thread>
#include <vector>

#include "ward/audit/audit_trace_sink.h"
#include "ward/audit/trace_explain.h"
#include "ward/audit/trace_reader.h"

namespace {

using Clock = std::chrono::steady_clock;

struct Args {
  std::string dir;
  size_t records = 100000;
  size_t per_trace = 4;
  int threads = 16;
};

std::string traceIdOf(size_t trace) {
  char buf[33];
  std::snprintf(buf, sizeof buf, "%032zx", trace + 1);
  return buf;
}

ward::trace::TraceEvent makeEvent(size_t i, size_t per_trace) {
  static const char* const kDecisions[] = {"executed", "executed", "executed", "pending", "denied"};
  ward::trace::TraceEvent e;
  e.context.trace_id = traceIdOf(i / per_trace);
  e.context.span_id = "00f067aa0ba902b7";
  e.kind = "tool_call";
  e.tenant = "default";
  e.principal = "user" + std::to_string(i % 50);
  e.time_us = 1700000000000000 + static_cast<int64_t>(i) * 1000;
  e.attributes = {{"tool", "tool" + std::to_string(i % 20) + "@1.0.0"},
                  {"decision", kDecisions[i % 5]},
                  {"stage", "dispatch"},
                  {"args", {{"invoice_id", "INV-" + std::to_string(i)}, {"amount", i % 1000}}},
                  {"result", {{"status", "ok"}, {"note", std::string(300, 'x')}}},
                  {"grants", {i % 7}},
                  {"duration_us", 120}};
  return e;
}

double secondsSince(Clock::time_point t) {
  return std::chrono::duration<double>(Clock::now() - t).count();
}

int fill(const Args& a) {
  ward::audit::AuditSinkOptions o;
  o.log.dir = a.dir;
  auto sink = ward::audit::openAuditLogSink(o);
  if (!sink.ok()) {
    std::fprintf(stderr, "open: %s\n", sink.status().toString().c_str());
    return 1;
  }
  std::atomic<size_t> next{0};
  std::atomic<bool> failed{false};
  auto t0 = Clock::now();
  std::vector<std::thread> threads;
  for (int t = 0; t < a.threads; ++t) {
    threads.emplace_back([&] {
      for (size_t i = next++; i < a.records; i = next++) {
        if (!(*sink)->record(makeEvent(i, a.per_trace)).ok()) failed = true;
      }
    });
  }
  for (auto& t : threads) t.join();
  if (failed) return 1;
  std::printf("wrote %zu events in %.2f s (%d threads)\n", a.records, secondsSince(t0), a.threads);
  return 0;
}

void timeList(const ward::audit::TraceReader& reader, const char* label,
              const ward::audit::TraceQuery& q) {
  auto t0 = Clock::now();
  auto page = reader.list(q);
  double s = secondsSince(t0);
  if (!page.ok()) {
    std::printf("%s: %s\n", label, page.status().toString().c_str());
    return;
  }
  std::printf("%-34s %8.1f ms  %10.0f records/s  (%zu traces returned)\n", label, s * 1e3,
              static_cast<double>(page->records_scanned) / s, page->traces.size());
}

}  // namespace

int main(int argc, char** argv) {
  Args a;
  for (int i = 1; i + 1 < argc; i += 2) {
    if (!std::strcmp(argv[i], "--dir"))
      a.dir = argv[i + 1];
    else if (!std::strcmp(argv[i], "--records"))
      a.records = std::stoul(argv[i + 1]);
    else if (!std::strcmp(argv[i], "--per-trace"))
      a.per_trace = std::stoul(argv[i + 1]);
    else if (!std::strcmp(argv[i], "--threads"))
      a.threads = std::stoi(argv[i + 1]);
  }
  bool own_dir = a.dir.empty();
  if (own_dir) {
    const char* tmp = getenv("TMPDIR");
    a.dir = std::string(tmp ? tmp : "/tmp") + "/ward-trace-read-bench-" + std::to_string(getpid());
  }
  if (fill(a) != 0) return 1;
  ward::audit::TraceReader reader(a.dir);
  ward::audit::TraceQuery q;
  timeList(reader, "list (newest 50)", q);
  q.decision = "denied";
  q.tool = "tool4";
  timeList(reader, "list --decision denied --tool tool4", q);
  const std::string id = traceIdOf(a.records / a.per_trace / 2);
  auto t0 = Clock::now();
  auto t = reader.trace(id, "default");
  double s_trace = secondsSince(t0);
  if (!t.ok()) {
    std::printf("trace: %s\n", t.status().toString().c_str());
    return 1;
  }
  t0 = Clock::now();
  std::string text = ward::audit::formatExplanation(ward::audit::explainTrace(*t));
  double s_explain = secondsSince(t0);
  std::printf("%-34s %8.1f ms  %10.0f records/s  (%zu events)\n", "trace ID", s_trace * 1e3,
              static_cast<double>(a.records) / s_trace, t->events.size());
  std::printf("%-34s %8.3f ms  (%zu bytes of text)\n", "explain (account + text) of it",
              s_explain * 1e3, text.size());
  if (own_dir) std::filesystem::remove_all(a.dir);
  return 0;
}
