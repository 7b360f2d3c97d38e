// The trace seam every module records through (docs/design/trace.md). It depends on common only;
// the implementation is the tamper-evident audit log (ward/audit/audit_trace_sink.h: hash-chained
// records, Merkle tree, signed checkpoints).
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "ward/common/json.h"
#include "ward/common/status.h"

namespace ward::trace {

// W3C trace context of one request.
struct TraceContext {
  std::string trace_id;        // 32 lowercase hex
  std::string span_id;         // 16 lowercase hex, this request's span
  std::string parent_span_id;  // from an incoming traceparent, or empty

  // A fresh trace with random ids.
  static TraceContext generate();
  // Continues an incoming `traceparent` header ("00-<trace>-<span>-<flags>"); an invalid or
  // all-zero header starts a fresh trace (the spec says to ignore it, not to fail the request).
  static TraceContext fromTraceparent(const std::string& header);
  std::string traceparent() const;  // "00-<trace_id>-<span_id>-01"
};

struct TraceEvent {
  TraceContext context;
  std::string kind;  // "search", "ingest", "delete", "acl", "principal", "auth_failure", ...
  std::string tenant;
  std::string principal;  // name of the acting principal ("" for unauthenticated)
  int64_t time_us = 0;
  Json attributes = Json::object();  // kind-specific, never secrets or full document text
};

// Thread-safe. record() returns once the event is durable in the audit log.
class TraceSink {
 public:
  virtual ~TraceSink() = default;
  virtual Status record(const TraceEvent& event) = 0;
};

}  // namespace ward::trace
