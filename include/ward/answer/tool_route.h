// A model's tool call routed through the gateway as the caller: the answer loop and the proxy's
// `ward.tools = "execute"` loop (http/ward_extension.cc) share it, so both record, key and
// refuse calls alike.
#pragma once

#include <string>

#include "ward/gateway/stage.h"
#include "ward/identity/principal.h"
#include "ward/models/chat.h"
#include "ward/trace/trace.h"

namespace ward::gateway {
class ToolGateway;
}

namespace ward::answer {

// A tool call's answer as the model sees it: the tool message text and the outcome recorded.
struct ToolReply {
  std::string outcome;
  std::string content;
};

// Who calls, in which turn, from which front door.
struct ToolRoute {
  const identity::Principal& principal;
  const identity::Principal* agent = nullptr;  // the agent acting for it, if any
  const trace::TraceContext& trace;
  std::string front_door;           // "answer" | "proxy": the call's "via" and its key's prefix
  const gateway::TurnTaint& taint;  // what the turn has read (the untrusted-content gate)
};

// Runs `tc` through the gateway's whole chain. Arguments that are not a JSON object are the
// outcome "invalid_arguments" without a call; a write or destructive tool gets the idempotency
// key "ward-<front_door>-<trace id>-<call id>", so a retried round cannot run it twice. The
// reply is the gateway's response, or {"error": ...} with the status name as the outcome.
ToolReply routeToolCall(gateway::ToolGateway& gw, const ToolRoute& route,
                        const models::ToolCall& tc);

// A message of one text part.
models::Message textMessage(models::Role role, std::string text);

}  // namespace ward::answer
