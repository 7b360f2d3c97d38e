// The proxy as an eval target; the contract is in eval_proxy_target.h.
#include "eval_proxy_target.h"

#include "commands.h"
#include "trace_access.h"
#include "ward/audit/trace_service.h"
#include "ward/http/http_server.h"

namespace ward::cli {

Result<std::unique_ptr<EvalProxyTarget>> EvalProxyTarget::open(CliContext& ctx) {
  std::unique_ptr<EvalProxyTarget> t(new EvalProxyTarget());
  WARD_ASSIGN_OR_RETURN(t->answers_, openAnswerService(ctx, /*with_models=*/true));
  http::Services& s = t->services_;
  s.store = &ctx.store();
  s.search = &ctx.search();
  s.ingest = &ctx.ingest();
  s.index = &ctx.index();
  s.traces = &ctx.traces();
  s.config = &ctx.config();
  s.audit_keys = ctx.auditKeys();
  WARD_ASSIGN_OR_RETURN(s.gateway, ctx.gateway());
  WARD_ASSIGN_OR_RETURN(s.trace_service, ctx.traceService());
  WARD_ASSIGN_OR_RETURN(s.models, ctx.models());
  s.answers = t->answers_.get();
  t->router_ = http::wardRouter(t->services_);
  WARD_ASSIGN_OR_RETURN(t->operator_, reader(ctx, ""));
  return t;
}

Result<Json> EvalProxyTarget::send(const identity::Principal& who, const std::string& model,
                                   const std::string& question,
                                   const trace::TraceContext& trace) const {
  static constexpr const char* kPath = "/v1/chat/completions";
  const http::RouteMatch m = router_.match("POST", kPath);
  if (m.route == nullptr)
    return Status::internal("the route table has no POST " + std::string(kPath));
  http::HttpRequest req;
  req.method = "POST";
  req.target = kPath;
  req.path = kPath;
  req.headers = {{"content-type", "application/json"}};
  req.remote_address = "eval";
  req.trace = trace;
  req.principal = who;
  req.body = dumpJson(Json{{"model", model},
                           {"messages", Json::array({{{"role", "user"}, {"content", question}}})},
                           {"ward", {{"tools", "execute"}}}});
  WARD_ASSIGN_OR_RETURN(http::HttpResponse resp, m.route->handler(req));
  if (resp.status < 200 || resp.status >= 300 || resp.stream || resp.deferred) {
    return Status::internal("the proxy answered HTTP " + std::to_string(resp.status));
  }
  auto body = parseJson(resp.body);
  if (!body.ok()) return Status::internal("the proxy's response is not JSON");
  return *body;
}

Result<Json> EvalProxyTarget::readTrace(const std::string& trace_id) const {
  audit::TraceAccess access;
  access.who = &operator_;
  access.request = trace::TraceContext{};
  access.request.trace_id = trace_id;
  access.request.span_id = trace::TraceContext::generate().span_id;
  return services_.trace_service->show(access, trace_id);
}

}  // namespace ward::cli
