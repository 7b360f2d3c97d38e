// Ward's REST API: the one route table, API-key authentication, and server start-up.
#include "auth_failure_recorder.h"
#include "bearer_auth.h"
#include "body_shape.h"
#include "handlers.h"
#include "ward/common/clock.h"
#include "ward/common/log.h"
#include "ward/http/error_mapping.h"
#include "ward/http/http_server.h"
#include "ward/identity/api_key_cache.h"
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
  // The fields its JSON body may have (body_shape.h): kNoBody, kBodyCheckedByModule, or a list.
  const char* body = kNoBody;
};

// Every endpoint of the REST API. Authorization beyond "authenticated" / "admin" (document
// writers, key owners, per-document ACLs) is decided by the module APIs the handlers call.
// Body shapes are the documented ones (docs/design/http.md); runRoute refuses other fields.
constexpr RouteSpec kRoutes[] = {
    {"GET", "/healthz", AuthPolicy::kNone, healthz},
    {"GET", "/metrics", AuthPolicy::kNone, metricsText},
    {"GET", "/.well-known/oauth-protected-resource", AuthPolicy::kNone, oauthProtectedResource},
    {"GET", "/.well-known/oauth-protected-resource/{path*}", AuthPolicy::kNone,
     oauthProtectedResource},
    {"GET", "/v1/status", AuthPolicy::kAdmin, statusGet},
    {"POST", "/v1/search", AuthPolicy::kPrincipal, searchPost, "query,text,k,filters"},
    {"GET", "/v1/search", AuthPolicy::kPrincipal, searchGet},
    {"POST", "/v1/answers", AuthPolicy::kPrincipal, answersPost, "question,k,model"},
    // Records are checked by ingest (jsonl-records.md), the {"records","source"} form here.
    {"POST", "/v1/documents", AuthPolicy::kPrincipal, documentsPush, kBodyCheckedByModule},
    {"GET", "/v1/documents/{id*}", AuthPolicy::kPrincipal, documentGet},
    {"DELETE", "/v1/documents/{id*}", AuthPolicy::kPrincipal, documentDelete},
    {"POST", "/v1/principals", AuthPolicy::kAdmin, principalsCreate, "name,kind,admin,groups"},
    {"GET", "/v1/principals", AuthPolicy::kAdmin, principalsList},
    {"POST", "/v1/principals/{name}/memberships", AuthPolicy::kAdmin, membershipAdd, "group"},
    {"DELETE", "/v1/principals/{name}/memberships/{group}", AuthPolicy::kAdmin, membershipRemove},
    {"GET", "/v1/principals/{name}/scope", AuthPolicy::kAdmin, agentScopeGet},
    {"POST", "/v1/principals/{name}/scope", AuthPolicy::kAdmin, agentScopeAdd, "kind,value"},
    {"DELETE", "/v1/principals/{name}/scope/{kind}/{value*}", AuthPolicy::kAdmin, agentScopeRemove},
    {"POST", "/v1/keys", AuthPolicy::kPrincipal, keysCreate, "principal"},
    {"GET", "/v1/keys", AuthPolicy::kPrincipal, keysList},
    {"DELETE", "/v1/keys/{key_id}", AuthPolicy::kPrincipal, keysRevoke},
    // A tool definition is checked field by field by the gateway (tool-definition.md).
    {"POST", "/v1/tools", AuthPolicy::kAdmin, toolsCreate, kBodyCheckedByModule},
    {"GET", "/v1/tools", AuthPolicy::kPrincipal, toolsList},
    {"GET", "/v1/tools/{name}", AuthPolicy::kPrincipal, toolGet},
    {"POST", "/v1/tools/{name}/call", AuthPolicy::kPrincipal, toolCall,
     "args,version,on_behalf_of,untrusted_inputs"},
    {"POST", "/v1/tools/{name}/versions/{version}/deprecate", AuthPolicy::kAdmin, toolDeprecate,
     "deprecated"},
    {"POST", "/v1/tools/{name}/versions/{version}/pin", AuthPolicy::kAdmin, toolPin, "pinned"},
    {"POST", "/v1/tools/{name}/versions/{version}/approve-definition", AuthPolicy::kAdmin,
     toolApproveDefinition},
    {"POST", "/v1/grants", AuthPolicy::kAdmin, grantsCreate,
     "subject_kind,subject,tool,constraints"},
    {"GET", "/v1/grants", AuthPolicy::kAdmin, grantsList},
    {"DELETE", "/v1/grants/{id}", AuthPolicy::kAdmin, grantDelete},
    {"POST", "/v1/delegations", AuthPolicy::kPrincipal, delegationsCreate, "user,agent"},
    {"GET", "/v1/delegations", AuthPolicy::kPrincipal, delegationsList},
    {"DELETE", "/v1/delegations/{user}/{agent}", AuthPolicy::kPrincipal, delegationDelete},
    {"GET", "/v1/modes", AuthPolicy::kAdmin, modesList},
    {"PUT", "/v1/modes", AuthPolicy::kAdmin, modesSet, "scope,agent,read_only"},
    {"GET", "/v1/secrets", AuthPolicy::kAdmin, secretsList},
    {"PUT", "/v1/secrets/{name}", AuthPolicy::kAdmin, secretPut, "value"},
    {"DELETE", "/v1/secrets/{name}", AuthPolicy::kAdmin, secretDelete},
    {"GET", "/v1/approvals", AuthPolicy::kPrincipal, approvalsList},
    {"GET", "/v1/approvals/{id}", AuthPolicy::kPrincipal, approvalGet},
    {"POST", "/v1/approvals/{id}/approve", AuthPolicy::kPrincipal, approvalApprove, "comment"},
    {"POST", "/v1/approvals/{id}/deny", AuthPolicy::kPrincipal, approvalDeny, "comment"},
    {"GET", "/v1/traces", AuthPolicy::kPrincipal, tracesList},
    {"GET", "/v1/traces/{id}", AuthPolicy::kPrincipal, traceGet},
    {"GET", "/v1/traces/{id}/explain", AuthPolicy::kPrincipal, traceExplain},
    {"POST", "/v1/traces/{id}/feedback", AuthPolicy::kPrincipal, traceFeedback,
     "rating,corrected_answer,reason,override"},
    {"POST", "/v1/traces/{id}/spans", AuthPolicy::kPrincipal, traceSpanCreate,
     "kind,provider,model,model_version,finish_reason,parameters{temperature,top_p,max_tokens,"
     "seed},tools_offered,prompt{template_id,rendered}"},
    {"GET", "/v1/prompts/{sha256}", AuthPolicy::kPrincipal, promptGet},
    {"GET", "/v1/cassettes/{sha256}", AuthPolicy::kPrincipal, cassetteGet},
    {"POST", "/v1/audit/erasures", AuthPolicy::kAdmin, auditErasureCreate, "subject"},
    // An OpenAI request body is checked field by field by the models module (models.md).
    {"POST", "/v1/chat/completions", AuthPolicy::kPrincipal, chatCompletions, kBodyCheckedByModule},
    {"POST", "/v1/responses", AuthPolicy::kPrincipal, responsesCreate, kBodyCheckedByModule},
    {"POST", "/v1/embeddings", AuthPolicy::kPrincipal, embeddingsCreate, kBodyCheckedByModule},
    {"GET", "/v1/models", AuthPolicy::kPrincipal, modelsList},
    {"GET", "/v1/upstreams", AuthPolicy::kAdmin, upstreamsList},
    {"POST", "/v1/upstreams/{name}/sync", AuthPolicy::kAdmin, upstreamSync},
    {"POST", "/v1/upstreams/{name}/prompts/{prompt}/approve", AuthPolicy::kAdmin,
     upstreamPromptApprove, "hash"},
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

// API keys, and bearer JWTs when OAuth is configured (bearer_auth.h): the shared
// authentication path of every front door on this server. Refusals are recorded through one
// AuthFailureRecorder, which bounds how much of the audit log unauthenticated requests can use.
Authenticator apiKeyAuthenticator(const Services& s, std::shared_ptr<BearerAuth> bearer) {
  auto failures = std::make_shared<AuthFailureRecorder>(s.traces, s.config->tenant);
  auto keys = std::make_shared<identity::ApiKeyCache>(
      *s.store, [store = s.store] { return store->identityGeneration(); });
  return [s, bearer, failures, keys](const HttpRequest& r) -> Result<identity::Principal> {
    failures->flushIfDue();
    std::string key = presentedKey(r);
    if (key.empty()) {
      failures->record(r, AuthFailureReason::kMissingKey);
      return Status::unauthenticated(
          "missing API key: send 'Authorization: Bearer wk_...' or 'X-Api-Key: wk_...'");
    }
    if (bearer && identity::JwtVerifier::looksLikeJwt(key)) {
      auto principal = bearer->authenticate(*s.store, s.config->tenant, key);
      if (!principal.ok() && principal.status().code() == StatusCode::kUnauthenticated) {
        failures->record(r, AuthFailureReason::kInvalidToken);
      }
      return principal;
    }
    auto principal = keys->authenticate(key);
    if (!principal.ok()) {
      if (principal.status().code() != StatusCode::kUnauthenticated) return principal.status();
      failures->record(r, AuthFailureReason::kInvalidKey);
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

// Routes whose module records its own refusals, the same for every front door: traces
// (audit::TraceService), approval decisions and read-only switches (the gateway), and the model
// routes (models::ModelService records a refused model_call).
bool recordsOwnDenials(const RouteSpec& spec) {
  const std::string_view p = spec.pattern;
  return p.starts_with("/v1/traces") || p.starts_with("/v1/prompts") ||
         p.starts_with("/v1/cassettes") || p.starts_with("/v1/approvals") ||
         p.starts_with("/v1/modes") || p.starts_with("/v1/chat/") || p == "/v1/models";
}

void recordRequestEvent(const Services& s, const HttpRequest& r, const RouteSpec& spec,
                        const char* kind, Json attributes) {
  trace::TraceEvent event;
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

// A body that is a JSON object must have the route's documented shape; other bodies (empty,
// not JSON, not an object) are the handler's to refuse.
Status checkBodyShape(const BodyShape& shape, const HttpRequest& r) {
  if (r.body.empty()) return Status();
  auto body = parseJson(r.body);
  if (!body.ok()) return Status();
  return shape.check(*body);
}

// Runs a route's handler; enforces kAdmin here (not in the server) so that a refusal is
// recorded, checks the body's shape, and records authorization denials and admin changes.
Result<HttpResponse> runRoute(const Services& s, const RouteSpec& spec, const BodyShape& shape,
                              const HttpRequest& r) {
  if (spec.auth == AuthPolicy::kAdmin && (!r.principal || !r.principal->admin)) {
    Status denied = Status::permissionDenied("this endpoint requires an admin principal");
    recordRequestEvent(s, r, spec, "authz_denied",
                       {{"decision", "denied"}, {"reason", denied.message()}});
    return denied;
  }
  WARD_RETURN_IF_ERROR(checkBodyShape(shape, r));
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
    auto shape = BodyShape::parse(spec.body);
    if (!shape.ok()) {
      // A programmer error in kRoutes: the route is left out rather than served unchecked.
      logError(std::string("route table: ") + spec.pattern + ": " + shape.status().toString());
      continue;
    }
    // kAdmin is checked in runRoute, after authentication, so that refusals are recorded.
    AuthPolicy auth = spec.auth == AuthPolicy::kAdmin ? AuthPolicy::kPrincipal : spec.auth;
    Status st = router.add(Route{spec.method, spec.pattern, auth,
                                 [services, &spec, shape = *shape](const HttpRequest& r) {
                                   return runRoute(services, spec, shape, r);
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
  // /metrics is unauthenticated: how much data the server holds is shown only when asked for.
  if (config.metrics_data_gauges) {
    for (GaugeRegistration& g : registerServiceGauges(services)) server->retain(std::move(g));
  }
  for (GaugeRegistration& g : registerGatewayGauges(services)) server->retain(std::move(g));
  return server;
}

}  // namespace ward::http
