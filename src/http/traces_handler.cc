// /v1/traces and /v1/prompts: reading traces (auditors), feedback, model-call spans. The
// permission rules and the recording of every read live in audit::TraceService.
#include "handlers.h"
#include "ward/audit/trace_service.h"
#include "ward/common/clock.h"

namespace ward::http {

namespace {

Result<audit::TraceService*> requireTraceService(const Services& s) {
  if (s.trace_service == nullptr) {
    return Status::unavailable("trace reading is not enabled on this server");
  }
  return s.trace_service;
}

Result<audit::TraceAccess> access(const HttpRequest& r) {
  WARD_ASSIGN_OR_RETURN(const identity::Principal* who, requirePrincipal(r));
  return audit::TraceAccess{who, r.trace};
}

Result<uint64_t> wholeNumber(const HttpRequest& r, const char* name, uint64_t fallback) {
  const std::string v = r.queryParam(name, "");
  if (v.empty()) return fallback;
  if (v.size() > 19 || v.find_first_not_of("0123456789") != std::string::npos) {
    return Status::invalidArgument("query '" + std::string(name) + "' must be a whole number");
  }
  return std::stoull(v);
}

Result<int64_t> timeParam(const HttpRequest& r, const char* name) {
  const std::string v = r.queryParam(name, "");
  int64_t us = 0;
  if (!v.empty() && !parseRfc3339(v, &us)) {
    return Status::invalidArgument("query '" + std::string(name) +
                                   "' must be an RFC 3339 date or time");
  }
  return us;
}

Result<audit::TraceQuery> listQuery(const HttpRequest& r) {
  audit::TraceQuery q;
  q.principal = r.queryParam("principal", "");
  q.tool = r.queryParam("tool", "");
  q.kind = r.queryParam("kind", "");
  q.decision = r.queryParam("decision", "");
  WARD_ASSIGN_OR_RETURN(q.since_us, timeParam(r, "since"));
  WARD_ASSIGN_OR_RETURN(q.until_us, timeParam(r, "until"));
  WARD_ASSIGN_OR_RETURN(uint64_t limit, wholeNumber(r, "limit", audit::kDefaultTraceListLimit));
  q.limit = static_cast<size_t>(limit);
  WARD_ASSIGN_OR_RETURN(q.before, wholeNumber(r, "before", 0));
  return q;
}

}  // namespace

// GET /v1/traces?principal=&tool=&kind=&decision=&since=&until=&limit=&before=
Result<HttpResponse> tracesList(const Services& s, const HttpRequest& r) {
  WARD_ASSIGN_OR_RETURN(audit::TraceService * svc, requireTraceService(s));
  WARD_ASSIGN_OR_RETURN(audit::TraceAccess a, access(r));
  WARD_ASSIGN_OR_RETURN(audit::TraceQuery q, listQuery(r));
  WARD_ASSIGN_OR_RETURN(audit::TracePage page, svc->list(a, q));
  Json traces = Json::array();
  for (const auto& t : page.traces) traces.push_back(audit::traceSummaryJson(t));
  Json out = {{"traces", traces}, {"records_scanned", page.records_scanned}};
  out["next_before"] = page.next_before == 0 ? Json() : Json(page.next_before);
  return HttpResponse::json(out);
}

// GET /v1/traces/{id}
Result<HttpResponse> traceGet(const Services& s, const HttpRequest& r) {
  WARD_ASSIGN_OR_RETURN(audit::TraceService * svc, requireTraceService(s));
  WARD_ASSIGN_OR_RETURN(audit::TraceAccess a, access(r));
  WARD_ASSIGN_OR_RETURN(Json out, svc->show(a, r.pathParam("id")));
  return HttpResponse::json(out);
}

// GET /v1/traces/{id}/explain
Result<HttpResponse> traceExplain(const Services& s, const HttpRequest& r) {
  WARD_ASSIGN_OR_RETURN(audit::TraceService * svc, requireTraceService(s));
  WARD_ASSIGN_OR_RETURN(audit::TraceAccess a, access(r));
  WARD_ASSIGN_OR_RETURN(Json out, svc->explain(a, r.pathParam("id")));
  return HttpResponse::json(out);
}

// POST /v1/traces/{id}/feedback {"rating"?, "corrected_answer"?, "reason"?, "override"?}
Result<HttpResponse> traceFeedback(const Services& s, const HttpRequest& r) {
  WARD_ASSIGN_OR_RETURN(audit::TraceService * svc, requireTraceService(s));
  WARD_ASSIGN_OR_RETURN(audit::TraceAccess a, access(r));
  WARD_ASSIGN_OR_RETURN(Json body, r.jsonBody());
  WARD_ASSIGN_OR_RETURN(Json out, svc->feedback(a, r.pathParam("id"), body));
  return HttpResponse::created(out);
}

// POST /v1/traces/{id}/spans {"kind": "model_call", "provider", "model", ...}
Result<HttpResponse> traceSpanCreate(const Services& s, const HttpRequest& r) {
  WARD_ASSIGN_OR_RETURN(audit::TraceService * svc, requireTraceService(s));
  WARD_ASSIGN_OR_RETURN(audit::TraceAccess a, access(r));
  WARD_ASSIGN_OR_RETURN(Json body, r.jsonBody());
  WARD_ASSIGN_OR_RETURN(Json out, svc->recordSpan(a, r.pathParam("id"), body));
  return HttpResponse::created(out);
}

// GET /v1/prompts/{sha256}
Result<HttpResponse> promptGet(const Services& s, const HttpRequest& r) {
  WARD_ASSIGN_OR_RETURN(audit::TraceService * svc, requireTraceService(s));
  WARD_ASSIGN_OR_RETURN(audit::TraceAccess a, access(r));
  WARD_ASSIGN_OR_RETURN(audit::StoredPrompt p, svc->prompt(a, r.pathParam("sha256")));
  return HttpResponse::json(p.toJson());
}

// GET /v1/cassettes/{sha256}
Result<HttpResponse> cassetteGet(const Services& s, const HttpRequest& r) {
  WARD_ASSIGN_OR_RETURN(audit::TraceService * svc, requireTraceService(s));
  WARD_ASSIGN_OR_RETURN(audit::TraceAccess a, access(r));
  WARD_ASSIGN_OR_RETURN(audit::StoredCassette c, svc->cassette(a, r.pathParam("sha256")));
  return HttpResponse::json(c.toJson());
}

}  // namespace ward::http
