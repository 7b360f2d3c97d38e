// /scim/v2: one table of routes (tests/scripts/route_docs_test.py reads it beside routes.cc), the
// `scim` role check, the body limit, and SCIM error bodies. The SCIM logic is
// identity::ScimService's; this file only parses, calls and renders.
#include "ward/http/scim_routes.h"

#include "ward/common/clock.h"
#include "ward/common/log.h"
#include "ward/http/error_mapping.h"
#include "ward/identity/roles.h"
#include "ward/identity/scim_service.h"
#include "ward/trace/trace.h"

namespace ward::http {

namespace {

using identity::ScimReply;
using identity::ScimResourceType;

enum class ScimOp {
  kConfig,
  kResourceTypes,
  kSchemas,
  kList,
  kGet,
  kCreate,
  kReplace,
  kPatch,
  kDelete
};

struct ScimRouteSpec {
  const char* method;
  const char* pattern;
  ScimOp op;
  ScimResourceType type = ScimResourceType::kUser;
};

constexpr ScimRouteSpec kScimRoutes[] = {
    {"GET", "/scim/v2/ServiceProviderConfig", ScimOp::kConfig},
    {"GET", "/scim/v2/ResourceTypes", ScimOp::kResourceTypes},
    {"GET", "/scim/v2/Schemas", ScimOp::kSchemas},
    {"GET", "/scim/v2/Users", ScimOp::kList, ScimResourceType::kUser},
    {"POST", "/scim/v2/Users", ScimOp::kCreate, ScimResourceType::kUser},
    {"GET", "/scim/v2/Users/{id}", ScimOp::kGet, ScimResourceType::kUser},
    {"PUT", "/scim/v2/Users/{id}", ScimOp::kReplace, ScimResourceType::kUser},
    {"PATCH", "/scim/v2/Users/{id}", ScimOp::kPatch, ScimResourceType::kUser},
    {"DELETE", "/scim/v2/Users/{id}", ScimOp::kDelete, ScimResourceType::kUser},
    {"GET", "/scim/v2/Groups", ScimOp::kList, ScimResourceType::kGroup},
    {"POST", "/scim/v2/Groups", ScimOp::kCreate, ScimResourceType::kGroup},
    {"GET", "/scim/v2/Groups/{id}", ScimOp::kGet, ScimResourceType::kGroup},
    {"PUT", "/scim/v2/Groups/{id}", ScimOp::kReplace, ScimResourceType::kGroup},
    {"PATCH", "/scim/v2/Groups/{id}", ScimOp::kPatch, ScimResourceType::kGroup},
    {"DELETE", "/scim/v2/Groups/{id}", ScimOp::kDelete, ScimResourceType::kGroup},
};

const char* opName(ScimOp op) {
  switch (op) {
    case ScimOp::kCreate:
      return "create";
    case ScimOp::kReplace:
      return "replace";
    case ScimOp::kPatch:
      return "patch";
    case ScimOp::kDelete:
      return "delete";
    default:
      return "read";
  }
}

bool isMutation(ScimOp op) {
  return op == ScimOp::kCreate || op == ScimOp::kReplace || op == ScimOp::kPatch ||
         op == ScimOp::kDelete;
}

HttpResponse scimJson(int status, const Json& body) {
  HttpResponse r = HttpResponse::json(body);
  r.status = status;
  r.content_type = "application/scim+json";
  return r;
}

// RFC 7644 section 3.12: {"schemas": [Error], "status": "400", "scimType": ..., "detail": ...}.
HttpResponse scimError(const Status& s, identity::ScimErrorType type) {
  const int status = httpStatusFor(s.code(), s.code() == StatusCode::kResourceExhausted
                                                 ? ErrorOrigin::kBodyTooLarge
                                                 : ErrorOrigin::kHandler);
  Json body = {{"schemas", Json::array({std::string(identity::kScimErrorSchema)})},
               {"status", std::to_string(status)},
               {"detail", s.message()}};
  std::string_view scim_type = identity::scimErrorTypeName(type);
  if (!scim_type.empty()) body["scimType"] = std::string(scim_type);
  return scimJson(status, body);
}

void record(trace::TraceSink& traces, const HttpRequest& r, const char* kind, Json attributes) {
  trace::TraceEvent event;
  event.context = r.trace;
  event.kind = kind;
  event.tenant = r.principal ? r.principal->tenant : "";
  event.principal = r.principal ? r.principal->name : "";
  event.time_us = SystemClock::instance().nowMicros();
  attributes["method"] = r.method;
  attributes["path"] = r.path;
  event.attributes = std::move(attributes);
  Status st = traces.record(event);
  if (!st.ok()) logWarn(std::string("cannot record ") + kind + " trace event: " + st.toString());
}

// Where the resources live, for meta.location: from the request's Host header.
std::string baseUrl(const HttpRequest& r) {
  std::string host = r.header("host");
  for (char c : host) {
    if (c == '/' || c == '"' || c == '\\' || c == ' ') return "/scim/v2";  // not a host name
  }
  return host.empty() ? "/scim/v2" : "http://" + host + "/scim/v2";
}

Result<HttpResponse> serve(identity::ScimService& scim, trace::TraceSink& traces,
                           const ScimRouteSpec& spec, const HttpRequest& r) {
  if (!r.principal) return Status::unauthenticated("authentication required");
  if (!identity::isRoleMember(*r.principal, identity::Role::kScim)) {
    Status denied = Status::permissionDenied(
        "SCIM provisioning needs the scim role (group 'scim-provisioners')");
    record(traces, r, "authz_denied",
           {{"decision", "denied"}, {"route", spec.pattern}, {"reason", denied.message()}});
    return scimError(denied, identity::ScimErrorType::kNone);
  }
  const std::string base = baseUrl(r);
  switch (spec.op) {
    case ScimOp::kConfig:
      return scimJson(200, identity::ScimService::serviceProviderConfig(base));
    case ScimOp::kResourceTypes:
      return scimJson(200, identity::ScimService::resourceTypes(base));
    case ScimOp::kSchemas:
      return scimJson(200, identity::ScimService::schemas(base));
    default:
      break;
  }
  if (r.body.size() > identity::kMaxScimBodyBytes) {
    return scimError(
        Status::resourceExhausted("the body is larger than " +
                                  std::to_string(identity::kMaxScimBodyBytes) + " bytes"),
        identity::ScimErrorType::kNone);
  }
  Json body;
  if (spec.op == ScimOp::kCreate || spec.op == ScimOp::kReplace || spec.op == ScimOp::kPatch) {
    auto parsed = r.jsonBody();
    if (!parsed.ok()) return scimError(parsed.status(), identity::ScimErrorType::kInvalidSyntax);
    body = std::move(parsed).value();
  }
  const identity::ScimCall call{r.principal->tenant, base};
  const std::string id = r.pathParam("id");
  ScimReply reply;
  int ok_status = 200;
  switch (spec.op) {
    case ScimOp::kList:
      reply = scim.list(call, spec.type,
                        {r.queryParam("filter"), r.queryParam("startIndex"), r.queryParam("count"),
                         r.queryParam("excludedAttributes")});
      break;
    case ScimOp::kGet:
      reply = scim.get(call, spec.type, id, r.queryParam("excludedAttributes") != "members");
      break;
    case ScimOp::kCreate:
      reply = scim.create(call, spec.type, body);
      ok_status = 201;
      break;
    case ScimOp::kReplace:
      reply = scim.replace(call, spec.type, id, body);
      break;
    case ScimOp::kPatch:
      reply = scim.patch(call, spec.type, id, body);
      break;
    case ScimOp::kDelete:
      reply = scim.remove(call, spec.type, id);
      ok_status = 204;
      break;
    default:
      break;
  }
  if (!reply.ok()) return scimError(reply.status, reply.error_type);
  if (isMutation(spec.op)) {
    Json attrs = {{"scim_op", opName(spec.op)},
                  {"resource_type", std::string(identity::scimResourceTypeName(spec.type))},
                  {"id", reply.body.is_object() ? reply.body.value("id", id) : id},
                  {"status", ok_status}};
    if (reply.body.is_object()) {
      attrs["name"] =
          reply.body.value(spec.type == ScimResourceType::kUser ? "userName" : "displayName", "");
    }
    record(traces, r, "admin_change", std::move(attrs));
  }
  if (ok_status == 204) {
    HttpResponse none = HttpResponse::text("", "application/scim+json");
    none.status = 204;
    return none;
  }
  HttpResponse out = scimJson(ok_status, reply.body);
  if (reply.body.is_object() && reply.body.contains("meta") && ok_status == 201) {
    out.headers.emplace_back("Location", reply.body["meta"].value("location", ""));
  }
  return out;
}

}  // namespace

std::vector<Route> scimRoutes(identity::ScimService& scim, trace::TraceSink& traces) {
  std::vector<Route> routes;
  for (const ScimRouteSpec& spec : kScimRoutes) {
    routes.push_back(Route{
        spec.method, spec.pattern, AuthPolicy::kPrincipal,
        [&scim, &traces, &spec](const HttpRequest& r) { return serve(scim, traces, spec, r); }});
  }
  return routes;
}

}  // namespace ward::http
