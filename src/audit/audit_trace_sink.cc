// Trace events as audit-log records.
#include "ward/audit/audit_trace_sink.h"

#include "ward/audit/log_verifier.h"
#include "ward/audit/trace_batch.h"

namespace ward::audit {

namespace {

class AuditTraceSink final : public trace::TraceSink, public BatchTraceSink {
 public:
  AuditTraceSink(std::unique_ptr<AuditLog> log, const AuditSinkOptions& options)
      : log_(std::move(log)),
        redactor_(options.redactor),
        keys_(options.keys),
        on_recorded_(options.on_recorded) {}

  Status record(const trace::TraceEvent& event) override {
    if (redactor_ == nullptr && keys_ == nullptr && !on_recorded_) {
      WARD_ASSIGN_OR_RETURN(uint64_t index, log_->append(encodeTraceEvent(event)));
      (void)index;
      return Status();
    }
    return recordAll(std::span<const trace::TraceEvent>(&event, 1));
  }

  Status recordAll(std::span<const trace::TraceEvent> events) override {
    std::vector<trace::TraceEvent> redacted(events.begin(), events.end());
    if (redactor_ != nullptr) {
      for (trace::TraceEvent& e : redacted) redactor_->redactJson(e.attributes);
    }
    // Sealed together (one check of the erasure list for the append), unless the batch holds
    // an erasure tombstone, which is never sealed: then one by one.
    bool any_tombstone = false;
    for (const trace::TraceEvent& e : redacted) any_tombstone |= e.kind == "erasure";
    std::vector<Json> sealed;
    if (keys_ != nullptr && !any_tombstone) {
      WARD_ASSIGN_OR_RETURN(sealed, keys_->sealAll(redacted));
    }
    std::vector<std::string> bodies;
    bodies.reserve(redacted.size());
    for (size_t i = 0; i < redacted.size(); ++i) {
      const trace::TraceEvent& e = redacted[i];
      if (keys_ == nullptr || e.kind == "erasure") {
        bodies.push_back(encodeTraceEvent(e));
      } else if (!sealed.empty()) {
        bodies.push_back(encodeSealedTraceEvent(e, sealed[i]));
      } else {
        WARD_ASSIGN_OR_RETURN(Json one, keys_->seal(e));
        bodies.push_back(encodeSealedTraceEvent(e, one));
      }
    }
    std::vector<std::string_view> views(bodies.begin(), bodies.end());
    WARD_ASSIGN_OR_RETURN(uint64_t first, log_->appendBatch(views));
    if (on_recorded_) {
      for (size_t i = 0; i < redacted.size(); ++i) on_recorded_(first + i, redacted[i]);
    }
    return Status();
  }

 private:
  std::unique_ptr<AuditLog> log_;
  const trace::Redactor* redactor_;
  SubjectKeyStore* keys_;
  std::function<void(uint64_t, const trace::TraceEvent&)> on_recorded_;
};

std::string stringField(const Json& j, const char* key) {
  auto it = j.find(key);
  return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
}

}  // namespace

Status recordAll(trace::TraceSink& sink, std::span<const trace::TraceEvent> events) {
  if (auto* batch = dynamic_cast<BatchTraceSink*>(&sink)) return batch->recordAll(events);
  for (const trace::TraceEvent& e : events) WARD_RETURN_IF_ERROR(sink.record(e));
  return Status();
}

Result<std::unique_ptr<trace::TraceSink>> openAuditLogSink(const AuditSinkOptions& options) {
  WARD_ASSIGN_OR_RETURN(auto log, AuditLog::open(options.log));
  return std::unique_ptr<trace::TraceSink>(new AuditTraceSink(std::move(log), options));
}

std::string encodeTraceEvent(const trace::TraceEvent& e) {
  return dumpJson(Json{{"trace_id", e.context.trace_id},
                       {"span_id", e.context.span_id},
                       {"parent_span_id", e.context.parent_span_id},
                       {"kind", e.kind},
                       {"tenant", e.tenant},
                       {"principal", e.principal},
                       {"time_us", e.time_us},
                       {"attributes", e.attributes}});
}

std::string encodeSealedTraceEvent(const trace::TraceEvent& e, const Json& sealed) {
  return dumpJson(Json{{"trace_id", e.context.trace_id},
                       {"span_id", e.context.span_id},
                       {"parent_span_id", e.context.parent_span_id},
                       {"kind", e.kind},
                       {"tenant", e.tenant},
                       {"principal", ""},
                       {"time_us", e.time_us},
                       {"attributes", Json::object()},
                       {"sealed", sealed}});
}

namespace {

using KeysFn = std::function<Result<SubjectKeyStore*>()>;

// Decodes a body; a sealed one is opened with the store `keys` returns (null: shown as sealed).
// `content` (optional) gets "plain", "decrypted", "erased" or "sealed".
Result<trace::TraceEvent> decodeWith(std::string_view body, const KeysFn& keys,
                                     std::string* content) {
  auto j = parseJson(std::string(body));
  if (!j.ok() || !j->is_object()) return Status::corruption("record is not a JSON trace event");
  trace::TraceEvent e;
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
  std::string kind = "plain";
  auto sealed = j->find("sealed");
  if (sealed != j->end() && sealed->is_object()) {
    WARD_ASSIGN_OR_RETURN(SubjectKeyStore * store, keys());
    if (store == nullptr) {
      kind = "sealed";
      e.principal = "[sealed]";
      e.attributes = Json{{"sealed", true}, {"reason", "no audit key store in this process"}};
    } else {
      WARD_ASSIGN_OR_RETURN(bool open, store->unseal(*sealed, e));
      kind = open ? "decrypted" : "erased";
    }
  }
  if (content != nullptr) *content = kind;
  return e;
}

}  // namespace

Result<trace::TraceEvent> decodeTraceEvent(std::string_view body) {
  return decodeWith(
      body, [] { return Result<SubjectKeyStore*>(processKeyStore()); }, nullptr);
}

Result<std::vector<StoredTraceEvent>> readTraceEvents(const std::string& dir, io::FileSystem* fs) {
  std::vector<StoredTraceEvent> out;
  io::FileSystem& files = fs ? *fs : io::posixFileSystem();
  std::unique_ptr<SubjectKeyStore> keys;  // this dir's keys, opened at the first sealed record
  KeysFn open_keys = [&]() -> Result<SubjectKeyStore*> {
    if (!keys) {
      WARD_ASSIGN_OR_RETURN(keys, SubjectKeyStore::open(files, dir + "/keys", /*read_only=*/true));
    }
    return keys.get();
  };
  Status s = forEachAuditRecord(files, dir, [&](uint64_t index, std::string_view body) -> Status {
    StoredTraceEvent stored{index, {}, "plain"};
    auto e = decodeWith(body, open_keys, &stored.content);
    if (!e.ok()) {
      return Status::corruption("audit record " + std::to_string(index) + ": " +
                                e.status().message());
    }
    stored.event = std::move(e).value();
    out.push_back(std::move(stored));
    return Status();
  });
  if (!s.ok()) return s;
  return out;
}

}  // namespace ward::audit
