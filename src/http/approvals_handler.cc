// /v1/approvals: parked tool calls. Approvers see and decide; requesters see their own.
#include "handlers.h"
#include "ward/gateway/tool_gateway.h"
#include "ward/http/deferred_response.h"

namespace ward::http {

namespace {

Result<int64_t> waitParam(const HttpRequest& r) {
  const std::string wait = r.queryParam("wait", "0");
  try {
    size_t used = 0;
    int64_t v = std::stoll(wait, &used);
    if (used != wait.size() || v < 0) throw std::invalid_argument("wait");
    return v;
  } catch (const std::exception&) {
    return Status::invalidArgument("query 'wait' must be a whole number of seconds >= 0");
  }
}

Result<HttpResponse> decide(const Services& s, const HttpRequest& r, bool approve) {
  WARD_ASSIGN_OR_RETURN(const identity::Principal* who, requirePrincipal(r));
  WARD_ASSIGN_OR_RETURN(gateway::ToolGateway * gw, requireGateway(s));
  gateway::Decision d;
  d.approval_id = r.pathParam("id");
  d.approve = approve;
  if (!r.body.empty()) {
    WARD_ASSIGN_OR_RETURN(Json body, r.jsonBody());
    if (!body.is_object()) return Status::invalidArgument("body must be a JSON object");
    if (body.contains("comment")) {
      if (!body["comment"].is_string()) {
        return Status::invalidArgument("field 'comment' must be a string");
      }
      d.comment = body["comment"].get<std::string>();
    }
  }
  WARD_ASSIGN_OR_RETURN(gateway::ApprovalView decided, gw->decide(*who, d));
  return HttpResponse::json(decided.toJson());
}

}  // namespace

// GET /v1/approvals?state=pending
Result<HttpResponse> approvalsList(const Services& s, const HttpRequest& r) {
  WARD_ASSIGN_OR_RETURN(const identity::Principal* who, requirePrincipal(r));
  WARD_ASSIGN_OR_RETURN(gateway::ToolGateway * gw, requireGateway(s));
  WARD_ASSIGN_OR_RETURN(auto state, gateway::approvalStateFilter(r.queryParam("state", "")));
  WARD_ASSIGN_OR_RETURN(gateway::ApprovalList list, gw->listApprovals(*who, state));
  return HttpResponse::json(list.toJson());
}

// GET /v1/approvals/{id}?wait=SECONDS: a wait holds no worker thread (a deferred response).
Result<HttpResponse> approvalGet(const Services& s, const HttpRequest& r) {
  WARD_ASSIGN_OR_RETURN(const identity::Principal* who, requirePrincipal(r));
  WARD_ASSIGN_OR_RETURN(gateway::ToolGateway * gw, requireGateway(s));
  WARD_ASSIGN_OR_RETURN(int64_t wait, waitParam(r));
  return waitForApprovalResponse(
      gw, *who, r.pathParam("id"), wait,
      [](const gateway::ApprovalView& view) { return HttpResponse::json(view.toJson()); });
}

Result<HttpResponse> waitForApprovalResponse(gateway::ToolGateway* gw,
                                             const identity::Principal& who,
                                             const std::string& approval_id, int64_t wait_s,
                                             ApprovalResponder respond) {
  auto deferred = std::make_shared<DeferredResponse>();
  WARD_ASSIGN_OR_RETURN(
      gateway::ToolGateway::ApprovalWait w,
      gw->waitForApproval(who, approval_id, wait_s,
                          [deferred, respond](Result<gateway::ApprovalView> view) {
                            if (!view.ok()) return deferred->complete(view.status());
                            deferred->complete(respond(*view));
                          }));
  if (w.now) return respond(*w.now);
  deferred->onCancel([gw, token = w.token] { gw->cancelApprovalWait(token); });
  return HttpResponse::later(std::move(deferred));
}

// POST /v1/approvals/{id}/approve {"comment"?}
Result<HttpResponse> approvalApprove(const Services& s, const HttpRequest& r) {
  return decide(s, r, true);
}

// POST /v1/approvals/{id}/deny {"comment"?}
Result<HttpResponse> approvalDeny(const Services& s, const HttpRequest& r) {
  return decide(s, r, false);
}

}  // namespace ward::http
