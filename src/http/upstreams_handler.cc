// /v1/upstreams: the upstream MCP servers of ward.toml and their imported tools (admin).
#include "handlers.h"
#include "ward/gateway/tool_gateway.h"

namespace ward::http {

// GET /v1/upstreams
Result<HttpResponse> upstreamsList(const Services& s, const HttpRequest& r) {
  WARD_ASSIGN_OR_RETURN(const identity::Principal* who, requirePrincipal(r));
  WARD_ASSIGN_OR_RETURN(gateway::ToolGateway * gw, requireGateway(s));
  WARD_ASSIGN_OR_RETURN(Json out, gw->listUpstreams(who->tenant));
  return HttpResponse::json(out);
}

// POST /v1/upstreams/{name}/sync
Result<HttpResponse> upstreamSync(const Services& s, const HttpRequest& r) {
  WARD_ASSIGN_OR_RETURN(const identity::Principal* who, requirePrincipal(r));
  WARD_ASSIGN_OR_RETURN(gateway::ToolGateway * gw, requireGateway(s));
  WARD_ASSIGN_OR_RETURN(Json out, gw->syncUpstream(who->tenant, r.pathParam("name")));
  return HttpResponse::json(out);
}

}  // namespace ward::http
