// The p-th percentile (0..1) of latency samples, as the gateway, MCP, upstream and audit
// benchmarks report it: the sample at index floor(p * n), capped at the last one; 0 when empty.
#pragma once

#include <algorithm>
#include <vector>

namespace ward::bench {

inline double percentile(std::vector<double> v, double p) {
  if (v.empty()) return 0;
  size_t k = std::min(v.size() - 1, static_cast<size_t>(p * static_cast<double>(v.size())));
  std::nth_element(v.begin(), v.begin() + static_cast<long>(k), v.end());
  return v[k];
}

}  // namespace ward::bench
