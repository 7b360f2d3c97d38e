// Handlers of Ward's REST API, one file per resource. Each parses the request, calls one module
// API and returns its result or Status; none builds an HTTP status code for an error.
// Requests reaching a handler on an authenticated route always carry a principal.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "ward/common/metrics.h"
#include "ward/common/status.h"
#include "ward/http/http_message.h"
#include "ward/http/services.h"

namespace ward::gateway {
struct ApprovalView;  // gateway_results.h
}

namespace ward::http {

// search_handler.cc
Result<HttpResponse> searchPost(const Services& s, const HttpRequest& r);
Result<HttpResponse> searchGet(const Services& s, const HttpRequest& r);
// answers_handler.cc
Result<HttpResponse> answersPost(const Services& s, const HttpRequest& r);

// documents_handler.cc
Result<HttpResponse> documentsPush(const Services& s, const HttpRequest& r);
Result<HttpResponse> documentGet(const Services& s, const HttpRequest& r);
Result<HttpResponse> documentDelete(const Services& s, const HttpRequest& r);

// principals_handler.cc
Result<HttpResponse> principalsCreate(const Services& s, const HttpRequest& r);
Result<HttpResponse> principalsList(const Services& s, const HttpRequest& r);
Result<HttpResponse> membershipAdd(const Services& s, const HttpRequest& r);
Result<HttpResponse> membershipRemove(const Services& s, const HttpRequest& r);

// agent_scope_handler.cc
Result<HttpResponse> agentScopeGet(const Services& s, const HttpRequest& r);
Result<HttpResponse> agentScopeAdd(const Services& s, const HttpRequest& r);
Result<HttpResponse> agentScopeRemove(const Services& s, const HttpRequest& r);

// keys_handler.cc
Result<HttpResponse> keysCreate(const Services& s, const HttpRequest& r);
Result<HttpResponse> keysList(const Services& s, const HttpRequest& r);
Result<HttpResponse> keysRevoke(const Services& s, const HttpRequest& r);

// tools_handler.cc
Result<HttpResponse> toolsCreate(const Services& s, const HttpRequest& r);
Result<HttpResponse> toolsList(const Services& s, const HttpRequest& r);
Result<HttpResponse> toolGet(const Services& s, const HttpRequest& r);
Result<HttpResponse> toolDeprecate(const Services& s, const HttpRequest& r);
Result<HttpResponse> toolPin(const Services& s, const HttpRequest& r);
Result<HttpResponse> toolApproveDefinition(const Services& s, const HttpRequest& r);

// tool_calls_handler.cc
Result<HttpResponse> toolCall(const Services& s, const HttpRequest& r);

// delegations_handler.cc
Result<HttpResponse> delegationsCreate(const Services& s, const HttpRequest& r);
Result<HttpResponse> delegationsList(const Services& s, const HttpRequest& r);
Result<HttpResponse> delegationDelete(const Services& s, const HttpRequest& r);
// grants_handler.cc (grants, modes, secrets)
Result<HttpResponse> grantsCreate(const Services& s, const HttpRequest& r);
Result<HttpResponse> grantsList(const Services& s, const HttpRequest& r);
Result<HttpResponse> grantDelete(const Services& s, const HttpRequest& r);
Result<HttpResponse> modesList(const Services& s, const HttpRequest& r);
Result<HttpResponse> modesSet(const Services& s, const HttpRequest& r);
Result<HttpResponse> secretPut(const Services& s, const HttpRequest& r);
Result<HttpResponse> secretsList(const Services& s, const HttpRequest& r);
Result<HttpResponse> secretDelete(const Services& s, const HttpRequest& r);

// approvals_handler.cc
Result<HttpResponse> approvalsList(const Services& s, const HttpRequest& r);
Result<HttpResponse> approvalGet(const Services& s, const HttpRequest& r);
Result<HttpResponse> approvalApprove(const Services& s, const HttpRequest& r);
Result<HttpResponse> approvalDeny(const Services& s, const HttpRequest& r);
// Waits for an approval to settle (up to wait_s) without holding a worker: the answer now when
// there is nothing to wait for, else a deferred response that `respond` builds from the view.
// A client that goes away withdraws its wait; over the gateway's waiter bounds, 429.
using ApprovalResponder = std::function<HttpResponse(const gateway::ApprovalView&)>;
Result<HttpResponse> waitForApprovalResponse(gateway::ToolGateway* gw,
                                             const identity::Principal& who,
                                             const std::string& approval_id, int64_t wait_s,
                                             ApprovalResponder respond);

// traces_handler.cc (traces, feedback, spans, stored prompts)
Result<HttpResponse> tracesList(const Services& s, const HttpRequest& r);
Result<HttpResponse> traceGet(const Services& s, const HttpRequest& r);
Result<HttpResponse> traceExplain(const Services& s, const HttpRequest& r);
Result<HttpResponse> traceFeedback(const Services& s, const HttpRequest& r);
Result<HttpResponse> traceSpanCreate(const Services& s, const HttpRequest& r);
Result<HttpResponse> promptGet(const Services& s, const HttpRequest& r);
Result<HttpResponse> cassetteGet(const Services& s, const HttpRequest& r);
// audit_erasure_handler.cc
Result<HttpResponse> auditErasureCreate(const Services& s, const HttpRequest& r);
// upstreams_handler.cc
Result<HttpResponse> upstreamsList(const Services& s, const HttpRequest& r);
Result<HttpResponse> upstreamSync(const Services& s, const HttpRequest& r);
Result<HttpResponse> upstreamPromptApprove(const Services& s, const HttpRequest& r);

// chat_completions_handler.cc (the OpenAI-compatible proxy)
Result<HttpResponse> chatCompletions(const Services& s, const HttpRequest& r);
Result<HttpResponse> modelsList(const Services& s, const HttpRequest& r);
// responses_handler.cc (the proxy's Responses front door)
Result<HttpResponse> responsesCreate(const Services& s, const HttpRequest& r);
// embeddings_handler.cc (the proxy's embeddings front door)
Result<HttpResponse> embeddingsCreate(const Services& s, const HttpRequest& r);

// bearer_auth.cc (RFC 9728 metadata; 404 while OAuth is off)
Result<HttpResponse> oauthProtectedResource(const Services& s, const HttpRequest& r);

// status_handler.cc
Result<HttpResponse> healthz(const Services& s, const HttpRequest& r);
Result<HttpResponse> metricsText(const Services& s, const HttpRequest& r);
Result<HttpResponse> statusGet(const Services& s, const HttpRequest& r);
// Registers the store and index gauges rendered by /metrics (only with
// server.metrics_data_gauges: they count the documents of every tenant).
std::vector<GaugeRegistration> registerServiceGauges(const Services& s);
// Registers the gateway's gauges (approval waiters): server-wide counts, always shown.
std::vector<GaugeRegistration> registerGatewayGauges(const Services& s);

// Shared parsing helpers (routes.cc).
// The authenticated principal of a request (Internal if a route forgot to require auth).
Result<const identity::Principal*> requirePrincipal(const HttpRequest& r);
// The gateway, or Unavailable when the server runs without one (tools_handler.cc).
Result<gateway::ToolGateway*> requireGateway(const Services& s);
// A boolean body field; `fallback` when absent, InvalidArgument naming it when not a boolean.
Result<bool> boolField(const Json& body, const char* name, bool fallback);
// Formats micros since epoch as RFC 3339, or "" when 0 (unknown), like Hit::toJson.
Json timeJson(int64_t micros);

}  // namespace ward::http
