// Reading traces as a permissioned, recorded action, and writing to them from outside
// (feedback, model-call spans). What the REST handlers and the CLI call.
//
// Who may do what (docs/design/audit.md, "Reading traces"):
//   list / show / explain   admins and auditors (identity::Role::kAuditor), own tenant only
//   stored prompts          members of the auditors group only (admins too must join it)
//   model-call cassettes    the same as stored prompts
//   feedback                auditors, reviewers, and the trace's participants: the principal
//                           who brought the trace id to Ward first, and those for whom Ward
//                           started it; joining it later with `traceparent` does not count
//   feedback with override  reviewers (identity::Role::kReviewer: admin or group reviewers)
//   model-call spans        admins and service accounts
// Every read, allowed or refused, is recorded: `trace_read` (or `authz_denied`) in the reader's
// own trace. A trace of another tenant is NotFound, never PermissionDenied, so its existence is
// not revealed. Thread-safe (the reader, sink and prompt store are).
#pragma once

#include <string>
#include <vector>

#include "ward/audit/cassette_store.h"
#include "ward/audit/model_call.h"
#include "ward/audit/prompt_store.h"
#include "ward/audit/trace_reader.h"
#include "ward/common/json.h"
#include "ward/identity/principal.h"
#include "ward/trace/trace.h"

namespace ward::audit {

inline constexpr size_t kMaxFeedbackAnswerBytes = 16 * 1024;
inline constexpr size_t kMaxFeedbackReasonBytes = 4 * 1024;

struct TraceServiceOptions {
  const TraceReader* reader = nullptr;  // required
  trace::TraceSink* sink = nullptr;     // required: where reads, feedback and spans are recorded
  PromptStore* prompts = nullptr;       // null: rendered prompts are only hashed
  CassetteStore* cassettes = nullptr;   // null: no model-call cassette can be read
  const trace::Redactor* redactor = nullptr;  // for rendered prompts (the sink redacts attributes)
};

// The request a call belongs to: who, and the trace of the request itself.
struct TraceAccess {
  const identity::Principal* who = nullptr;
  trace::TraceContext request;
};

class TraceService {
 public:
  explicit TraceService(TraceServiceOptions options);

  // `query.tenant` is replaced by the reader's tenant.
  Result<TracePage> list(const TraceAccess& a, TraceQuery query) const;
  // Single events meeting every filter of `query` on their own, oldest first; with a limit, the
  // newest `limit` of them (`ward trace list`). `query.tenant` is replaced by the reader's.
  Result<std::vector<TraceRecord>> listEvents(const TraceAccess& a, TraceQuery query) const;
  // The event in one record.
  Result<TraceRecord> record(const TraceAccess& a, uint64_t index) const;
  // Events of one trace as JSON {trace_id, truncated, events: [traceRecordJson...]}.
  Result<Json> show(const TraceAccess& a, const std::string& trace_id) const;
  // The explainTrace account.
  Result<Json> explain(const TraceAccess& a, const std::string& trace_id) const;
  // A stored prompt by its SHA-256.
  Result<StoredPrompt> prompt(const TraceAccess& a, const std::string& sha256) const;
  // A model-call cassette by its SHA-256 (auditors, as prompts; recorded as a trace_read).
  Result<StoredCassette> cassette(const TraceAccess& a, const std::string& sha256) const;
  // Several cassettes (a replay's steps, in order): one role check and one recorded read
  // (`action: "cassettes"`, `cassette_sha256s`) for all, so a replay of N steps does not append
  // N records. NotFound for any missing one.
  Result<std::vector<StoredCassette>> cassettes(const TraceAccess& a,
                                                const std::vector<std::string>& sha256s) const;

  // Body {"rating"?: 1..5, "corrected_answer"?, "reason"?, "override"?: bool}; at least one of
  // rating, corrected_answer, reason. Recorded as a `feedback` event of the trace.
  Result<Json> feedback(const TraceAccess& a, const std::string& trace_id, const Json& body) const;
  // Body as parseModelCall; recorded as a `model_call` event of the trace.
  Result<Json> recordSpan(const TraceAccess& a, const std::string& trace_id,
                          const Json& body) const;

 private:
  Status requireAuditor(const TraceAccess& a, const std::string& action,
                        const std::string& target) const;
  // A read that cannot be recorded does not happen: the error is returned.
  Status recordRead(const TraceAccess& a, Json attributes) const;
  void recordDenied(const TraceAccess& a, const std::string& action, const std::string& target,
                    const std::string& reason) const;

  TraceServiceOptions options_;
};

}  // namespace ward::audit
