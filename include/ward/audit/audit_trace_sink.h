// The TraceSink that records every trace event as one record of the tamper-evident AuditLog
// (docs/formats/audit-log.md), and the way back from records to events.
//
// record() returns once the event is durable (group commit; see audit_log.h). Attributes pass
// through the optional Redactor before anything is serialised. Thread-safe.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "ward/audit/audit_log.h"
#include "ward/audit/redactor.h"
#include "ward/audit/trace.h"

namespace ward::audit {

struct AuditSinkOptions {
  AuditLogOptions log;
  const Redactor* redactor = nullptr;  // null: attributes are written as given; must outlive sink
};

// Opens (or creates) the audit log in options.log.dir.
Result<std::unique_ptr<TraceSink>> openAuditLogSink(const AuditSinkOptions& options);

// An event as a record body: compact JSON with sorted keys (format doc, "Event body").
std::string encodeTraceEvent(const TraceEvent& event);
// Corruption if `body` is not an event object.
Result<TraceEvent> decodeTraceEvent(std::string_view body);

struct StoredTraceEvent {
  uint64_t index = 0;  // record index in the audit log
  TraceEvent event;
};
// Every event of the audit log in `dir`, in order (a torn tail is skipped; corruption fails).
Result<std::vector<StoredTraceEvent>> readTraceEvents(const std::string& dir,
                                                      io::FileSystem* fs = nullptr);

}  // namespace ward::audit
