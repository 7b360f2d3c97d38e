// Redaction throughput and latency on typical tool-call events (~1 KB of JSON each, 95% clean,
// 5% carrying a secret or personal data), single-threaded, with the default rules.
// Usage: redaction_bench [EVENTS] [ROUNDS]  (defaults 20000 and 5)
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <string>
#include <vector>

#include "tool_call_events.h"
#include "ward/audit/redaction.h"
#include "ward/common/json.h"

namespace {

using Clock = std::chrono::steady_clock;
using ward::bench::makeToolCallEvent;
using ward::bench::percentile;

}  // namespace

int main(int argc, char** argv) {
  int n = argc > 1 ? std::atoi(argv[1]) : 20000;
  int rounds = argc > 2 ? std::atoi(argv[2]) : 5;
  ward::audit::RedactorOptions options;
  options.key = std::string(32, 'k');
  auto redactor = ward::audit::loadRedactor(options);
  if (!redactor.ok()) {
    std::fprintf(stderr, "%s\n", redactor.status().toString().c_str());
    return 1;
  }
  std::mt19937 rng(42);
  std::vector<ward::Json> events;
  std::vector<std::string> texts;
  size_t bytes = 0;
  for (int i = 0; i < n; ++i) {
    events.push_back(makeToolCallEvent(rng, i, i % 20 == 0));
    texts.push_back(ward::dumpJson(events.back()));
    bytes += texts.back().size();
  }
  std::printf("events: %d, mean size %.0f bytes, 5%% with a secret, default rules\n", n,
              static_cast<double>(bytes) / n);

  std::vector<double> lat;  // microseconds
  double total_s = 0;
  int64_t redacted = 0;
  for (int round = 0; round < rounds; ++round) {
    std::vector<ward::Json> work = events;  // redaction is in place: a fresh copy per round
    ward::trace::RedactionStats stats;
    auto start = Clock::now();
    for (ward::Json& e : work) {
      auto t0 = Clock::now();
      (*redactor)->redactJson(e, &stats);
      lat.push_back(std::chrono::duration<double, std::micro>(Clock::now() - t0).count());
    }
    total_s += std::chrono::duration<double>(Clock::now() - start).count();
    redacted = stats.values_redacted;
  }
  double events_done = static_cast<double>(n) * rounds;
  std::printf(
      "redactJson:            %9.0f events/s  %7.1f MB/s  p50 %6.1f us  p99 %6.1f us  "
      "(%lld values redacted per round)\n",
      events_done / total_s, static_cast<double>(bytes) * rounds / total_s / 1e6,
      percentile(lat, 0.50), percentile(lat, 0.99), static_cast<long long>(redacted));

  lat.clear();
  auto start = Clock::now();
  for (int round = 0; round < rounds; ++round) {
    for (const std::string& t : texts) {
      auto t0 = Clock::now();
      auto j = ward::parseJson(t);
      (*redactor)->redactJson(*j);
      std::string out = ward::dumpJson(*j);
      lat.push_back(std::chrono::duration<double, std::micro>(Clock::now() - t0).count());
    }
  }
  double e2e_s = std::chrono::duration<double>(Clock::now() - start).count();
  std::printf("parse+redactJson+dump: %9.0f events/s  %7.1f MB/s  p50 %6.1f us  p99 %6.1f us\n",
              events_done / e2e_s, static_cast<double>(bytes) * rounds / e2e_s / 1e6,
              percentile(lat, 0.50), percentile(lat, 0.99));

  lat.clear();
  start = Clock::now();
  for (int round = 0; round < rounds; ++round) {
    for (const std::string& t : texts) {
      auto t0 = Clock::now();
      std::string out = (*redactor)->redactText(t);
      lat.push_back(std::chrono::duration<double, std::micro>(Clock::now() - t0).count());
    }
  }
  double text_s = std::chrono::duration<double>(Clock::now() - start).count();
  std::printf("redactText (raw JSON): %9.0f events/s  %7.1f MB/s  p50 %6.1f us  p99 %6.1f us\n",
              events_done / text_s, static_cast<double>(bytes) * rounds / text_s / 1e6,
              percentile(lat, 0.50), percentile(lat, 0.99));
  return 0;
}
