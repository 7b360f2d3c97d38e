// A model's tool call through the gateway (tool_route.h).
#include "ward/answer/tool_route.h"

#include "ward/gateway/tool_gateway.h"

namespace ward::answer {

ToolReply routeToolCall(gateway::ToolGateway& gw, const ToolRoute& route,
                        const models::ToolCall& tc) {
  auto args = parseJson(tc.arguments.empty() ? "{}" : tc.arguments);
  if (!args.ok() || !args->is_object()) {
    return ToolReply{"invalid_arguments",
                     dumpJson(Json{{"error", "the arguments are not a JSON object"}})};
  }
  gateway::CallRequest req;
  req.principal = route.principal;
  if (route.agent != nullptr) req.agent = *route.agent;
  req.tool = tc.name;
  req.args = *args;
  req.trace = route.trace;
  req.via = {{"front_door", route.front_door}};
  req.taint = route.taint;
  auto risk = gw.riskOf(route.principal.tenant, tc.name);
  if (risk.ok() && *risk != gateway::Risk::kRead) {
    req.idempotency_key = "ward-" + route.front_door + "-" + route.trace.trace_id + "-" + tc.id;
  }
  auto result = gw.call(std::move(req));
  if (!result.ok()) {
    return ToolReply{std::string(statusCodeName(result.status().code())),
                     dumpJson(Json{{"error", result.status().message()}})};
  }
  return ToolReply{result->value("status", std::string("ok")), dumpJson(*result)};
}

models::Message textMessage(models::Role role, std::string text) {
  models::Message m;
  m.role = role;
  models::ContentPart part;
  part.text = std::move(text);
  m.content.push_back(std::move(part));
  return m;
}

}  // namespace ward::answer
