// tools/list and tools/call: the gateway's tools as MCP tools. A listing shows only what the
// caller may call; a call goes through the gateway's whole stage chain. Tool failures (denied,
// invalid arguments, rate limited, backend errors) are isError results the model can read;
// malformed requests are JSON-RPC errors. A call parked for approval becomes a task that follows
// the approval (the client uses the tasks extension; task_methods.cc), an input-required result
// (2026-07-28, client with elicitation) or a pending result naming the approval id.
#include "conformance_fixtures.h"
#include "mcp_impl.h"
#include "request_state.h"
#include "session_taint.h"
#include "ward/common/hash.h"
#include "ward/common/mutex.h"
#include "ward/gateway/tool_gateway.h"
#include "ward/identity/directory.h"
#include "ward/store/store.h"

namespace ward::mcp {

namespace {

constexpr char kApprovalInput[] = "ward_approval";

// MCP requires object schemas: a Ward schema without "type" is given one.
Json objectSchema(const Json& schema) {
  if (!schema.is_object()) return Json{{"type", "object"}};
  Json s = schema;
  if (!s.contains("type")) s["type"] = "object";
  return s;
}

Json toolJson(const gateway::CallableTool& t) {
  Json tool = {{"name", t.name},
               {"description", t.description},
               {"inputSchema", objectSchema(t.input_schema)}};
  // outputSchema is only advertised when it describes an object (MCP's structuredContent).
  if (t.output_schema.is_object() && stringField(t.output_schema, "type") == "object") {
    tool["outputSchema"] = t.output_schema;
  }
  tool["annotations"] = Json{{"readOnlyHint", t.risk == gateway::Risk::kRead},
                             {"destructiveHint", t.risk == gateway::Risk::kDestructive},
                             {"openWorldHint", false}};
  if (t.risk != gateway::Risk::kRead) tool["annotations"]["idempotentHint"] = false;
  tool["_meta"] = Json{{"ward/version", t.version}, {"ward/risk", gateway::riskName(t.risk)}};
  // 2025-11-25 clients may run any call as a task; 2026-07-28 calls become tasks when they park
  // for approval (task_methods.cc).
  tool["execution"] = Json{{"taskSupport", "optional"}};
  return tool;
}

// A successful tool result: the JSON as text (for clients without structured output) and as
// structuredContent when it is an object.
Json successResult(const Json& value) {
  Json r = {{"content", Json::array({Json{{"type", "text"}, {"text", dumpJson(value)}}})},
            {"isError", false}};
  if (value.is_object()) r["structuredContent"] = value;
  return r;
}

// An upstream MCP tool's result (the gateway's `mcp` backend), already validated and redacted
// by the gateway: the upstream's own content items (text, image, audio, resource_link, resource)
// and structuredContent, passed through; items that are not typed objects are dropped.
Json upstreamResult(const Json& value) {
  Json content = Json::array();
  if (value.is_object() && value.contains("content") && value["content"].is_array()) {
    for (const Json& c : value["content"]) {
      if (c.is_object() && c.contains("type") && c["type"].is_string()) content.push_back(c);
    }
  }
  Json r = {{"content", std::move(content)}, {"isError", false}};
  if (value.is_object() && value.contains("structuredContent") &&
      value["structuredContent"].is_object()) {
    r["structuredContent"] = value["structuredContent"];
  }
  return r;
}

// The tools/call result for `tool`'s output: passed through for an upstream MCP tool, else
// Ward's JSON as text and structuredContent.
Json toolResult(gateway::ToolGateway& gw, const std::string& tenant, const std::string& tool,
                const Json& value) {
  auto backend = gw.backendTypeOf(tenant, tool);
  return backend.ok() && *backend == "mcp" ? upstreamResult(value) : successResult(value);
}

}  // namespace

Result<std::optional<identity::Principal>> actingAgent(store::Store* store,
                                                       const identity::Principal& who) {
  if (who.acting_agent.empty()) return std::optional<identity::Principal>();
  if (store == nullptr) return Status::unavailable("no principal directory for the acting agent");
  WARD_ASSIGN_OR_RETURN(identity::Principal agent,
                        identity::resolvePrincipal(*store, who.tenant, who.acting_agent));
  return std::optional<identity::Principal>(std::move(agent));
}

namespace {

Json errorResult(const std::string& text) {
  return Json{{"content", Json::array({Json{{"type", "text"}, {"text", text}}})},
              {"isError", true}};
}

// What reading `tool`'s result brings into the session (session_taint.h).
std::vector<std::string> resultSources(gateway::ToolGateway& gw, const std::string& tenant,
                                       const std::string& tool, const Json& value) {
  auto backend = gw.backendTypeOf(tenant, tool);
  return toolResultSources(tool, backend.ok() ? *backend : "", value);
}

std::string argsHash(const std::string& tool, const Json& args) {
  return sha256Hex(tool + "\n" + gateway::canonicalJson(args));
}

}  // namespace

Reply McpServer::Impl::toolsList(const Message& m, Exchange& x) {
  auto agent = actingAgent(options.store, *x.principal);
  if (!agent.ok()) return Reply::fail(kInternalError, agent.status().message());
  const identity::Principal* acting = agent->has_value() ? &**agent : nullptr;
  auto tools = options.gateway->callableTools(*x.principal, acting);
  if (!tools.ok()) return Reply::fail(kInternalError, tools.status().message());
  Json items = Json::array();
  for (const gateway::CallableTool& t : *tools) items.push_back(toolJson(t));
  if (fixtures) fixtures->appendTools(items);
  Json result = Json::object();
  if (auto err = paginate(m.params, items, result)) return Reply{nullptr, *err};
  result["tools"] = std::move(items);
  if (x.session) {
    auto gen = options.gateway->policyGeneration(x.principal->tenant);
    if (gen.ok()) {
      x.session->tools_generation = *gen;
      sessions.update(x.session->id, [&](Session& s) { s.tools_generation = *gen; });
    }
  }
  return Reply::ok(std::move(result));
}

namespace {

// The key that makes a retried tools/call run once: the client's own (_meta
// "ward/idempotencyKey"), else, for a mutation, one derived from the session and the JSON-RPC id
// (a retry of the same request in the same session replays), else (stateless) a random one (no
// dedupe). Read tools get no derived key: a key costs a durable store write per call.
std::string idempotencyKey(const Message& m, const Exchange& x, gateway::ToolGateway& gw,
                           const std::string& tool) {
  const Json& meta = m.params.contains("_meta") ? m.params["_meta"] : Json();
  if (meta.is_object() && meta.contains("ward/idempotencyKey") &&
      meta["ward/idempotencyKey"].is_string()) {
    return meta["ward/idempotencyKey"].get<std::string>();
  }
  auto risk = gw.riskOf(x.principal->tenant, tool);
  if (!risk.ok() || *risk == gateway::Risk::kRead) return "";
  if (x.session) return "mcp-" + sha256Hex(x.session->id + "\n" + dumpJson(m.id)).substr(0, 32);
  return "mcp-" + randomHex(16);
}

}  // namespace

Reply pendingReply(McpServer::Impl& s, Exchange& x, const std::string& tool, const Json& args,
                   const std::string& approval_id);

Reply approvalOutcome(McpServer::Impl& s, Exchange& x, const std::string& tool, const Json& args,
                      const gateway::ApprovalView& view) {
  const std::string& id = view.id;
  if (view.state == store::ApprovalState::kExecuted) {
    const Json& r = view.result;
    const Json& value = r.is_object() && r.contains("result") ? r["result"] : r;
    s.noteRead(x, resultSources(*s.options.gateway, x.principal->tenant, tool, value));
    return Reply::ok(toolResult(*s.options.gateway, x.principal->tenant, tool, value));
  }
  if (!store::isSettled(view.state)) return pendingReply(s, x, tool, args, id);
  std::string why =
      "tool call " + std::string(store::toString(view.state)) + " (approval " + id + ")";
  if (!view.comment.empty()) why += ": " + view.comment;
  if (view.result.is_object() && view.result.contains("message")) {
    why += ": " + view.result.value("message", "");
  }
  return Reply::ok(errorResult(why));
}

Reply pendingReply(McpServer::Impl& s, Exchange& x, const std::string& tool, const Json& args,
                   const std::string& approval_id) {
  const std::string text = "Tool '" + tool + "' needs a reviewer's approval (approval id " +
                           approval_id + "). It runs once a reviewer approves it.";
  if (x.stateless && x.clientHas("elicitation")) {
    RequestState st{x.principal->tenant,
                    x.principal->id,
                    tool,
                    argsHash(tool, args),
                    approval_id,
                    s.clock->nowMicros() + s.options.limits.state_ttl_s * 1000000,
                    randomHex(16)};
    Json ask = {
        {"method", "elicitation/create"},
        {"params",
         {{"message", text + " Answer when you want Ward to check again."},
          {"requestedSchema",
           {{"type", "object"},
            {"properties", {{"check", {{"type", "boolean"}, {"title", "Check again"}}}}}}}}}};
    return Reply::ok(Json{{"resultType", "input_required"},
                          {"inputRequests", {{kApprovalInput, ask}}},
                          {"requestState", sealRequestState(st, s.state_key)}});
  }
  Json pending = {{"status", "pending"}, {"approval_id", approval_id}, {"tool", tool}};
  return Reply::ok(Json{{"content", Json::array({Json{{"type", "text"}, {"text", text}}})},
                        {"structuredContent", pending},
                        {"isError", false}});
}

// 2025 sessions with a live stream and the elicitation capability: the call stays open and asks
// the user (elicitation/create) whether to check again, until a reviewer decided, the user
// declines, or kMaxApprovalAsks rounds passed; then the usual answer (result, isError, pending).
Reply waitForApproval(McpServer::Impl& s, Exchange& x, const std::string& tool, const Json& args,
                      const std::string& approval_id) {
  constexpr int kMaxApprovalAsks = 20;
  constexpr int64_t kWaitAfterAccept_s = 5;  // lets an approval that was just granted finish
  const std::string text = "Tool '" + tool + "' needs a reviewer's approval (approval id " +
                           approval_id + "). Accept to check again once a reviewer decided; " +
                           "decline to stop waiting (the approval stays pending).";
  const Json ask = {
      {"message", text},
      {"requestedSchema",
       {{"type", "object"},
        {"properties",
         {{"check", {{"type", "boolean"}, {"title", "Check again"}, {"default", true}}}}}}}};
  for (int round = 0; round < kMaxApprovalAsks; ++round) {
    auto answer = x.channel->ask("elicitation/create", ask);
    if (!answer.ok() || stringField(*answer, "action") != "accept") break;
    auto view = s.options.gateway->getApproval(*x.principal, approval_id, kWaitAfterAccept_s);
    if (!view.ok()) return Reply::ok(errorResult("approval: " + view.status().message()));
    if (store::isSettled(view->state)) return approvalOutcome(s, x, tool, args, *view);
  }
  return pendingReply(s, x, tool, args, approval_id);
}

// Lets an upstream MCP server ask this call's client while the call runs (the gateway's `mcp`
// backend forwards sampling/elicitation when the upstream's configuration allows it): only
// what the client declared, on its live stream; each forwarded request is recorded.
// The upstream's transport may keep a copy and run it on its own thread, even after the call
// has ended (a stdio upstream's request): it owns a copy of the principal, and a worker slot
// held while any copy exists keeps the server alive (~Impl waits for it). Once the call ended
// its channel is cancelled, so a late ask fails at once.
std::function<Result<Json>(const std::string&, const Json&)> askClient(McpServer::Impl& s,
                                                                       const Exchange& x) {
  auto principal = std::make_shared<const identity::Principal>(*x.principal);
  Exchange own = x;
  own.principal = principal.get();
  std::shared_ptr<int> slot;
  if (s.enterWorker()) {
    slot = std::shared_ptr<int>(new int(0), [&s](int* p) {
      delete p;
      s.leaveWorker();
    });
  }
  return [&s, x = std::move(own), principal, slot](const std::string& method,
                                                   const Json& params) -> Result<Json> {
    if (!slot) return Status::unavailable("Ward is shutting down");
    const char* capability = method == "sampling/createMessage" ? "sampling"
                             : method == "elicitation/create"   ? "elicitation"
                                                                : nullptr;
    Result<Json> r = Status::failedPrecondition("the MCP client did not declare the capability " +
                                                std::string("that ") + method + " needs");
    if (capability != nullptr && x.canAsk(capability)) r = x.channel->ask(method, params);
    Message m;
    m.method = method + " (from an upstream, to the client)";
    m.is_request = true;
    s.record(m, x, r.ok() ? "forwarded" : "refused: " + r.status().message(), 0);
    return r;
  };
}

// A retry carrying the requestState of an earlier input-required result.
Reply resumeFromState(McpServer::Impl& s, Exchange& x, const std::string& tool, const Json& args,
                      const Json& token) {
  if (!token.is_string()) return Reply::fail(kInvalidParams, "requestState must be a string");
  auto st = openRequestState(token.get<std::string>(), s.state_key, s.clock->nowMicros());
  if (!st.ok()) return Reply::fail(kInvalidParams, st.status().message());
  if (st->tenant != x.principal->tenant || st->principal_id != x.principal->id ||
      st->tool != tool || st->args_hash != argsHash(tool, args)) {
    return Reply::fail(kInvalidParams,
                       "requestState was issued for another principal, tool or arguments");
  }
  {
    MutexLock lock(s.used_states_mu);
    if (!s.used_states.insert(st->nonce).second) {
      return Reply::fail(kInvalidParams, "requestState was already used");
    }
  }
  auto view = s.options.gateway->getApproval(*x.principal, st->approval_id, 0);
  if (!view.ok()) return Reply::fail(kInvalidParams, "approval: " + view.status().message());
  return approvalOutcome(s, x, tool, args, *view);
}

Reply McpServer::Impl::toolsCall(const Message& m, Exchange& x) {
  const Json& p = m.params;
  if (!p.contains("name") || !p["name"].is_string()) {
    return Reply::fail(kInvalidParams, "tools/call: field 'name' must be a string");
  }
  const std::string name = p["name"].get<std::string>();
  Json args = p.contains("arguments") ? p["arguments"] : Json::object();
  if (args.is_null()) args = Json::object();
  if (!args.is_object()) {
    return Reply::fail(kInvalidParams, "tools/call: field 'arguments' must be an object");
  }
  if (fixtures && fixtures->hasTool(name)) return fixtures->callTool(name, args, m, x, *this);
  if (p.contains("requestState")) return resumeFromState(*this, x, name, args, p["requestState"]);
  // 2025-11-25: the client asked for a task (`task`); the whole call runs as one. 2026-07-28
  // with the tasks extension: an upstream tool that runs as a task there is one here too.
  if (tasksNegotiated(m, x) && (!x.stateless || runsAsUpstreamTask(x, name))) {
    return startTask(m, x, name, [this, m, name, args](Exchange& tx, const std::string& id) {
      std::string parked;
      Reply r = callGatewayTool(m, tx, name, args, &parked);
      if (!parked.empty()) followApprovalOf(id, parked);
      return r;
    });
  }
  std::string parked;
  Reply r = callGatewayTool(m, x, name, args, &parked);
  if (parked.empty()) return r;
  // 2026-07-28 with the tasks extension: the parked call is a task following its approval.
  if (x.stateless && tasksNegotiated(m, x)) return taskForApproval(m, x, name, parked);
  if (!x.stateless && x.canAsk("elicitation")) {
    return waitForApproval(*this, x, name, args, parked);
  }
  return pendingReply(*this, x, name, args, parked);
}

Reply McpServer::Impl::callGatewayTool(const Message& m, Exchange& x, const std::string& name,
                                       const Json& args, std::string* parked) {
  gateway::CallRequest req;
  req.principal = *x.principal;
  auto agent = actingAgent(options.store, *x.principal);
  if (!agent.ok()) return Reply::fail(kInternalError, agent.status().message());
  req.agent = std::move(*agent);
  req.tool = name;
  req.args = args;
  req.trace = x.trace;
  req.idempotency_key = idempotencyKey(m, x, *options.gateway, name);
  req.via = via(m, x);
  if (x.channel) req.ask_client = askClient(*this, x);
  // What the session read before this call rides on it (the untrusted-content gate).
  req.taint = sessionTaint(x);
  x.progress(0, 1, "calling " + name);
  auto r = options.gateway->call(std::move(req));
  // The gateway recorded the call (with `via`) on every path except an internal failure before
  // it resolved the tool; then the MCP layer records the request itself.
  x.recorded = r.ok() || r.status().code() != StatusCode::kInternal;
  if (!r.ok()) {
    if (r.status().code() == StatusCode::kNotFound &&
        r.status().message().rfind("tool '", 0) == 0) {
      return Reply::fail(kInvalidParams, "unknown tool: " + r.status().message());
    }
    x.log("warning", "ward.gateway", r.status().toString());
    // An error may quote what a backend answered: untrusted too (a policy refusal quotes none).
    const StatusCode code = r.status().code();
    if (code != StatusCode::kPermissionDenied && code != StatusCode::kResourceExhausted) {
      noteRead(x, resultSources(*options.gateway, x.principal->tenant, name, Json()));
    }
    return Reply::ok(errorResult(r.status().toString()));
  }
  const Json& resp = *r;
  if (resp.value("status", "") == "pending") {
    *parked = resp.value("approval_id", "");
    return Reply{};
  }
  x.progress(1, 1, "done");
  Json value = resp.contains("result") ? resp["result"] : resp;
  noteRead(x, resultSources(*options.gateway, x.principal->tenant, name, value));
  Reply out = Reply::ok(toolResult(*options.gateway, x.principal->tenant, name, value));
  if (resp.contains("warnings")) out.result["_meta"]["ward/warnings"] = resp["warnings"];
  out.result["_meta"]["ward/traceId"] = resp.value("trace_id", x.trace.trace_id);
  return out;
}

}  // namespace ward::mcp
