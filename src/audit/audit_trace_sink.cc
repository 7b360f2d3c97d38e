// Trace events as audit-log records.
#include "ward/audit/audit_trace_sink.h"

#include "ward/audit/log_verifier.h"

namespace ward::audit {

namespace {

class AuditTraceSink final : public TraceSink {
 public:
  AuditTraceSink(std::unique_ptr<AuditLog> log, const Redactor* redactor)
      : log_(std::move(log)), redactor_(redactor) {}

  Status record(const TraceEvent& event) override {
    std::string body;
    if (redactor_ != nullptr) {
      TraceEvent redacted = event;
      redactor_->redactJson(redacted.attributes);
      body = encodeTraceEvent(redacted);
    } else {
      body = encodeTraceEvent(event);
    }
    auto index = log_->append(body);
    return index.status();
  }

 private:
  std::unique_ptr<AuditLog> log_;
  const Redactor* redactor_;
};

std::string stringField(const Json& j, const char* key) {
  auto it = j.find(key);
  return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
}

}  // namespace

Result<std::unique_ptr<TraceSink>> openAuditLogSink(const AuditSinkOptions& options) {
  WARD_ASSIGN_OR_RETURN(auto log, AuditLog::open(options.log));
  return std::unique_ptr<TraceSink>(new AuditTraceSink(std::move(log), options.redactor));
}

std::string encodeTraceEvent(const TraceEvent& e) {
  return dumpJson(Json{{"trace_id", e.context.trace_id},
                       {"span_id", e.context.span_id},
                       {"parent_span_id", e.context.parent_span_id},
                       {"kind", e.kind},
                       {"tenant", e.tenant},
                       {"principal", e.principal},
                       {"time_us", e.time_us},
                       {"attributes", e.attributes}});
}

Result<TraceEvent> decodeTraceEvent(std::string_view body) {
  auto j = parseJson(std::string(body));
  if (!j.ok() || !j->is_object()) return Status::corruption("record is not a JSON trace event");
  TraceEvent e;
  e.context.trace_id = stringField(*j, "trace_id");
  e.context.span_id = stringField(*j, "span_id");
  e.context.parent_span_id = stringField(*j, "parent_span_id");
  e.kind = stringField(*j, "kind");
  e.tenant = stringField(*j, "tenant");
  e.principal = stringField(*j, "principal");
  auto t = j->find("time_us");
  if (t != j->end() && t->is_number_integer()) e.time_us = t->get<int64_t>();
  auto a = j->find("attributes");
  if (a != j->end() && a->is_object()) e.attributes = *a;
  return e;
}

Result<std::vector<StoredTraceEvent>> readTraceEvents(const std::string& dir, io::FileSystem* fs) {
  std::vector<StoredTraceEvent> out;
  Status s = forEachAuditRecord(
      fs ? *fs : io::posixFileSystem(), dir, [&](uint64_t index, std::string_view body) -> Status {
        auto e = decodeTraceEvent(body);
        if (!e.ok()) {
          return Status::corruption("audit record " + std::to_string(index) + ": " +
                                    e.status().message());
        }
        out.push_back({index, std::move(e).value()});
        return Status();
      });
  if (!s.ok()) return s;
  return out;
}

}  // namespace ward::audit
