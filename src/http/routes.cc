// Ward's REST API: the one route table, API-key authentication, and server start-up.
#include "bearer_auth.h"
#include "handlers.h"
#include "ward/common/clock.h"
#include "ward/common/log.h"
#include "ward/http/error_mapping.h"
#include "ward/http/http_server.h"
#include "ward/identity/directory.h"
#include "ward/store/store.h"

namespace ward::http {

namespace {

using HandlerFn = Result<HttpResponse> (*)(const Services&, const HttpRequest&);

struct RouteSpec {
  const char* method;
  const char* pattern;
  AuthPolicy auth;
  HandlerFn handler;
};

// Every endpoint of the REST API. Authorization beyond "authenticated" / "admin" (document
// writers, key owners, per-document ACLs) is decided by the module APIs the handlers call.
constexpr RouteSpec kRoutes[] = {
    {"GET", "/healthz", AuthPolicy::kNone, healthz},
    {"GET", "/metrics", AuthPolicy::kNone, metricsText},
    {"GET", "/.well-known/oauth-protected-resource", AuthPolicy::kNone, oauthProtectedResource},
    {"GET", "/.well-known/oauth-protected-resource/{path*}", AuthPolicy::kNone,
     oauthProtectedResource},
    {"GET", "/v1/status", AuthPolicy::kAdmin, statusGet},
    {"POST", "/v1/search", AuthPolicy::kPrincipal, searchPost},
    {"GET", "/v1/search", AuthPolicy::kPrincipal, searchGet},
    {"POST", "/v1/documents", AuthPolicy::kPrincipal, documentsPush},
    {"GET", "/v1/documents/{id*}", AuthPolicy::kPrincipal, documentGet},
    {"DELETE", "/v1/documents/{id*}", AuthPolicy::kPrincipal, documentDelete},
    {"POST", "/v1/principals", AuthPolicy::kAdmin, principalsCreate},
    {"GET", "/v1/principals", AuthPolicy::kAdmin, principalsList},
    {"POST", "/v1/principals/{name}/memberships", AuthPolicy::kAdmin, membershipAdd},
    {"DELETE", "/v1/principals/{name}/memberships/{group}", AuthPolicy::kAdmin, membershipRemove},
    {"POST", "/v1/keys", AuthPolicy::kPrincipal, keysCreate},
    {"GET", "/v1/keys", AuthPolicy::kPrincipal, keysList},
    {"DELETE", "/v1/keys/{key_id}", AuthPolicy::kPrincipal, keysRevoke},
    {"POST", "/v1/tools", AuthPolicy::kAdmin, toolsCreate},
    {"GET", "/v1/tools", AuthPolicy::kPrincipal, toolsList},
    {"GET", "/v1/tools/{name}", AuthPolicy::kPrincipal, toolGet},
    {"POST", "/v1/tools/{name}/call", AuthPolicy::kPrincipal, toolCall},
    {"POST", "/v1/tools/{name}/versions/{version}/deprecate", AuthPolicy::kAdmin, toolDeprecate},
    {"POST", "/v1/tools/{name}/versions/{version}/pin", AuthPolicy::kAdmin, toolPin},
    {"POST", "/v1/tools/{name}/versions/{version}/approve-definition", AuthPolicy::kAdmin,
     toolApproveDefinition},
    {"POST", "/v1/grants", AuthPolicy::kAdmin, grantsCreate},
    {"GET", "/v1/grants", AuthPolicy::kAdmin, grantsList},
    {"DELETE", "/v1/grants/{id}", AuthPolicy::kAdmin, grantDelete},
    {"POST", "/v1/delegations", AuthPolicy::kPrincipal, delegationsCreate},
    {"GET", "/v1/delegations", AuthPolicy::kPrincipal, delegationsList},
    {"DELETE", "/v1/delegations/{user}/{agent}", AuthPolicy::kPrincipal, delegationDelete},
    {"GET", "/v1/modes", AuthPolicy::kAdmin, modesList},
    {"PUT", "/v1/modes", AuthPolicy::kAdmin, modesSet},
    {"GET", "/v1/secrets", AuthPolicy::kAdmin, secretsList},
    {"PUT", "/v1/secrets/{name}", AuthPolicy::kAdmin, secretPut},
    {"GET", "/v1/approvals", AuthPolicy::kPrincipal, approvalsList},
    {"GET", "/v1/approvals/{id}", AuthPolicy::kPrincipal, approvalGet},
    {"POST", "/v1/approvals/{id}/approve", AuthPolicy::kPrincipal, approvalApprove},
    {"POST", "/v1/approvals/{id}/deny", AuthPolicy::kPrincipal, approvalDeny},
    {"GET", "/v1/traces", AuthPolicy::kPrincipal, tracesList},
    {"GET", "/v1/traces/{id}", AuthPolicy::kPrincipal, traceGet},
    {"GET", "/v1/traces/{id}/explain", AuthPolicy::kPrincipal, traceExplain},
    {"POST", "/v1/traces/{id}/feedback", AuthPolicy::kPrincipal, traceFeedback},
    {"POST", "/v1/traces/{id}/spans", AuthPolicy::kPrincipal, traceSpanCreate},
    {"GET", "/v1/prompts/{sha256}", AuthPolicy::kPrincipal, promptGet},
    {"POST", "/v1/audit/erasures", AuthPolicy::kAdmin, auditErasureCreate},
    {"POST", "/v1/chat/completions", AuthPolicy::kPrincipal, chatCompletions},
    {"GET", "/v1/models", AuthPolicy::kPrincipal, modelsList},
    {"GET", "/v1/upstreams", AuthPolicy::kAdmin, upstreamsList},
    {"POST", "/v1/upstreams/{name}/sync", AuthPolicy::kAdmin, upstreamSync},
    {"POST", "/v1/upstreams/{name}/prompts/{prompt}/approve", AuthPolicy::kAdmin,
     upstreamPromptApprove},
};

// The presented key from "Authorization: Bearer <key>" or "X-Api-Key: <key>"; "" if none.
std::string presentedKey(const HttpRequest& r) {
  std::string auth = r.header("authorization");
  if (auth.size() > 7) {
    std::string scheme = auth.substr(0, 7);
    for (char& c : scheme) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (scheme == "bearer ") {
      size_t start = auth.find_first_not_of(' ', 7);
      return start == std::string::npos ? "" : auth.substr(start);
    }
  }
  return r.header("x-api-key");
}

void recordAuthFailure(const Services& s, const HttpRequest& r, const char* reason) {
  audit::TraceEvent event;
  event.context = r.trace;
  event.kind = "auth_failure";
  event.tenant = s.config->tenant;
  event.time_us = SystemClock::instance().nowMicros();
  // Never the key itself, nor its id: a failed attempt must not leak or confirm key material.
  event.attributes = Json{{"reason", reason},
                          {"method", r.method},
                          {"path", r.path},
                          {"remote_address", r.remote_address}};
  Status st = s.traces->record(event);
  if (!st.ok()) logWarn("cannot record auth_failure trace event: " + st.toString());
}

// API keys, and bearer JWTs when OAuth is configured (bearer_auth.h): the shared
// authentication path of every front door on this server.
Authenticator apiKeyAuthenticator(const Services& s, std::shared_ptr<BearerAuth> bearer) {
  return [s, bearer](const HttpRequest& r) -> Result<identity::Principal> {
    std::string key = presentedKey(r);
    if (key.empty()) {
      recordAuthFailure(s, r, "missing_key");
      return Status::unauthenticated(
          "missing API key: send 'Authorization: Bearer wk_...' or 'X-Api-Key: wk_...'");
    }
    if (bearer && identity::JwtVerifier::looksLikeJwt(key)) {
      auto principal = bearer->authenticate(*s.store, s.config->tenant, key);
      if (!principal.ok() && principal.status().code() == StatusCode::kUnauthenticated) {
        recordAuthFailure(s, r, "invalid_token");
      }
      return principal;
    }
    auto principal = identity::authenticateApiKey(*s.store, key);
    if (!principal.ok()) {
      if (principal.status().code() != StatusCode::kUnauthenticated) return principal.status();
      recordAuthFailure(s, r, "invalid_key");
      return Status::unauthenticated("invalid API key");
    }
    return principal;
  };
}

// Admin mutations whose module records no event of its own; the gateway's (tools, grants,
// modes, secrets) record tool_registry / tool_grant / tool_mode / tool_secret themselves.
bool recordsAdminChange(const RouteSpec& spec) {
  const std::string_view p = spec.pattern;
  return std::string_view(spec.method) != "GET" &&
         (p.starts_with("/v1/principals") || p.starts_with("/v1/keys"));
}

// Trace routes record their own refusals (audit::TraceService, also used by the CLI), and so
// do the model routes (models::ModelService records a refused model_call).
bool recordsOwnDenials(const RouteSpec& spec) {
  const std::string_view p = spec.pattern;
  return p.starts_with("/v1/traces") || p.starts_with("/v1/prompts") ||
         p.starts_with("/v1/chat/") || p == "/v1/models";
}

void recordRequestEvent(const Services& s, const HttpRequest& r, const RouteSpec& spec,
                        const char* kind, Json attributes) {
  audit::TraceEvent event;
  event.context = r.trace;
  event.kind = kind;
  event.tenant = r.principal ? r.principal->tenant : s.config->tenant;
  event.principal = r.principal ? r.principal->name : "";
  event.time_us = SystemClock::instance().nowMicros();
  attributes["method"] = r.method;
  attributes["route"] = spec.pattern;
  attributes["path"] = r.path;
  event.attributes = std::move(attributes);
  Status st = s.traces->record(event);
  if (!st.ok()) logWarn(std::string("cannot record ") + kind + " trace event: " + st.toString());
}

// Runs a route's handler; enforces kAdmin here (not in the server) so that a refusal is
// recorded, and records authorization denials and admin changes.
Result<HttpResponse> runRoute(const Services& s, const RouteSpec& spec, const HttpRequest& r) {
  if (spec.auth == AuthPolicy::kAdmin && (!r.principal || !r.principal->admin)) {
    Status denied = Status::permissionDenied("this endpoint requires an admin principal");
    recordRequestEvent(s, r, spec, "authz_denied",
                       {{"decision", "denied"}, {"reason", denied.message()}});
    return denied;
  }
  Result<HttpResponse> result = spec.handler(s, r);
  if (!result.ok() && result.status().code() == StatusCode::kPermissionDenied &&
      !recordsOwnDenials(spec)) {
    recordRequestEvent(s, r, spec, "authz_denied",
                       {{"decision", "denied"}, {"reason", result.status().message()}});
  }
  if (result.ok() && recordsAdminChange(spec)) {
    recordRequestEvent(s, r, spec, "admin_change", {{"status", result->status}});
  }
  return result;
}

}  // namespace

Result<const identity::Principal*> requirePrincipal(const HttpRequest& r) {
  if (!r.principal) return Status::internal("route does not require authentication");
  return &*r.principal;
}

Json timeJson(int64_t micros) {
  if (micros == 0) return "";  // as Hit::toJson does: empty when unknown
  return formatRfc3339(micros);
}

Router wardRouter(const Services& services) {
  Router router;
  for (const RouteSpec& spec : kRoutes) {
    // kAdmin is checked in runRoute, after authentication, so that refusals are recorded.
    AuthPolicy auth = spec.auth == AuthPolicy::kAdmin ? AuthPolicy::kPrincipal : spec.auth;
    Status st =
        router.add(Route{spec.method, spec.pattern, auth, [services, &spec](const HttpRequest& r) {
                           return runRoute(services, spec, r);
                         }});
    if (!st.ok()) logError("route table: " + st.toString());
  }
  return router;
}

Result<std::unique_ptr<HttpServer>> startHttpServer(const Services& services,
                                                    const ServerConfig& config,
                                                    std::vector<Route> extra_routes) {
  if (services.store == nullptr || services.search == nullptr || services.ingest == nullptr ||
      services.index == nullptr || services.traces == nullptr || services.config == nullptr) {
    return Status::failedPrecondition("startHttpServer: every service must be set");
  }
  WARD_ASSIGN_OR_RETURN(auto address, parseListenAddress(config.listen));
  ServerOptions options;
  options.host = address.first;
  options.port = address.second;
  options.threads = config.threads;
  options.max_body_bytes = config.max_body_bytes;
  WARD_ASSIGN_OR_RETURN(std::shared_ptr<BearerAuth> bearer,
                        BearerAuth::create(services.config->oauth));
  if (bearer) {
    options.www_authenticate = [bearer](const HttpRequest& r) { return bearer->challenge(r); };
  }
  Router router = wardRouter(services);
  for (Route& route : extra_routes) WARD_RETURN_IF_ERROR(router.add(std::move(route)));
  WARD_ASSIGN_OR_RETURN(
      std::unique_ptr<HttpServer> server,
      HttpServer::start(options, std::move(router), apiKeyAuthenticator(services, bearer)));
  for (GaugeRegistration& g : registerServiceGauges(services)) server->retain(std::move(g));
  return server;
}

}  // namespace ward::http
