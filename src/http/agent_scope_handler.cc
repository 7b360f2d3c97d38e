// /v1/principals/{name}/scope: an agent's document scope (identity/document_scope.h), the sources,
// groups and tags whose documents it may read, alone or for a user. Admin only (the route table
// enforces it, and records every change as an admin_change).
#include "handlers.h"
#include "ward/identity/directory.h"
#include "ward/store/store.h"

namespace ward::http {

namespace {

Json scopeJson(const std::string& agent, const std::vector<identity::ScopeEntry>& scope) {
  Json entries = Json::array();
  for (const identity::ScopeEntry& e : scope) {
    entries.push_back(
        Json{{"kind", std::string(identity::scopeKindName(e.kind))}, {"value", e.value}});
  }
  return Json{{"agent", agent}, {"scope", std::move(entries)}};
}

Result<identity::ScopeEntry> entryOf(const std::string& kind, const std::string& value) {
  auto parsed = identity::parseScopeKind(kind);
  if (!parsed.ok()) return Status::invalidArgument("field 'kind': " + parsed.status().message());
  identity::ScopeEntry e{*parsed, value};
  WARD_RETURN_IF_ERROR(identity::validateScopeEntry(e));
  return e;
}

}  // namespace

// GET /v1/principals/{name}/scope
Result<HttpResponse> agentScopeGet(const Services& s, const HttpRequest& r) {
  WARD_ASSIGN_OR_RETURN(const identity::Principal* who, requirePrincipal(r));
  const std::string agent = r.pathParam("name");
  WARD_ASSIGN_OR_RETURN(identity::PrincipalRecord rec, s.store->findPrincipal(who->tenant, agent));
  if (rec.kind != identity::PrincipalKind::kAgent) {
    return Status::invalidArgument("'" + agent + "' is not an agent: only agents have a scope");
  }
  WARD_ASSIGN_OR_RETURN(std::vector<identity::ScopeEntry> scope,
                        s.store->agentScope(who->tenant, agent));
  return HttpResponse::json(scopeJson(agent, scope));
}

// POST /v1/principals/{name}/scope {"kind": "source"|"group"|"tag", "value"}
Result<HttpResponse> agentScopeAdd(const Services& s, const HttpRequest& r) {
  WARD_ASSIGN_OR_RETURN(const identity::Principal* who, requirePrincipal(r));
  WARD_ASSIGN_OR_RETURN(Json body, r.jsonBody());
  if (!body.is_object()) return Status::invalidArgument("body must be a JSON object");
  for (const auto& [k, v] : body.items()) {
    if (k != "kind" && k != "value") return Status::invalidArgument("field '" + k + "': unknown");
    if (!v.is_string()) return Status::invalidArgument("field '" + k + "' must be a string");
  }
  if (!body.contains("kind")) return Status::invalidArgument("field 'kind' is required");
  if (!body.contains("value")) return Status::invalidArgument("field 'value' is required");
  WARD_ASSIGN_OR_RETURN(identity::ScopeEntry e,
                        entryOf(body["kind"].get<std::string>(), body["value"].get<std::string>()));
  const std::string agent = r.pathParam("name");
  WARD_RETURN_IF_ERROR(s.store->addScopeEntry(who->tenant, agent, e, who->name));
  WARD_ASSIGN_OR_RETURN(std::vector<identity::ScopeEntry> scope,
                        s.store->agentScope(who->tenant, agent));
  return HttpResponse::created(scopeJson(agent, scope));
}

// DELETE /v1/principals/{name}/scope/{kind}/{value*}
Result<HttpResponse> agentScopeRemove(const Services& s, const HttpRequest& r) {
  WARD_ASSIGN_OR_RETURN(const identity::Principal* who, requirePrincipal(r));
  WARD_ASSIGN_OR_RETURN(identity::ScopeEntry e, entryOf(r.pathParam("kind"), r.pathParam("value")));
  const std::string agent = r.pathParam("name");
  WARD_RETURN_IF_ERROR(s.store->removeScopeEntry(who->tenant, agent, e));
  WARD_ASSIGN_OR_RETURN(std::vector<identity::ScopeEntry> scope,
                        s.store->agentScope(who->tenant, agent));
  return HttpResponse::json(scopeJson(agent, scope));
}

}  // namespace ward::http
