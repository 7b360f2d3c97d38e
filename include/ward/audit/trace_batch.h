// Several trace events made durable together: one group commit, so one sync, instead of one per
// event (the proxy's model_call and response_sent records of one answer). A separate interface so
// that trace::TraceSink (ward/trace/trace.h) stays one method; the audit-log sink implements both.
#pragma once

#include <span>

#include "ward/common/status.h"
#include "ward/trace/trace.h"

namespace ward::audit {

class BatchTraceSink {
 public:
  virtual ~BatchTraceSink() = default;
  // Records `events` in order as consecutive records, durable together when it returns OK; all or
  // none (one AuditLog::appendBatch). Each event is redacted and sealed as record() does.
  virtual Status recordAll(std::span<const trace::TraceEvent> events) = 0;
};

// `sink`'s recordAll when it is a BatchTraceSink, else record() for each event in order (stopping
// at the first failure, which is returned).
Status recordAll(trace::TraceSink& sink, std::span<const trace::TraceEvent> events);

}  // namespace ward::audit
