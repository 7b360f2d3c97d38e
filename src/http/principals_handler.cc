// /v1/principals: create and list principals, add and remove group memberships (admin only; the
// route table enforces it).
#include "handlers.h"
#include "ward/store/store.h"

namespace ward::http {

namespace {

Json principalJson(const identity::PrincipalRecord& p, const std::vector<std::string>& groups) {
  return Json{{"name", p.name},
              {"kind", std::string(identity::principalKindName(p.kind))},
              {"admin", p.admin},
              {"groups", groups},
              {"created_at", timeJson(p.created_at)}};
}

Result<std::string> stringField(const Json& body, const char* name, bool required) {
  if (!body.contains(name)) {
    if (required) return Status::invalidArgument(std::string("field '") + name + "' is required");
    return std::string();
  }
  if (!body[name].is_string()) {
    return Status::invalidArgument(std::string("field '") + name + "' must be a string");
  }
  return body[name].get<std::string>();
}

// Every listed group must exist in the tenant and be a group, checked before anything is written.
Status checkGroups(store::Store& store, const std::string& tenant,
                   const std::vector<std::string>& groups) {
  for (const std::string& g : groups) {
    auto rec = store.findPrincipal(tenant, g);
    if (!rec.ok()) {
      if (rec.status().code() == StatusCode::kNotFound) {
        return Status::invalidArgument("field 'groups': group '" + g + "' does not exist");
      }
      return rec.status();
    }
    if (rec->kind != identity::PrincipalKind::kGroup) {
      return Status::invalidArgument("field 'groups': '" + g + "' is not a group");
    }
  }
  return Status();
}

}  // namespace

// POST /v1/principals {"name","kind":"user|group|service_account|agent","admin":false,"groups":[]}
Result<HttpResponse> principalsCreate(const Services& s, const HttpRequest& r) {
  WARD_ASSIGN_OR_RETURN(const identity::Principal* who, requirePrincipal(r));
  WARD_ASSIGN_OR_RETURN(Json body, r.jsonBody());
  if (!body.is_object()) return Status::invalidArgument("body must be a JSON object");
  WARD_ASSIGN_OR_RETURN(std::string name, stringField(body, "name", true));
  WARD_RETURN_IF_ERROR(identity::validateName("principal", name));
  WARD_ASSIGN_OR_RETURN(std::string kind_name, stringField(body, "kind", false));
  identity::PrincipalKind kind = identity::PrincipalKind::kUser;
  if (!kind_name.empty()) {
    auto parsed = identity::parsePrincipalKind(kind_name);
    if (!parsed.ok()) return Status::invalidArgument("field 'kind': " + parsed.status().message());
    kind = *parsed;
  }
  bool admin = false;
  if (body.contains("admin")) {
    if (!body["admin"].is_boolean())
      return Status::invalidArgument("field 'admin' must be a boolean");
    admin = body["admin"].get<bool>();
  }
  std::vector<std::string> groups;
  if (body.contains("groups")) {
    if (!body["groups"].is_array()) {
      return Status::invalidArgument("field 'groups' must be an array of group names");
    }
    for (const Json& g : body["groups"]) {
      if (!g.is_string()) return Status::invalidArgument("field 'groups' must contain strings");
      groups.push_back(g.get<std::string>());
    }
  }
  WARD_RETURN_IF_ERROR(checkGroups(*s.store, who->tenant, groups));
  WARD_ASSIGN_OR_RETURN(identity::PrincipalRecord rec,
                        s.store->createPrincipal(who->tenant, name, kind, admin));
  for (const std::string& g : groups) {
    WARD_RETURN_IF_ERROR(s.store->addMembership(who->tenant, name, g));
  }
  return HttpResponse::created(principalJson(rec, groups));
}

// GET /v1/principals
Result<HttpResponse> principalsList(const Services& s, const HttpRequest& r) {
  WARD_ASSIGN_OR_RETURN(const identity::Principal* who, requirePrincipal(r));
  WARD_ASSIGN_OR_RETURN(std::vector<identity::PrincipalRecord> records,
                        s.store->listPrincipals(who->tenant));
  Json list = Json::array();
  for (const identity::PrincipalRecord& p : records) {
    WARD_ASSIGN_OR_RETURN(std::vector<std::string> groups, s.store->directGroupsOf(p.id));
    list.push_back(principalJson(p, groups));
  }
  return HttpResponse::json(Json{{"principals", std::move(list)}});
}

// POST /v1/principals/{name}/memberships {"group"}
Result<HttpResponse> membershipAdd(const Services& s, const HttpRequest& r) {
  WARD_ASSIGN_OR_RETURN(const identity::Principal* who, requirePrincipal(r));
  WARD_ASSIGN_OR_RETURN(Json body, r.jsonBody());
  if (!body.is_object()) return Status::invalidArgument("body must be a JSON object");
  WARD_ASSIGN_OR_RETURN(std::string group, stringField(body, "group", true));
  const std::string member = r.pathParam("name");
  WARD_RETURN_IF_ERROR(s.store->addMembership(who->tenant, member, group));
  return HttpResponse::created(Json{{"member", member}, {"group", group}});
}

// DELETE /v1/principals/{name}/memberships/{group}
Result<HttpResponse> membershipRemove(const Services& s, const HttpRequest& r) {
  WARD_ASSIGN_OR_RETURN(const identity::Principal* who, requirePrincipal(r));
  const std::string member = r.pathParam("name");
  const std::string group = r.pathParam("group");
  WARD_RETURN_IF_ERROR(s.store->removeMembership(who->tenant, member, group));
  return HttpResponse::json(Json{{"member", member}, {"group", group}, {"removed", true}});
}

}  // namespace ward::http
