// POST /v1/tools/{name}/call: one tool call through the gateway's stage chain.
#include "handlers.h"
#include "ward/gateway/tool_gateway.h"
#include "ward/gateway/untrusted_gate.h"
#include "ward/store/store.h"

namespace ward::http {

namespace {

// `untrusted_inputs`: the untrusted content the caller's turn has read ("doc:<id>",
// "tool:<name>", "upstream:<name>"), at most kMaxTaintSources. It can only add restrictions: a
// non-empty list makes the untrusted-content gate apply to the call.
Result<gateway::TurnTaint> declaredTaint(const Json& list) {
  if (!list.is_array()) return Status::invalidArgument("field 'untrusted_inputs' must be an array");
  if (list.size() > gateway::kMaxTaintSources) {
    return Status::invalidArgument("field 'untrusted_inputs' holds more than " +
                                   std::to_string(gateway::kMaxTaintSources) + " sources");
  }
  gateway::TurnTaint taint;
  for (const Json& e : list) {
    if (!e.is_string()) {
      return Status::invalidArgument("field 'untrusted_inputs' must hold strings");
    }
    WARD_RETURN_IF_ERROR(gateway::checkTaintSource(e.get<std::string>(), "untrusted_inputs entry"));
    taint.sources.push_back(e.get<std::string>());
  }
  taint.untrusted = !taint.sources.empty();
  return taint;
}

}  // namespace

// Body: {"args": {...}, "version"?: "1.2.0", "on_behalf_of"?: "alice", "untrusted_inputs"?:
// ["doc:..."]}; header Idempotency-Key; query wait=SECONDS (wait for an approval decision). An
// agent calls for a user with on_behalf_of; the gateway then applies the intersection of both
// principals' grants.
Result<HttpResponse> toolCall(const Services& s, const HttpRequest& r) {
  WARD_ASSIGN_OR_RETURN(const identity::Principal* who, requirePrincipal(r));
  WARD_ASSIGN_OR_RETURN(gateway::ToolGateway * gw, requireGateway(s));
  WARD_ASSIGN_OR_RETURN(Json body, r.jsonBody());
  if (!body.is_object()) return Status::invalidArgument("body must be a JSON object");
  // Unknown fields were refused by the route's body shape (routes.cc).
  gateway::CallRequest call;
  call.tool = r.pathParam("name");
  call.args = body.contains("args") ? body["args"] : Json::object();
  if (body.contains("version")) {
    if (!body["version"].is_string()) {
      return Status::invalidArgument("field 'version' must be a string");
    }
    call.version = body["version"].get<std::string>();
  }
  if (body.contains("untrusted_inputs")) {
    WARD_ASSIGN_OR_RETURN(call.taint, declaredTaint(body["untrusted_inputs"]));
  }
  call.idempotency_key = r.header("idempotency-key");
  call.trace = r.trace;
  const std::string wait = r.queryParam("wait", "0");
  try {
    size_t used = 0;
    call.wait_s = std::stoll(wait, &used);
    if (used != wait.size() || call.wait_s < 0) throw std::invalid_argument("wait");
  } catch (const std::exception&) {
    return Status::invalidArgument("query 'wait' must be a whole number of seconds >= 0");
  }
  if (body.contains("on_behalf_of")) {
    if (!body["on_behalf_of"].is_string()) {
      return Status::invalidArgument("field 'on_behalf_of' must be a string");
    }
    if (who->kind != identity::PrincipalKind::kAgent) {
      return Status::permissionDenied("field 'on_behalf_of': only an agent acts for a user");
    }
    auto user =
        identity::resolvePrincipal(*s.store, who->tenant, body["on_behalf_of"].get<std::string>());
    if (!user.ok()) {
      return Status::invalidArgument("field 'on_behalf_of': " + user.status().message());
    }
    call.principal = std::move(*user);
    call.agent = *who;
  } else {
    call.principal = *who;
  }
  // The wait for a decision holds no worker thread: the gateway answers it later.
  const int64_t wait_s = call.wait_s;
  call.wait_s = 0;
  WARD_ASSIGN_OR_RETURN(Json out, gw->call(std::move(call)));
  auto respond = [](Json response) {
    return response.value("status", "") == "pending" ? HttpResponse::accepted(response)
                                                     : HttpResponse::json(response);
  };
  if (out.value("status", "") != "pending" || wait_s == 0) return respond(std::move(out));
  const std::string approval_id = out.value("approval_id", "");
  return waitForApprovalResponse(
      gw, *who, approval_id, wait_s,
      [parked = std::move(out), respond](const gateway::ApprovalView& view) {
        return respond(gateway::ToolGateway::callResponseAfterWait(parked, view));
      });
}

}  // namespace ward::http
