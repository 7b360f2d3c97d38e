// GET /v1/sources and GET /v1/jobs (admin): the sync state `ward sources` and `ward jobs` print,
// served by `ward serve` as extra routes (like /mcp) over its SyncWiring.
#include "sync_routes.h"

#include "ward/common/clock.h"
#include "ward/http/error_mapping.h"

namespace ward::cli {

namespace {

// Admins only; a refusal is recorded in the audit trail (an `authz_denied` event).
Result<const identity::Principal*> requireAdmin(CliContext& ctx, const http::HttpRequest& r) {
  if (!r.principal) return Status::unauthenticated("authentication required");
  if (r.principal->admin) return &*r.principal;
  Status denied = Status::permissionDenied("this endpoint requires an admin principal");
  audit::TraceEvent ev;
  ev.context = audit::TraceContext::generate();
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

}  // namespace

std::vector<http::Route> syncRoutes(CliContext& ctx, SyncWiring& wiring) {
  std::vector<http::Route> routes;
  http::Route sources;
  sources.method = "GET";
  sources.pattern = "/v1/sources";
  sources.auth = http::AuthPolicy::kPrincipal;  // admin checked (and refusals recorded) below
  sources.handler = [&ctx, &wiring](const http::HttpRequest& r) -> Result<http::HttpResponse> {
    WARD_ASSIGN_OR_RETURN(const identity::Principal* who, requireAdmin(ctx, r));
    WARD_ASSIGN_OR_RETURN(Json list, ingest::sourcesJson(*wiring.sync, who->tenant, wiring.sources,
                                                         SystemClock::instance().nowMicros()));
    return http::HttpResponse::json(Json{{"sources", std::move(list)}});
  };
  routes.push_back(std::move(sources));

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
  return routes;
}

}  // namespace ward::cli
