// /v1/upstreams: the upstream MCP servers of ward.toml, their imported tools and pinned prompts
// (admin).
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

// POST /v1/upstreams/{name}/prompts/{prompt}/approve
Result<HttpResponse> upstreamPromptApprove(const Services& s, const HttpRequest& r) {
  WARD_ASSIGN_OR_RETURN(const identity::Principal* who, requirePrincipal(r));
  WARD_ASSIGN_OR_RETURN(gateway::ToolGateway * gw, requireGateway(s));
  WARD_RETURN_IF_ERROR(
      gw->approveUpstreamPrompt(who->tenant, r.pathParam("name"), r.pathParam("prompt")));
  return HttpResponse::json(Json{{"upstream", r.pathParam("name")},
                                 {"prompt", r.pathParam("prompt")},
                                 {"quarantined", false}});
}

}  // namespace ward::http
