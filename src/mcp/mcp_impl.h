// McpServer's state and the per-request exchange, shared by the dispatcher (mcp_server.cc), the
// method families (tool_methods.cc, content_methods.cc), the fixtures and the transports
// (mcp_http.cc, mcp_stdio.cc). Private.
#pragma once

#include <condition_variable>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "client_channel.h"
#include "protocol.h"
#include "session_table.h"
#include "subscriptions.h"
#include "task_store.h"
#include "ward/common/mutex.h"
#include "ward/gateway/gateway_results.h"
#include "ward/mcp/mcp_server.h"

namespace ward::store {
struct DocumentRecord;
}

namespace ward::mcp {

class UpstreamContent;
class ConformanceFixtures;
class Subscriptions;

// One request (or notification) as the dispatcher sees it.
struct Exchange {
  const identity::Principal* principal = nullptr;
  trace::TraceContext trace;
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
  std::string task_id;  // set while a task's body runs: the Ward task (recorded in `via`)
  // Where the client answers Ward's requests and sends cancellations: the session id (HTTP) or
  // the stdio connection; "" = stateless (no answers, no cancellation).
  std::string channel_key;
  // Set while a request runs with a live stream to the client: notifications go out at once and
  // it may ask the client (elicitation, sampling, roots). Null = answered whole.
  std::shared_ptr<CallChannel> channel;

  bool clientHas(const std::string& capability) const {
    return client_capabilities.is_object() && client_capabilities.contains(capability);
  }
  // Queues notifications/message when the client asked for this level or above.
  void log(const std::string& level, const std::string& logger, Json data);
  // Queues notifications/progress when the client gave a progress token.
  void progress(double done, double total, const std::string& message);
  // Sends now on the channel, else queues for the response.
  void send(Json notification);
  // Whether this request may ask the client `capability` ("elicitation", "sampling", "roots")
  // now: a live channel and the client declared it.
  bool canAsk(const std::string& capability) const { return channel && clientHas(capability); }
};

// A 2025-session tools/call that may need the client while it runs: it can ask (the client
// declared elicitation, sampling or roots) or wants progress as it happens. Such a request runs
// on its own thread with a live channel (McpServer::Impl::runStreamed).
bool wantsStream(const Message& m, const Exchange& x);

// The agent acting for the caller (a session opened with `ward mcp --as USER --agent AGENT`),
// resolved afresh so grant and membership changes apply; nullopt when the caller acts alone.
// (tool_methods.cc)
Result<std::optional<identity::Principal>> actingAgent(store::Store* store,
                                                       const identity::Principal& who);

// ward://documents/<percent-encoded id> (content_methods.cc; shared with the notification
// streams).
std::string documentUri(const std::string& ext_id);
// One SSE event carrying a JSON-RPC message (mcp_http.cc).
std::string sseEvent(const Json& message);

// The tasks extension's name under capabilities.extensions (2026-07-28, SEP-2663).
inline constexpr char kTasksExtension[] = "io.modelcontextprotocol/tasks";

// A method's answer: a result, or a protocol error.
struct Reply {
  Json result;
  std::optional<RpcError> error;
  static Reply ok(Json r) { return Reply{std::move(r), std::nullopt}; }
  // `http_code` (and `origin`): the domain code whose HTTP status answers the error on HTTP
  // (RpcError::httpStatus); nullopt = the revision's default.
  static Reply fail(int code, std::string message, Json data = nullptr,
                    std::optional<StatusCode> http_code = std::nullopt,
                    http::ErrorOrigin origin = http::ErrorOrigin::kHandler) {
    return Reply{nullptr, RpcError{code, std::move(message), std::move(data), http_code, origin}};
  }
};

// What dispatching one message produced.
struct Outcome {
  std::optional<Json> response;  // none for notifications and client responses
  int http_status = http::httpStatusFor(StatusCode::kOk);
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
  // tasks/get, tasks/update, tasks/cancel (both eras), tasks/result and tasks/list (2025-11-25)
  // (task_methods.cc).
  Reply tasksMethod(const Message& m, Exchange& x);

