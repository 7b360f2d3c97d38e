// /v1/delegations: which agents may call tools on a user's behalf. An admin manages any; a user
// their own (the gateway decides).
#include "handlers.h"
#include "ward/gateway/tool_gateway.h"

namespace ward::http {

// POST /v1/delegations {"user","agent"}
Result<HttpResponse> delegationsCreate(const Services& s, const HttpRequest& r) {
  WARD_ASSIGN_OR_RETURN(const identity::Principal* who, requirePrincipal(r));
  WARD_ASSIGN_OR_RETURN(gateway::ToolGateway * gw, requireGateway(s));
  WARD_ASSIGN_OR_RETURN(Json body, r.jsonBody());
  WARD_ASSIGN_OR_RETURN(gateway::DelegationView added, gw->addDelegation(*who, body));
  return HttpResponse::created(added.toJson());
}

// GET /v1/delegations
Result<HttpResponse> delegationsList(const Services& s, const HttpRequest& r) {
  WARD_ASSIGN_OR_RETURN(const identity::Principal* who, requirePrincipal(r));
  WARD_ASSIGN_OR_RETURN(gateway::ToolGateway * gw, requireGateway(s));
  WARD_ASSIGN_OR_RETURN(gateway::DelegationList list, gw->listDelegations(*who));
  return HttpResponse::json(list.toJson());
}

// DELETE /v1/delegations/{user}/{agent}
Result<HttpResponse> delegationDelete(const Services& s, const HttpRequest& r) {
  WARD_ASSIGN_OR_RETURN(const identity::Principal* who, requirePrincipal(r));
  WARD_ASSIGN_OR_RETURN(gateway::ToolGateway * gw, requireGateway(s));
  const std::string user = r.pathParam("user"), agent = r.pathParam("agent");
  WARD_RETURN_IF_ERROR(gw->deleteDelegation(*who, user, agent));
  return HttpResponse::json(Json{{"user", user}, {"agent", agent}, {"deleted", true}});
}

}  // namespace ward::http
