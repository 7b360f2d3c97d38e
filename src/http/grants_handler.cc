// /v1/grants, /v1/modes and /v1/secrets: the gateway's policy (admin only; the route table
// enforces it). Secrets are write-only: listings show names, never values.
#include "handlers.h"
#include "ward/gateway/tool_gateway.h"

namespace ward::http {

// POST /v1/grants {"subject_kind","subject","tool","constraints"?}
Result<HttpResponse> grantsCreate(const Services& s, const HttpRequest& r) {
  WARD_ASSIGN_OR_RETURN(const identity::Principal* who, requirePrincipal(r));
  WARD_ASSIGN_OR_RETURN(gateway::ToolGateway * gw, requireGateway(s));
  WARD_ASSIGN_OR_RETURN(Json body, r.jsonBody());
  WARD_ASSIGN_OR_RETURN(gateway::GrantView added, gw->addGrant(who->tenant, body, who->name));
  return HttpResponse::created(added.toAddedJson());
}

// GET /v1/grants
Result<HttpResponse> grantsList(const Services& s, const HttpRequest& r) {
  WARD_ASSIGN_OR_RETURN(const identity::Principal* who, requirePrincipal(r));
  WARD_ASSIGN_OR_RETURN(gateway::ToolGateway * gw, requireGateway(s));
  WARD_ASSIGN_OR_RETURN(gateway::GrantList grants, gw->listGrants(who->tenant));
  return HttpResponse::json(grants.toJson());
}

// DELETE /v1/grants/{id}
Result<HttpResponse> grantDelete(const Services& s, const HttpRequest& r) {
  WARD_ASSIGN_OR_RETURN(const identity::Principal* who, requirePrincipal(r));
  WARD_ASSIGN_OR_RETURN(gateway::ToolGateway * gw, requireGateway(s));
  const std::string id = r.pathParam("id");
  int64_t n = 0;
  try {
    size_t used = 0;
    n = std::stoll(id, &used);
    if (used != id.size()) throw std::invalid_argument("id");
  } catch (const std::exception&) {
    return Status::invalidArgument("grant id '" + id + "' must be a number");
  }
  WARD_RETURN_IF_ERROR(gw->deleteGrant(who->tenant, n));
  return HttpResponse::json(Json{{"id", n}, {"deleted", true}});
}

// GET /v1/modes
Result<HttpResponse> modesList(const Services& s, const HttpRequest& r) {
  WARD_ASSIGN_OR_RETURN(const identity::Principal* who, requirePrincipal(r));
  WARD_ASSIGN_OR_RETURN(gateway::ToolGateway * gw, requireGateway(s));
  WARD_ASSIGN_OR_RETURN(gateway::ModeList modes, gw->listModes(who->tenant));
  return HttpResponse::json(modes.toJson());
}

// PUT /v1/modes {"scope": "server"|"tenant"|"agent", "agent"?: NAME, "read_only": bool}
Result<HttpResponse> modesSet(const Services& s, const HttpRequest& r) {
  WARD_ASSIGN_OR_RETURN(const identity::Principal* who, requirePrincipal(r));
  WARD_ASSIGN_OR_RETURN(gateway::ToolGateway * gw, requireGateway(s));
  WARD_ASSIGN_OR_RETURN(Json body, r.jsonBody());
  if (!body.is_object()) return Status::invalidArgument("body must be a JSON object");
  if (!body.contains("scope") || !body["scope"].is_string()) {
    return Status::invalidArgument("field 'scope' must be a string");
  }
  if (!body.contains("read_only")) return Status::invalidArgument("field 'read_only' is required");
  WARD_ASSIGN_OR_RETURN(bool read_only, boolField(body, "read_only", false));
  std::string agent;
  if (body.contains("agent")) {
    if (!body["agent"].is_string())
      return Status::invalidArgument("field 'agent' must be a string");
    agent = body["agent"].get<std::string>();
  }
  const std::string scope = body["scope"].get<std::string>();
  WARD_ASSIGN_OR_RETURN(store::ModeScope parsed, gateway::modeScopeField(scope));
  WARD_RETURN_IF_ERROR(gw->setReadOnly(parsed, who->tenant, agent, read_only, *who));
  return HttpResponse::json(Json{{"scope", scope}, {"agent", agent}, {"read_only", read_only}});
}

// PUT /v1/secrets/{name} {"value": "..."}
Result<HttpResponse> secretPut(const Services& s, const HttpRequest& r) {
  WARD_ASSIGN_OR_RETURN(const identity::Principal* who, requirePrincipal(r));
  WARD_ASSIGN_OR_RETURN(gateway::ToolGateway * gw, requireGateway(s));
  WARD_ASSIGN_OR_RETURN(Json body, r.jsonBody());
  if (!body.is_object() || !body.contains("value") || !body["value"].is_string()) {
    return Status::invalidArgument("field 'value' must be a string");
  }
  WARD_RETURN_IF_ERROR(
      gw->putSecret(who->tenant, r.pathParam("name"), body["value"].get<std::string>()));
  return HttpResponse::json(Json{{"secret", r.pathParam("name")}, {"stored", true}});
}

// DELETE /v1/secrets/{name}
Result<HttpResponse> secretDelete(const Services& s, const HttpRequest& r) {
  WARD_ASSIGN_OR_RETURN(const identity::Principal* who, requirePrincipal(r));
  WARD_ASSIGN_OR_RETURN(gateway::ToolGateway * gw, requireGateway(s));
  WARD_RETURN_IF_ERROR(gw->deleteSecret(who->tenant, r.pathParam("name")));
  return HttpResponse::json(Json{{"secret", r.pathParam("name")}, {"deleted", true}});
}

// GET /v1/secrets
Result<HttpResponse> secretsList(const Services& s, const HttpRequest& r) {
  WARD_ASSIGN_OR_RETURN(const identity::Principal* who, requirePrincipal(r));
  WARD_ASSIGN_OR_RETURN(gateway::ToolGateway * gw, requireGateway(s));
  WARD_ASSIGN_OR_RETURN(gateway::SecretNames names, gw->listSecrets(who->tenant));
  return HttpResponse::json(names.toJson());
}

}  // namespace ward::http