  // --- tasks (task_methods.cc) ---
  // What a task runs: the tools/call's answer. A Reply with a null result and no error means the
  // body handed the task to an approval it now follows (followApprovalOf).
  using TaskBody = std::function<Reply(Exchange& x, const std::string& task_id)>;
  // Whether this request asks for tasks: 2026-07-28 with the extension in its client
  // capabilities, or a 2025-11-25 tools/call carrying `task`.
  bool tasksNegotiated(const Message& m, const Exchange& x) const;
  TaskOwner taskOwner(const Exchange& x) const;
  // Creates a task owned by the caller and runs `body` on its own thread; the revision's
  // CreateTaskResult, or an error over the task bounds.
  Reply startTask(const Message& m, Exchange& x, const std::string& tool, TaskBody body);
  // A gateway call that parked for approval `approval_id`, as a task that follows the approval.
  Reply taskForApproval(const Message& m, Exchange& x, const std::string& tool,
                        const std::string& approval_id);
  // Inside a task body: the task now follows approval `approval_id` (state read on tasks/get).
  void followApprovalOf(const std::string& task_id, const std::string& approval_id);
  // Whether `tool` is an upstream's tool that runs as a task there (upstream.md "Upstream
  // tasks"): a 2026-07-28 call of it with the tasks extension becomes a Ward task.
  bool runsAsUpstreamTask(const Exchange& x, const std::string& tool) const;
  // Changes a task; records a state change (an "mcp_task" trace event) when its status moved.
  std::optional<Task> changeTask(const std::string& id, const std::function<void(Task&)>& f);
  // The gateway half of tools/call: the result, or (parked for approval) *parked set to the
  // approval id and an empty Reply (tool_methods.cc).
  Reply callGatewayTool(const Message& m, Exchange& x, const std::string& name, const Json& args,
                        std::string* parked);

  // Tools of `tenant` changed here (open streams are told at once).
  void toolsChanged(const std::string& tenant);
  // subscriptions/listen (2026-07-28): the listener for this request's notification filter, with
  // its sends still to fill in by the transport; an error when the params are malformed.
  Result<Listener> listener(const Message& m, const Exchange& x);
  // Queues notifications/tools/list_changed when the caller's tool policy moved since it listed.
  void noteToolsChanged(Exchange& x, const std::string& method);
  Json serverInfo() const { return Json{{"name", "ward"}, {"version", options.server_version}}; }
  // The server capabilities of the request's era (2025 sessions: `tasks`; 2026-07-28: the tasks
  // extension under `extensions`).
  Json capabilities(bool stateless) const;
  // Records one "mcp_request" trace event (principal, clientInfo as reported, outcome), unless
  // the gateway recorded the request already (x.recorded).
  void record(const Message& m, const Exchange& x, const std::string& outcome, int error_code);
  // The MCP side of a request as a gateway call records it (CallRequest::via).
  Json via(const Message& m, const Exchange& x) const;
  // The untrusted content the request's session has read so far (none without a session), and
  // adding what it just read (session_taint.h).
  gateway::TurnTaint sessionTaint(const Exchange& x);
  // A 2026-07-28 HTTP tools/call: its Mcp-Param-* headers against the called tool's
  // x-mcp-header parameters (param_headers.h); nullopt when they agree or the tool is unknown.
  std::optional<std::string> checkToolParamHeaders(
      const Message& m, const Exchange& x, const std::map<std::string, std::string>& headers);
  void noteRead(Exchange& x, const std::vector<std::string>& sources);
  // Slices a list for pagination: cursor = decimal offset; sets nextCursor when more remain.
  std::optional<RpcError> paginate(const Json& params, Json& items, Json& result) const;

  McpOptions options;
  std::unique_ptr<UpstreamContent> upstream_content;  // upstream resources and prompts
  const Clock* clock;
  SessionTable sessions;
  std::unique_ptr<Subscriptions> subscriptions;  // GET and subscriptions/listen streams
  std::string state_key;
  std::unique_ptr<ConformanceFixtures> fixtures;  // null unless options.conformance_fixtures
  ClientRequests client_requests;  // Ward's requests waiting on clients; cancellable requests
  // Runs `m` on its own thread with a streamed response (answers via x.channel); false when
  // max_streaming_calls are running (the caller then answers whole).
  bool runStreamed(const Message& m, Exchange x, std::shared_ptr<identity::Principal> principal,
                   std::function<bool(const Json&)> send, std::function<void()> done,
                   std::shared_ptr<CallChannel>* channel_out);
  // Work on other threads that uses *this (streamed requests, an upstream's request forwarded
  // to the client): ~Impl waits until none is left. enterWorker is false once shutting down.
  bool enterWorker();
  void leaveWorker();
  Mutex workers_mu;
  CondVar workers_cv;
  size_t workers WARD_GUARDED_BY(workers_mu) = 0;         // all such work running
  size_t streamed_calls WARD_GUARDED_BY(workers_mu) = 0;  // streamed requests running
  bool shutting_down WARD_GUARDED_BY(workers_mu) = false;
  Mutex used_states_mu;
  std::set<std::string> used_states
      WARD_GUARDED_BY(used_states_mu);  // consumed requestState nonces
  TaskStore tasks;                      // the tasks extension's tasks (in memory; task_store.h)
};

// The tools/call answer for a parked call whose approval is now `view` (GET /v1/approvals/{id}):
// executed → the tool's result, pending → the pending/input-required answer, else isError
// (tool_methods.cc).
Reply approvalOutcome(McpServer::Impl& s, Exchange& x, const std::string& tool, const Json& args,
                      const gateway::ApprovalView& view);

}  // namespace ward::mcp
