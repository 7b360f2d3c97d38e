// McpServer's state and the per-request exchange, shared by the dispatcher (mcp_server.cc), the
// method families (tool_methods.cc, content_methods.cc), the fixtures and the transports
// (mcp_http.cc, mcp_stdio.cc). Private.
#pragma once

#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "protocol.h"
#include "session_table.h"
#include "ward/mcp/mcp_server.h"

namespace ward::mcp {

class UpstreamContent;
class ConformanceFixtures;

// One request (or notification) as the dispatcher sees it.
struct Exchange {
  const identity::Principal* principal = nullptr;
  audit::TraceContext trace;
  std::string transport;           // "http" | "stdio"
  std::string version;             // the revision this message is served at
  bool stateless = false;          // 2026-07-28: everything comes from this request's _meta
  std::optional<Session> session;  // the 2025-era session, when there is one
  Json client_info = Json::object();
  Json client_capabilities = Json::object();
  // Merged into the mcp_request record (upstream content: the upstream and hashes).
  Json record_extra = Json::object();
  std::string log_level;            // "" = send no log notifications
  Json progress_token;              // null = the client asked for no progress
  std::vector<Json> notifications;  // sent before the response (SSE stream or stdio)
  std::string header_method;        // HTTP Mcp-Method ("" when absent)
  std::string header_name;          // HTTP Mcp-Name ("" when absent)
  bool recorded = false;            // the gateway's tool_call event already recorded this request

  bool clientHas(const std::string& capability) const {
    return client_capabilities.is_object() && client_capabilities.contains(capability);
  }
  // Queues notifications/message when the client asked for this level or above.
  void log(const std::string& level, const std::string& logger, Json data);
  // Queues notifications/progress when the client gave a progress token.
  void progress(double done, double total, const std::string& message);
};

// A method's answer: a result, or a protocol error.
struct Reply {
  Json result;
  std::optional<RpcError> error;
  static Reply ok(Json r) { return Reply{std::move(r), std::nullopt}; }
  static Reply fail(int code, std::string message, Json data = nullptr, int http_status = 0) {
    return Reply{nullptr, RpcError{code, std::move(message), std::move(data), http_status}};
  }
};

// What dispatching one message produced.
struct Outcome {
  std::optional<Json> response;  // none for notifications and client responses
  int http_status = 200;
  std::optional<Session> created;  // initialize made this session
};

class McpServer::Impl {
 public:
  explicit Impl(const McpOptions& o);
  ~Impl();

  // Runs one parsed message. `x.session` must be set for 2025-era requests other than
  // initialize; the transports decide the revision before calling.
  Outcome dispatch(const Message& m, Exchange& x);
  // Calls the method's handler (dispatch() wraps it: an exception becomes -32603).
  Reply route(const Message& m, Exchange& x, Outcome& out);
  // The revision-specific preamble of a stateless request (_meta checks); nullopt when fine.
  std::optional<RpcError> checkStatelessMeta(const Message& m, Exchange& x);

  // Method families.
  Reply initialize(const Message& m, Exchange& x, Outcome& out);
  Reply discover(Exchange& x);
  Reply toolsList(const Message& m, Exchange& x);
  Reply toolsCall(const Message& m, Exchange& x);
  Reply resourcesList(const Message& m, Exchange& x);
  Reply resourceTemplatesList(const Message& m, Exchange& x);
  Reply resourcesRead(const Message& m, Exchange& x);
  Reply promptsList(const Message& m, Exchange& x);
  Reply promptsGet(const Message& m, Exchange& x);
  Reply complete(const Message& m, Exchange& x);
  Reply setLogLevel(const Message& m, Exchange& x);

  // Queues notifications/tools/list_changed when the caller's tool policy moved since it listed.
  void noteToolsChanged(Exchange& x, const std::string& method);
  Json serverInfo() const { return Json{{"name", "ward"}, {"version", options.server_version}}; }
  Json capabilities(bool stateless) const;
  // Records one "mcp_request" trace event (principal, clientInfo as reported, outcome), unless
  // the gateway recorded the request already (x.recorded).
  void record(const Message& m, const Exchange& x, const std::string& outcome, int error_code);
  // The MCP side of a request as a gateway call records it (CallRequest::via).
  Json via(const Message& m, const Exchange& x) const;
  // Slices a list for pagination: cursor = decimal offset; sets nextCursor when more remain.
  std::optional<RpcError> paginate(const Json& params, Json& items, Json& result) const;

  McpOptions options;
  std::unique_ptr<UpstreamContent> upstream_content;  // upstream resources and prompts
  const Clock* clock;
  SessionTable sessions;
  std::string state_key;
  std::unique_ptr<ConformanceFixtures> fixtures;  // null unless options.conformance_fixtures
  std::mutex used_states_mu;
  std::set<std::string> used_states;  // guarded by used_states_mu: consumed requestState nonces
};

}  // namespace ward::mcp
