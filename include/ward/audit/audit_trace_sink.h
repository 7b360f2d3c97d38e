// The trace::TraceSink that records every trace event as one record of the tamper-evident AuditLog
// (docs/formats/audit-log.md), and the way back from records to events.
//
// record() returns once the event is durable (group commit; see audit_log.h). Attributes pass
// through the optional trace::Redactor before anything is serialised. Thread-safe.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "ward/audit/audit_log.h"
#include "ward/audit/subject_keys.h"
#include "ward/trace/redactor.h"
#include "ward/trace/trace.h"

namespace ward::audit {

struct AuditSinkOptions {
  AuditLogOptions log;
  // Null: attributes are written as given. Must outlive the sink.
  const trace::Redactor* redactor = nullptr;
  // Seals principal and attributes (docs/formats/audit-keys.md) of every event but `erasure`
  // tombstones; null: stored in clear. Must outlive the sink.
  SubjectKeyStore* keys = nullptr;
  // Called on the recording thread once the event is durable, with its record index and the
  // redacted (unsealed) event; must not block (the export queue's offer()).
  std::function<void(uint64_t index, const trace::TraceEvent& event)> on_recorded;
};

// Opens (or creates) the audit log in options.log.dir.
Result<std::unique_ptr<trace::TraceSink>> openAuditLogSink(const AuditSinkOptions& options);

// An event as a record body: compact JSON with sorted keys (format doc, "Event body").
std::string encodeTraceEvent(const trace::TraceEvent& event);
// The same with principal and attributes emptied and the `sealed` object added
// (docs/formats/audit-keys.md).
std::string encodeSealedTraceEvent(const trace::TraceEvent& event, const Json& sealed);
// Corruption if `body` is not an event object. A sealed body is opened with processKeyStore()
// (subject_keys.h): its content, or principal "[erased]" when a key was destroyed, or
// "[sealed]" when this process has no key store.
Result<trace::TraceEvent> decodeTraceEvent(std::string_view body);

struct StoredTraceEvent {
  uint64_t index = 0;  // record index in the audit log
  trace::TraceEvent event;
  // "plain" (stored in clear), "decrypted" (sealed, keys present) or "erased" (a key was
  // destroyed: principal "[erased]", attributes {"erased":true,"reason":...}).
  std::string content = "plain";
};
// Every event of the audit log in `dir`, in order (a torn tail is skipped; corruption fails).
// Sealed events are opened with the key store in `dir`/keys (read-only).
Result<std::vector<StoredTraceEvent>> readTraceEvents(const std::string& dir,
                                                      io::FileSystem* fs = nullptr);

}  // namespace ward::audit
