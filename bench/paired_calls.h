// The overhead benches' measurement loop: a direct call and the same call through Ward,
// interleaved as one pair per tick at a fixed rate, so both see the same machine state and each
// pair gives one overhead sample. Used by gateway_bench, mcp_bench and upstream_bench.
#pragma once

#include <algorithm>
#include <chrono>
#include <thread>
#include <vector>

namespace ward::bench {

struct PairedLatencies {
  std::vector<double> direct_us;   // per pair, microseconds
  std::vector<double> through_us;  // per pair, microseconds
  std::vector<double> diff_us;     // through minus direct, per pair
  int errors = 0;                  // calls (of either kind) that returned false
};

// Runs `calls` pairs, direct() then through(i) for i = 0..calls-1, starting one pair every
// 1/rate s (a late pair is not skipped: the next ones start at once until the schedule is met).
template <typename Direct, typename Through>
PairedLatencies runPaired(int calls, int rate, Direct direct, Through through) {
  using Clock = std::chrono::steady_clock;
  auto us = [](Clock::time_point a, Clock::time_point b) {
    return std::chrono::duration<double, std::micro>(b - a).count();
  };
  PairedLatencies out;
  const auto period = std::chrono::nanoseconds(1'000'000'000LL / std::max(1, rate));
  auto next = Clock::now();
  for (int i = 0; i < calls; ++i) {
    std::this_thread::sleep_until(next);
    next += period;
    auto t0 = Clock::now();
    if (!direct()) ++out.errors;
    auto t1 = Clock::now();
    if (!through(i)) ++out.errors;
    auto t2 = Clock::now();
    out.direct_us.push_back(us(t0, t1));
    out.through_us.push_back(us(t1, t2));
    out.diff_us.push_back(out.through_us.back() - out.direct_us.back());
  }
  return out;
}

}  // namespace ward::bench
