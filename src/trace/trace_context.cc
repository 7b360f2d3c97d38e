#include "ward/trace/trace.h"

#include "ward/common/random_pool.h"

namespace ward::trace {

namespace {

bool isLowerHex(const std::string& s) {
  for (char c : s) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

}  // namespace

TraceContext TraceContext::generate() {
  TraceContext t;
  // One draw for both ids, from this thread's pool of CSPRNG bytes (random_pool.h).
  std::string hex = pooledRandomHex(24);
  t.trace_id = hex.substr(0, 32);
  t.span_id = hex.substr(32);
  return t;
}

TraceContext TraceContext::fromTraceparent(const std::string& header) {
  // version(2) - trace-id(32) - parent-id(16) - flags(2)
  if (header.size() < 55 || header[2] != '-' || header[35] != '-' || header[52] != '-') {
    return generate();
  }
  std::string version = header.substr(0, 2);
  std::string trace = header.substr(3, 32);
  std::string parent = header.substr(36, 16);
  std::string flags = header.substr(53, 2);
  if (version == "ff" || !isLowerHex(version) || !isLowerHex(trace) || !isLowerHex(parent) ||
      !isLowerHex(flags) || trace == std::string(32, '0') || parent == std::string(16, '0')) {
    return generate();
  }
  if (version == "00" && header.size() != 55) return generate();
  TraceContext t;
  t.trace_id = trace;
  t.parent_span_id = parent;
  t.span_id = pooledRandomHex(8);
  return t;
}

std::string TraceContext::traceparent() const { return "00-" + trace_id + "-" + span_id + "-01"; }

}  // namespace ward::trace
