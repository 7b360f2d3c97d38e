// Builtin tools implemented above the gateway (the answer module's `ask`, docs/design/gateway.md
// "Backends"): the layering puts the answer module above the gateway, so the gateway cannot call
// it; whoever builds the server registers a handler for the builtin name instead
// (ToolGateway::registerBuiltin). The call has passed the whole stage chain (grants, modes,
// validation, the untrusted-content gate) before the handler runs; what it returns goes through
// the output stage and into the call's `tool_call` record like any backend's output.
#pragma once

#include <functional>
#include <optional>

#include "ward/common/json.h"
#include "ward/common/status.h"
#include "ward/identity/principal.h"
#include "ward/trace/trace.h"

namespace ward::gateway {

// What a builtin handler gets: the reader (the caller, or the intersection of a user and the agent
// acting for it: identity::resolveActingFor), the agent itself (to route further tool calls as the
// same pair), the validated arguments and the call's trace.
struct BuiltinCall {
  const identity::Principal& reader;
  const std::optional<identity::Principal>& agent;
  const Json& args;
  const trace::TraceContext& trace;
  const Json& via;  // the front door's context (CallRequest::via), e.g. {"front_door":"answer"}
};

// Returns the tool's output (an object) or an error Status (recorded as the call's failure).
// Runs on the calling thread; must be thread-safe.
using BuiltinHandler = std::function<Result<Json>(const BuiltinCall&)>;

}  // namespace ward::gateway
