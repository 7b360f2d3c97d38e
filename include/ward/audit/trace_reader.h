// Reading traces back from the audit log: find the events of one trace, list traces with
// filters, page through them. Every event comes with its record index and Merkle leaf hash, so a
// reader can prove it with AuditLog::inclusionProof / `ward audit verify`.
//
// This is the one place that turns audit records into events for readers (CLI, REST, explain);
// when the record body changes (encryption of payloads, tombstones), only this file follows.
//
// Each query scans the log from the start (read-only; safe while another process or thread
// appends: it sees a prefix). Memory is bounded by the number of traces (one summary each), not
// by the number of records. Stateless apart from the directory: thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "ward/audit/merkle.h"
#include "ward/io/file_system.h"
#include "ward/trace/trace.h"

namespace ward::audit {

// Limits (docs/design/audit.md, "Reading traces").
inline constexpr size_t kDefaultTraceListLimit = 50;
inline constexpr size_t kMaxTraceListLimit = 1000;
inline constexpr size_t kMaxEventsPerTrace = 10000;

// One event with the record that holds it.
struct TraceRecord {
  uint64_t index = 0;  // record index in the audit log
  Hash leaf{};         // the record's Merkle leaf hash
  trace::TraceEvent event;
};

// Filters of a trace listing. A trace matches when each set filter is met by at least one of its
// events (of the tenant); empty strings and zero times are unset.
struct TraceQuery {
  std::string tenant;     // "" = every tenant (the local operator); otherwise only this tenant
  std::string principal;  // an event's principal, or a member of a tool call's principal_chain
  std::string tool;       // a tool call's tool, by name or "name@version"
  std::string kind;       // an event kind (search, tool_call, model_call, ...)
  std::string decision;   // an event's attributes.decision (denied, executed, pending, ...)
  int64_t since_us = 0;   // an event at or after this time
  int64_t until_us = 0;   // an event before this time
  size_t limit = kDefaultTraceListLimit;  // 1 .. kMaxTraceListLimit
  uint64_t before = 0;  // page cursor: only traces whose first record is < before (0 = newest)
};

// What a listing shows of one trace.
struct TraceSummary {
  std::string trace_id;
  std::string tenant;  // of its first event
  uint64_t first_record = 0;
  uint64_t last_record = 0;
  int64_t started_us = 0;
  int64_t ended_us = 0;
  uint64_t events = 0;
  std::vector<std::string> principals;  // sorted, unique (empty names left out)
  std::vector<std::string> kinds;       // sorted, unique
  std::vector<std::string> tools;       // sorted, unique
  std::vector<std::string> decisions;   // sorted, unique
};

struct TracePage {
  std::vector<TraceSummary> traces;  // newest first (by first record)
  uint64_t next_before = 0;          // cursor for the next page; 0 when this was the last
  uint64_t records_scanned = 0;
};

// The events of one trace, oldest first.
struct TraceEvents {
  std::string trace_id;
  std::vector<TraceRecord> events;
  bool truncated = false;  // more than kMaxEventsPerTrace events; the first ones are kept
};

class TraceReader {
 public:
  // `dir` is <data>/audit. `fs` must outlive the reader (null: the POSIX file system).
  explicit TraceReader(std::string dir, io::FileSystem* fs = nullptr);

  // InvalidArgument for a bad limit; Corruption if a record cannot be read.
  Result<TracePage> list(const TraceQuery& query) const;
  // The events of `trace_id` (of `tenant`, or every tenant if ""); NotFound when none.
  Result<TraceEvents> trace(const std::string& trace_id, const std::string& tenant) const;
  // The event in record `index`; NotFound past the end or when of another tenant.
  Result<TraceRecord> record(uint64_t index, const std::string& tenant) const;
  // Every event in order (for `ward trace list --events`, small logs and tests).
  Result<std::vector<TraceRecord>> events(const TraceQuery& query) const;

 private:
  std::string dir_;
  io::FileSystem* fs_;
};

// True if `id` is 32 lowercase hex digits (all zeros is well-formed here; no trace has it).
bool isTraceId(const std::string& id);
// The event as JSON for readers: record, leaf_hash, time, kind, tenant, principal, ids, attributes.
Json traceRecordJson(const TraceRecord& r);
Json traceSummaryJson(const TraceSummary& s);
// Whether one event meets every set filter of `q` on its own (for event listings).
bool eventMatches(const trace::TraceEvent& e, const TraceQuery& q);

}  // namespace ward::audit
