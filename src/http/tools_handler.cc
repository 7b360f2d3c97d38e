// /v1/tools: the tool registry (admin writes, any principal of the tenant reads).
#include "handlers.h"
#include "ward/gateway/tool_gateway.h"

namespace ward::http {

Result<gateway::ToolGateway*> requireGateway(const Services& s) {
  if (s.gateway == nullptr) return Status::unavailable("the tool gateway is not enabled");
  return s.gateway;
}

Result<bool> boolField(const Json& body, const char* name, bool fallback) {
  if (!body.contains(name)) return fallback;
  if (!body[name].is_boolean()) {
    return Status::invalidArgument(std::string("field '") + name + "' must be a boolean");
  }
  return body[name].get<bool>();
}

// POST /v1/tools[?upstream=true]  body: a tool definition (docs/formats/tool-definition.md)
Result<HttpResponse> toolsCreate(const Services& s, const HttpRequest& r) {
  WARD_ASSIGN_OR_RETURN(const identity::Principal* who, requirePrincipal(r));
  WARD_ASSIGN_OR_RETURN(gateway::ToolGateway * gw, requireGateway(s));
  WARD_ASSIGN_OR_RETURN(Json body, r.jsonBody());
  const std::string upstream = r.queryParam("upstream", "false");
  if (upstream != "true" && upstream != "false") {
    return Status::invalidArgument("query 'upstream' must be true or false");
  }
  WARD_ASSIGN_OR_RETURN(gateway::ToolAdded added,
                        gw->addTool(who->tenant, body, upstream == "true"));
  return added.outcome == store::ToolPutOutcome::kCreated ? HttpResponse::created(added.toJson())
                                                          : HttpResponse::json(added.toJson());
}

// GET /v1/tools
Result<HttpResponse> toolsList(const Services& s, const HttpRequest& r) {
  WARD_ASSIGN_OR_RETURN(const identity::Principal* who, requirePrincipal(r));
  WARD_ASSIGN_OR_RETURN(gateway::ToolGateway * gw, requireGateway(s));
  WARD_ASSIGN_OR_RETURN(gateway::ToolList list, gw->listTools(who->tenant, ""));
  return HttpResponse::json(list.toJson());
}

// GET /v1/tools/{name}
Result<HttpResponse> toolGet(const Services& s, const HttpRequest& r) {
  WARD_ASSIGN_OR_RETURN(const identity::Principal* who, requirePrincipal(r));
  WARD_ASSIGN_OR_RETURN(gateway::ToolGateway * gw, requireGateway(s));
  WARD_ASSIGN_OR_RETURN(gateway::ToolList list, gw->listTools(who->tenant, r.pathParam("name")));
  if (list.tools.empty()) return Status::notFound("tool '" + r.pathParam("name") + "' not found");
  return HttpResponse::json(list.tools[0].toJson());
}

// POST /v1/tools/{name}/versions/{version}/deprecate  {"deprecated": true}
Result<HttpResponse> toolDeprecate(const Services& s, const HttpRequest& r) {
  WARD_ASSIGN_OR_RETURN(const identity::Principal* who, requirePrincipal(r));
  WARD_ASSIGN_OR_RETURN(gateway::ToolGateway * gw, requireGateway(s));
  Json body = Json::object();
  if (!r.body.empty()) {
    WARD_ASSIGN_OR_RETURN(body, r.jsonBody());
  }
  WARD_ASSIGN_OR_RETURN(bool deprecated, boolField(body, "deprecated", true));
  WARD_RETURN_IF_ERROR(
      gw->deprecateTool(who->tenant, r.pathParam("name"), r.pathParam("version"), deprecated));
  return HttpResponse::json(Json{{"tool", r.pathParam("name")},
                                 {"version", r.pathParam("version")},
                                 {"deprecated", deprecated}});
}

// POST /v1/tools/{name}/versions/{version}/pin  {"pinned": true}
Result<HttpResponse> toolPin(const Services& s, const HttpRequest& r) {
  WARD_ASSIGN_OR_RETURN(const identity::Principal* who, requirePrincipal(r));
  WARD_ASSIGN_OR_RETURN(gateway::ToolGateway * gw, requireGateway(s));
  Json body = Json::object();
  if (!r.body.empty()) {
    WARD_ASSIGN_OR_RETURN(body, r.jsonBody());
  }
  WARD_ASSIGN_OR_RETURN(bool pinned, boolField(body, "pinned", true));
  WARD_RETURN_IF_ERROR(
      gw->pinTool(who->tenant, r.pathParam("name"), r.pathParam("version"), pinned));
  return HttpResponse::json(
      Json{{"tool", r.pathParam("name")}, {"version", r.pathParam("version")}, {"pinned", pinned}});
}

// POST /v1/tools/{name}/versions/{version}/approve-definition
Result<HttpResponse> toolApproveDefinition(const Services& s, const HttpRequest& r) {
  WARD_ASSIGN_OR_RETURN(const identity::Principal* who, requirePrincipal(r));
  WARD_ASSIGN_OR_RETURN(gateway::ToolGateway * gw, requireGateway(s));
  WARD_RETURN_IF_ERROR(
      gw->approveDefinition(who->tenant, r.pathParam("name"), r.pathParam("version")));
  return HttpResponse::json(Json{
      {"tool", r.pathParam("name")}, {"version", r.pathParam("version")}, {"quarantined", false}});
}

}  // namespace ward::http
