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
  // Optional body {"hash": "<pending_hash reviewed>"}: refused if the definition changed since.
  std::string expected_hash;
  if (!r.body.empty()) {
    WARD_ASSIGN_OR_RETURN(Json body, r.jsonBody());
    if (!body.is_object()) return Status::invalidArgument("body must be a JSON object");
    // Fields other than "hash" were refused by the route's body shape (routes.cc).
    if (body.contains("hash")) {
      if (!body["hash"].is_string()) {
        return Status::invalidArgument("field 'hash' must be a string");
      }
      expected_hash = body["hash"].get<std::string>();
    }
  }
  WARD_RETURN_IF_ERROR(gw->approveUpstreamPrompt(who->tenant, r.pathParam("name"),
                                                 r.pathParam("prompt"), expected_hash));
  return HttpResponse::json(Json{{"upstream", r.pathParam("name")},
                                 {"prompt", r.pathParam("prompt")},
                                 {"quarantined", false}});
}

}  // namespace ward::http
