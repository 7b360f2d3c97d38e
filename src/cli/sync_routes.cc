// GET /v1/sources and GET /v1/jobs (admin): the sync state `ward sources` and `ward jobs` print,
// POST /v1/sources/{name}/snapshot (admin, push_snapshot.h), and the runtime sources' POST
// /v1/sources, GET, PUT and DELETE /v1/sources/{name} (admin, runtime_sources.h), served by
// `ward serve` as extra routes (like /mcp) over its SyncWiring.
#include "sync_routes.h"

#include <memory>

#include "push_snapshot.h"
#include "runtime_sources.h"

#include "ward/common/clock.h"
#include "ward/common/log.h"
#include "ward/http/error_mapping.h"

namespace ward::cli {

namespace {

// Admins only; a refusal is recorded in the audit trail (an `authz_denied` event).
Result<const identity::Principal*> requireAdmin(CliContext& ctx, const http::HttpRequest& r) {
  if (!r.principal) return Status::unauthenticated("authentication required");
  if (r.principal->admin) return &*r.principal;
  Status denied = Status::permissionDenied("this endpoint requires an admin principal");
  trace::TraceEvent ev;
  ev.context = trace::TraceContext::generate();
  ev.kind = "authz_denied";
  ev.tenant = r.principal->tenant;
  ev.principal = r.principal->name;
  ev.time_us = SystemClock::instance().nowMicros();
  ev.attributes = {
      {"decision", "denied"}, {"route", r.method + " " + r.path}, {"reason", denied.message()}};
  Status rec = ctx.traces().record(ev);
  if (!rec.ok()) return rec;
  return denied;
}

// A refused snapshot push is recorded (`sync_refused`) with the route and the reason.
void recordRefusal(CliContext& ctx, const http::HttpRequest& r, const Status& s) {
  trace::TraceEvent ev;
  ev.context = trace::TraceContext::generate();
  ev.kind = "sync_refused";
  ev.tenant = r.principal ? r.principal->tenant : ctx.tenant();
  ev.principal = r.principal ? r.principal->name : "";
  ev.time_us = SystemClock::instance().nowMicros();
  ev.attributes = {{"decision", "refused"},
                   {"route", r.method + " " + r.path},
                   {"source", r.pathParam("name")},
                   {"reason", s.message()}};
  Status rec = ctx.traces().record(ev);
  if (!rec.ok()) logWarn("sync: cannot record a refusal: " + rec.toString());
}

Result<http::HttpResponse> snapshot(PushSnapshots& pushes, const identity::Principal& who,
                                    const http::HttpRequest& r) {
  WARD_ASSIGN_OR_RETURN(SnapshotPage page, parseSnapshotPage(r.queryParam("page")));
  WARD_ASSIGN_OR_RETURN(std::vector<std::string> lines, snapshotLines(r.body));
  ingest::SyncRequest req;
  req.approve = r.queryParam("approve");
  req.reviewer = who.name;
  WARD_ASSIGN_OR_RETURN(SnapshotOutcome o,
                        pushes.push(who.tenant, r.pathParam("name"), page, lines, req));
  if (!o.committed) {
    return http::HttpResponse::json(
        Json{{"source", r.pathParam("name")}, {"staged", o.staged_records}, {"committed", false}});
  }
  Json j = o.result.toJson();
  j["staged"] = o.staged_records;
  j["committed"] = true;
  http::HttpResponse resp = http::HttpResponse::json(std::move(j));
  if (o.result.run.state == store::SyncRunState::kHeld) resp.status = 202;  // waits for approval
  return resp;
}

}  // namespace

std::vector<http::Route> syncRoutes(CliContext& ctx, SyncWiring& wiring) {
  std::vector<http::Route> routes;
  http::Route sources;
  sources.method = "GET";
  sources.pattern = "/v1/sources";
  sources.auth = http::AuthPolicy::kPrincipal;  // admin checked (and refusals recorded) below
  sources.handler = [&ctx, &wiring](const http::HttpRequest& r) -> Result<http::HttpResponse> {
    WARD_ASSIGN_OR_RETURN(const identity::Principal* who, requireAdmin(ctx, r));
    WARD_ASSIGN_OR_RETURN(Json list,
                          allSourcesJson(wiring, who->tenant, SystemClock::instance().nowMicros()));
    return http::HttpResponse::json(Json{{"sources", std::move(list)}});
  };
  routes.push_back(std::move(sources));

  // Runtime sources: every refusal (a bad body, a clash, a missing source) is a `sync_refused`
  // event, a non-admin an `authz_denied` one.
  auto guarded = [&ctx](const char* method, const char* pattern, auto body) {
    http::Route route;
    route.method = method;
    route.pattern = pattern;
    route.auth = http::AuthPolicy::kPrincipal;
    route.handler = [&ctx, body](const http::HttpRequest& r) -> Result<http::HttpResponse> {
      WARD_ASSIGN_OR_RETURN(const identity::Principal* who, requireAdmin(ctx, r));
      Result<http::HttpResponse> resp = body(*who, r);
      if (!resp.ok()) recordRefusal(ctx, r, resp.status());
      return resp;
    };
    return route;
  };
  auto put = [&ctx, &wiring](const identity::Principal& who, const http::HttpRequest& r,
                             const std::string& name) -> Result<http::HttpResponse> {
    WARD_ASSIGN_OR_RETURN(Json body, parseJson(r.body));
    WARD_ASSIGN_OR_RETURN(
        Json j, putRuntimeSource(ctx, wiring, who.tenant, who.name, std::move(body), name));
    http::HttpResponse resp = http::HttpResponse::json(std::move(j));
    if (name.empty()) resp.status = 201;
    return resp;
  };
  routes.push_back(guarded("POST", "/v1/sources",
                           [put](const identity::Principal& who, const http::HttpRequest& r) {
                             return put(who, r, "");
                           }));
  routes.push_back(guarded("PUT", "/v1/sources/{name}",
                           [put](const identity::Principal& who, const http::HttpRequest& r) {
                             return put(who, r, r.pathParam("name"));
                           }));
  routes.push_back(guarded("GET", "/v1/sources/{name}",
                           [&wiring](const identity::Principal& who,
                                     const http::HttpRequest& r) -> Result<http::HttpResponse> {
                             WARD_ASSIGN_OR_RETURN(
                                 Json list, allSourcesJson(wiring, who.tenant,
                                                           SystemClock::instance().nowMicros()));
                             for (auto& s : list) {
                               if (s["name"] == r.pathParam("name"))
                                 return http::HttpResponse::json(std::move(s));
                             }
                             return Status::notFound("no source '" + r.pathParam("name") + "'");
                           }));
  routes.push_back(guarded(
      "DELETE", "/v1/sources/{name}",
      [&ctx, &wiring](const identity::Principal& who,
                      const http::HttpRequest& r) -> Result<http::HttpResponse> {
        WARD_ASSIGN_OR_RETURN(RemoveOutcome o,
                              removeRuntimeSource(ctx, wiring, who.tenant, r.pathParam("name"),
                                                  r.queryParam("approve"), who.name));
        Json j = o.run.toJson();
        j["removed"] = o.removed;
        http::HttpResponse resp = http::HttpResponse::json(std::move(j));
        if (o.run.run.state == store::SyncRunState::kHeld) resp.status = 202;
        return resp;
      }));

  http::Route jobs;
  jobs.method = "GET";
  jobs.pattern = "/v1/jobs";
  jobs.auth = http::AuthPolicy::kPrincipal;
  jobs.handler = [&ctx, &wiring](const http::HttpRequest& r) -> Result<http::HttpResponse> {
    WARD_ASSIGN_OR_RETURN(const identity::Principal* who, requireAdmin(ctx, r));
    int limit = ingest::kDefaultJobsListed;
    std::string text = r.queryParam("limit");
    if (!text.empty()) {
      size_t used = 0;
      try {
        limit = std::stoi(text, &used);
      } catch (const std::exception&) {
        used = 0;
      }
      if (used != text.size() || limit < 1 || limit > kMaxJobsListed) {
        return Status::invalidArgument("query 'limit' must be an integer from 1 to " +
                                       std::to_string(kMaxJobsListed));
      }
    }
    WARD_ASSIGN_OR_RETURN(auto runs,
                          wiring.sync->listRuns(who->tenant, r.queryParam("source"), limit));
    Json out = Json::array();
    for (const auto& run : runs) out.push_back(ingest::syncRunJson(run));
    return http::HttpResponse::json(Json{{"jobs", std::move(out)}});
  };
  routes.push_back(std::move(jobs));

  http::Route push;
  push.method = "POST";
  push.pattern = "/v1/sources/{name}/snapshot";
  push.auth = http::AuthPolicy::kPrincipal;
  auto pushes = std::make_shared<PushSnapshots>(wiring, ctx.data_dir + "/sync");
  push.handler = [&ctx, pushes](const http::HttpRequest& r) -> Result<http::HttpResponse> {
    WARD_ASSIGN_OR_RETURN(const identity::Principal* who, requireAdmin(ctx, r));
    auto resp = snapshot(*pushes, *who, r);
    if (!resp.ok()) recordRefusal(ctx, r, resp.status());
    return resp;
  };
  routes.push_back(std::move(push));
  return routes;
}

}  // namespace ward::cli
