// Permissioned, recorded trace reads; feedback and spans.
#include "ward/audit/trace_service.h"

#include "ward/audit/trace_explain.h"
#include "ward/common/clock.h"
#include "ward/common/log.h"
#include "ward/identity/roles.h"

namespace ward::audit {

namespace {

int64_t nowUs() { return SystemClock::instance().nowMicros(); }

trace::TraceEvent eventFor(const TraceAccess& a, const std::string& kind, Json attributes) {
  trace::TraceEvent e;
  e.context = a.request;
  e.kind = kind;
  e.tenant = a.who->tenant;
  e.principal = a.who->name;
  e.time_us = nowUs();
  e.attributes = std::move(attributes);
  return e;
}

// Whether `name` is a participant of trace `t`: named (as principal, in the principal chain or
// as requester) by the trace's first event with a principal (whoever brought the trace id to
// Ward first), or by an event Ward recorded in a trace context it started itself (no parent
// span). An incoming `traceparent` always leaves a parent span, and feedback and spans recorded
// into a trace have one too, so joining someone else's trace id links the caller's request to
// that trace without making the caller a participant (issue 19, item 15).
bool tookPart(const TraceEvents& t, const std::string& name) {
  TraceQuery q;
  q.principal = name;
  bool founder_seen = false;
  for (const auto& r : t.events) {
    const trace::TraceEvent& e = r.event;
    const bool founder = !founder_seen && !e.principal.empty();
    founder_seen = founder_seen || founder;
    if ((founder || e.context.parent_span_id.empty()) && eventMatches(e, q)) return true;
  }
  return false;
}

Result<std::string> boundedText(const Json& body, const char* key, size_t max) {
  auto it = body.find(key);
  if (it == body.end() || it->is_null()) return std::string();
  if (!it->is_string()) {
    return Status::invalidArgument("field '" + std::string(key) + "' must be a string");
  }
  if (it->get<std::string>().size() > max) {
    return Status::invalidArgument("field '" + std::string(key) + "' is longer than " +
                                   std::to_string(max) + " bytes");
  }
  return it->get<std::string>();
}

Result<Json> parseFeedback(const Json& body) {
  if (!body.is_object()) return Status::invalidArgument("body must be a JSON object");
  for (const auto& [k, v] : body.items()) {
    if (k != "rating" && k != "corrected_answer" && k != "reason" && k != "override") {
      return Status::invalidArgument("field '" + k +
                                     "' is unknown (rating, corrected_answer, reason, override)");
    }
  }
  Json out = Json::object();
  if (body.contains("rating") && !body["rating"].is_null()) {
    const Json& r = body["rating"];
    if (!r.is_number_integer() || r.get<int64_t>() < 1 || r.get<int64_t>() > 5) {
      return Status::invalidArgument("field 'rating' must be an integer from 1 to 5");
    }
    out["rating"] = r;
  }
  WARD_ASSIGN_OR_RETURN(std::string answer,
                        boundedText(body, "corrected_answer", kMaxFeedbackAnswerBytes));
  WARD_ASSIGN_OR_RETURN(std::string reason, boundedText(body, "reason", kMaxFeedbackReasonBytes));
  if (!answer.empty()) out["corrected_answer"] = answer;
  if (!reason.empty()) out["reason"] = reason;
  bool overrides = false;
  if (body.contains("override")) {
    if (!body["override"].is_boolean()) {
      return Status::invalidArgument("field 'override' must be a boolean");
    }
    overrides = body["override"].get<bool>();
  }
  if (out.empty()) {
    return Status::invalidArgument(
        "feedback needs at least one of rating, corrected_answer, reason");
  }
  out["override"] = overrides;
  return out;
}

}  // namespace

TraceService::TraceService(TraceServiceOptions options) : options_(options) {}

Status TraceService::recordRead(const TraceAccess& a, Json attributes) const {
  return options_.sink->record(eventFor(a, "trace_read", std::move(attributes)));
}

void TraceService::recordDenied(const TraceAccess& a, const std::string& action,
                                const std::string& target, const std::string& reason) const {
  Json attrs = {{"decision", "denied"}, {"action", action}, {"reason", reason}};
  if (!target.empty()) attrs["target"] = target;
  Status st = options_.sink->record(eventFor(a, "authz_denied", std::move(attrs)));
  if (!st.ok()) logWarn("cannot record authz_denied trace event: " + st.toString());
}

Status TraceService::requireAuditor(const TraceAccess& a, const std::string& action,
                                    const std::string& target) const {
  if (a.who == nullptr) return Status::internal("trace access without a principal");
  if (identity::hasRole(*a.who, identity::Role::kAuditor)) return Status();
  const std::string why =
      "reading traces needs the auditor role (admin, or a member of the "
      "group 'auditors')";
  recordDenied(a, action, target, why);
  return Status::permissionDenied(why);
}

Result<TracePage> TraceService::list(const TraceAccess& a, TraceQuery q) const {
  WARD_RETURN_IF_ERROR(requireAuditor(a, "list", ""));
  q.tenant = a.who->tenant;
  WARD_ASSIGN_OR_RETURN(TracePage page, options_.reader->list(q));
  Json filters = Json::object();
  if (!q.principal.empty()) filters["principal"] = q.principal;
  if (!q.tool.empty()) filters["tool"] = q.tool;
  if (!q.kind.empty()) filters["kind"] = q.kind;
  if (!q.decision.empty()) filters["decision"] = q.decision;
  if (q.since_us != 0) filters["since"] = formatRfc3339(q.since_us);
  if (q.until_us != 0) filters["until"] = formatRfc3339(q.until_us);
  WARD_RETURN_IF_ERROR(recordRead(
      a, {{"action", "list"}, {"filters", filters}, {"traces_returned", page.traces.size()}}));
  return page;
}

Result<std::vector<TraceRecord>> TraceService::listEvents(const TraceAccess& a,
                                                          TraceQuery q) const {
  WARD_RETURN_IF_ERROR(requireAuditor(a, "list", ""));
  q.tenant = a.who->tenant;
  WARD_ASSIGN_OR_RETURN(std::vector<TraceRecord> events, options_.reader->events(q));
  if (q.limit > 0 && events.size() > q.limit) {
    events.erase(events.begin(), events.end() - static_cast<std::ptrdiff_t>(q.limit));
  }
  WARD_RETURN_IF_ERROR(recordRead(a, {{"action", "list_events"}, {"events", events.size()}}));
  return events;
}

Result<TraceRecord> TraceService::record(const TraceAccess& a, uint64_t index) const {
  WARD_RETURN_IF_ERROR(requireAuditor(a, "show", std::to_string(index)));
  WARD_ASSIGN_OR_RETURN(TraceRecord r, options_.reader->record(index, a.who->tenant));
  WARD_RETURN_IF_ERROR(recordRead(a, {{"action", "show"}, {"target_record", index}}));
  return r;
}

Result<Json> TraceService::show(const TraceAccess& a, const std::string& trace_id) const {
  WARD_RETURN_IF_ERROR(requireAuditor(a, "show", trace_id));
  WARD_ASSIGN_OR_RETURN(TraceEvents t, options_.reader->trace(trace_id, a.who->tenant));
  WARD_RETURN_IF_ERROR(recordRead(
      a, {{"action", "show"}, {"target_trace_id", trace_id}, {"events", t.events.size()}}));
  Json events = Json::array();
  for (const auto& r : t.events) events.push_back(traceRecordJson(r));
  return Json{{"trace_id", trace_id}, {"truncated", t.truncated}, {"events", events}};
}

Result<Json> TraceService::explain(const TraceAccess& a, const std::string& trace_id) const {
  WARD_RETURN_IF_ERROR(requireAuditor(a, "explain", trace_id));
  WARD_ASSIGN_OR_RETURN(TraceEvents t, options_.reader->trace(trace_id, a.who->tenant));
  WARD_RETURN_IF_ERROR(recordRead(
      a, {{"action", "explain"}, {"target_trace_id", trace_id}, {"events", t.events.size()}}));
  return explainTrace(t);
}

Result<StoredPrompt> TraceService::prompt(const TraceAccess& a, const std::string& sha256) const {
  if (a.who == nullptr) return Status::internal("trace access without a principal");
  if (!identity::isRoleMember(*a.who, identity::Role::kAuditor)) {
    const std::string why = "stored prompts are readable only by members of the group 'auditors'";
    recordDenied(a, "prompt", sha256, why);
    return Status::permissionDenied(why);
  }
  if (options_.prompts == nullptr) return Status::notFound("no prompt store is configured");
  WARD_ASSIGN_OR_RETURN(StoredPrompt p, options_.prompts->get(a.who->tenant, sha256));
  WARD_RETURN_IF_ERROR(recordRead(a, {{"action", "prompt"}, {"prompt_sha256", sha256}}));
  return p;
}

Result<StoredCassette> TraceService::cassette(const TraceAccess& a,
                                              const std::string& sha256) const {
  if (a.who == nullptr) return Status::internal("trace access without a principal");
  if (!identity::isRoleMember(*a.who, identity::Role::kAuditor)) {
    const std::string why =
        "model-call cassettes are readable only by members of the group 'auditors'";
    recordDenied(a, "cassette", sha256, why);
    return Status::permissionDenied(why);
  }
  if (options_.cassettes == nullptr) return Status::notFound("no cassette store is configured");
  WARD_ASSIGN_OR_RETURN(StoredCassette c, options_.cassettes->get(a.who->tenant, sha256));
  WARD_RETURN_IF_ERROR(recordRead(a, {{"action", "cassette"}, {"cassette_sha256", sha256}}));
  return c;
}

Result<std::vector<StoredCassette>> TraceService::cassettes(
    const TraceAccess& a, const std::vector<std::string>& sha256s) const {
  if (a.who == nullptr) return Status::internal("trace access without a principal");
  if (!identity::isRoleMember(*a.who, identity::Role::kAuditor)) {
    const std::string why =
        "model-call cassettes are readable only by members of the group 'auditors'";
    recordDenied(a, "cassettes", sha256s.empty() ? "" : sha256s.front(), why);
    return Status::permissionDenied(why);
  }
  if (options_.cassettes == nullptr) return Status::notFound("no cassette store is configured");
  std::vector<StoredCassette> out;
  for (const std::string& sha : sha256s) {
    WARD_ASSIGN_OR_RETURN(StoredCassette c, options_.cassettes->get(a.who->tenant, sha));
    out.push_back(std::move(c));
  }
  WARD_RETURN_IF_ERROR(recordRead(a, {{"action", "cassettes"}, {"cassette_sha256s", sha256s}}));
  return out;
}

Result<Json> TraceService::feedback(const TraceAccess& a, const std::string& trace_id,
                                    const Json& body) const {
  if (a.who == nullptr) return Status::internal("trace access without a principal");
  WARD_ASSIGN_OR_RETURN(Json attrs, parseFeedback(body));
  WARD_ASSIGN_OR_RETURN(TraceEvents t, options_.reader->trace(trace_id, a.who->tenant));
  const bool reviewer = identity::hasRole(*a.who, identity::Role::kReviewer);
  const bool auditor = identity::hasRole(*a.who, identity::Role::kAuditor);
  if (!reviewer && !auditor && !tookPart(t, a.who->name)) {
    // Not theirs to see: answer as if the trace did not exist.
    recordDenied(a, "feedback", trace_id, "not a participant, auditor or reviewer");
    return Status::notFound("no trace " + trace_id);
  }
  if (attrs["override"].get<bool>() && !reviewer) {
    const std::string why =
        "an override needs the reviewer role (admin, or a member of the "
        "group 'reviewers')";
    recordDenied(a, "feedback_override", trace_id, why);
    return Status::permissionDenied(why);
  }
  Json roles = Json::array();
  if (a.who->admin) roles.push_back("admin");
  if (identity::isRoleMember(*a.who, identity::Role::kReviewer)) roles.push_back("reviewer");
  if (identity::isRoleMember(*a.who, identity::Role::kAuditor)) roles.push_back("auditor");
  attrs["reviewer_roles"] = roles;
  trace::TraceEvent e = eventFor(a, "feedback", attrs);
  e.context.trace_id = trace_id;  // feedback joins the trace it is about
  e.context.parent_span_id = a.request.span_id;
  e.context.span_id = trace::TraceContext::generate().span_id;
  WARD_RETURN_IF_ERROR(options_.sink->record(e));
  Json out = attrs;
  out["trace_id"] = trace_id;
  out["span_id"] = e.context.span_id;
  out["reviewer"] = a.who->name;
  out["time"] = formatRfc3339(e.time_us);
  return out;
}

Result<Json> TraceService::recordSpan(const TraceAccess& a, const std::string& trace_id,
                                      const Json& body) const {
  if (a.who == nullptr) return Status::internal("trace access without a principal");
  if (!isTraceId(trace_id) || trace_id == std::string(32, '0')) {
    return Status::invalidArgument("trace id must be 32 lowercase hex digits, not all zero");
  }
  if (!a.who->admin && a.who->kind != identity::PrincipalKind::kServiceAccount) {
    const std::string why = "recording spans needs an admin or a service account";
    recordDenied(a, "record_span", trace_id, why);
    return Status::permissionDenied(why);
  }
  if (!body.is_object()) return Status::invalidArgument("body must be a JSON object");
  auto kind = body.find("kind");
  if (kind != body.end() && *kind != Json("model_call")) {
    return Status::invalidArgument("field 'kind' must be \"model_call\" (the only span kind)");
  }
  Json call_body = body;
  call_body.erase("kind");
  WARD_ASSIGN_OR_RETURN(ModelCall call, parseModelCall(call_body));
  ModelCallRecording where;
  where.sink = options_.sink;
  where.prompts = options_.prompts;
  where.redactor = options_.redactor;
  where.context = a.request;
  where.context.trace_id = trace_id;
  where.tenant = a.who->tenant;
  where.principal = a.who->name;
  where.time_us = nowUs();
  WARD_ASSIGN_OR_RETURN(Json attrs, recordModelCall(where, call));
  attrs["trace_id"] = trace_id;
  attrs["kind"] = "model_call";
  return attrs;
}

}  // namespace ward::audit
