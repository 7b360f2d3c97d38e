// An MCP client for one upstream server (docs/design/upstream.md): JSON-RPC 2.0 over stdio or
// Streamable HTTP, in the stateless 2026-07-28 era (server/discover, per-request _meta) or the
// session era (initialize, Mcp-Session-Id; 2025-11-25 and 2025-06-18).
//
// The connection is made on first use and remade when it breaks: a stdio server that exited is
// restarted, an HTTP session that expired (404) is re-initialised. Failed attempts back off
// exponentially (250 ms doubling to 30 s), and so do restarts of a server that keeps exiting
// within 10 s of starting (after two immediate ones); while backing off, requests fail at once with
// Unavailable instead of waiting, so a broken upstream never holds callers up.
//
// Thread-safe: requests may run concurrently; they share one connection.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>

#include "ward/common/clock.h"
#include "ward/common/json.h"
#include "ward/common/mutex.h"
#include "ward/common/status.h"
#include "ward/upstream/upstream_config.h"

namespace ward::upstream {

class Transport;

// Turns "${secret:NAME}" references in header and env values into the secret's value.
using SecretResolver = std::function<Result<std::string>(const std::string& name)>;

class McpClient {
 public:
  McpClient(UpstreamConfig config, SecretResolver secrets, const Clock* clock = nullptr);
  ~McpClient();
  McpClient(const McpClient&) = delete;
  McpClient& operator=(const McpClient&) = delete;

  const UpstreamConfig& config() const { return config_; }

  // Every tool of the server: listAll("tools/list", "tools", 1000).
  Result<Json> listTools();
  // Asks the caller of a call (its MCP client) on the upstream's behalf: the client's result.
  using ClientAsk = std::function<Result<Json>(const std::string& method, const Json& params)>;
  // tools/call; the CallToolResult ({content, structuredContent?, isError?}). Requests the
  // server sends meanwhile (sampling/createMessage, elicitation/create; input_required results
  // in the stateless era) go to `ask` when the upstream's allow_sampling/allow_elicitation say
  // so; otherwise they are refused.
  Result<Json> callTool(const std::string& tool, const Json& arguments,
                        const ClientAsk& ask = nullptr);
  // Whether `tool` may run as a task on the upstream (the 2025-11-25 tasks of the session era):
  // the server declared capabilities.tasks.requests.tools.call at initialize and the tool's
  // execution.taskSupport in the newest listTools() is "optional" or "required". kNone otherwise
  // (also in the stateless era: Ward does not use the 2026-07-28 tasks extension upstream).
  enum class TaskSupport { kNone, kOptional, kRequired };
  TaskSupport toolTaskSupport(const std::string& tool) const;
  // tools/call as a task (`task: {ttl: ttl_ms}`): the upstream's task ({taskId, status,
  // pollInterval?, ...}); Unavailable when the answer carries no task with a string taskId.
  Result<Json> createToolTask(const std::string& tool, const Json& arguments, int64_t ttl_ms);
  // Connects (or reconnects) unless connected; Unavailable while backing off.
  Status ensureConnected() { return connection().status(); }
  // Any request; params may be null. Connects first when needed.
  Result<Json> request(const std::string& method, Json params);

  // Bumped every time a new connection is established (a restart or a re-initialised session).
  int64_t connectionGeneration() const { return generation_.load(); }
  // True once after the server sent notifications/tools/list_changed.
  bool takeListChanged() { return list_changed_.exchange(false); }
  // Every item of a paginated list method ("resources/list" -> field "resources", ...), all
  // pages, within one timeout_ms for the whole listing (Unavailable when it runs out);
  // ResourceExhausted past max_items items, 16 MiB of items or 100 pages.
  Result<Json> listAll(const std::string& method, const std::string& field, size_t max_items);
  // State for `ward upstream show` and GET /v1/upstreams: era, version, server info, failures,
  // backoff, transport details. Never secrets. Never waits for a connect in progress
  // (then {"connecting": true}).
  Json describe() const;
  // Ends the connection (kills a stdio child).
  void close();

 private:
  Result<std::shared_ptr<Transport>> connection();
  Status connectLocked() WARD_REQUIRES(mu_);
  // One request as send() makes it.
  struct Outgoing {
    std::string method;
    Json params;              // may be null
    ClientAsk ask;            // answers the upstream's requests during it; null = nobody
    int64_t deadline_ns = 0;  // clock_->monotonicNanos() bound; 0 = timeout_ms per round trip
  };
  Result<Json> send(const std::shared_ptr<Transport>& t, const Outgoing& out);
  Result<Json> requestAsking(const Outgoing& out);

  UpstreamConfig config_;
  SecretResolver secrets_;
  const Clock* clock_;
  std::atomic<int64_t> next_id_{1};
  std::atomic<int64_t> generation_{0};
  std::atomic<bool> list_changed_{false};
  std::atomic<bool> connecting_{false};  // a connect holds mu_ (describe() does not wait)

  mutable Mutex mu_;
  std::shared_ptr<Transport> transport_ WARD_GUARDED_BY(mu_);
  std::string era_ WARD_GUARDED_BY(mu_);      // "stateless" | "session"
  std::string version_ WARD_GUARDED_BY(mu_);  // negotiated protocol version
  Json server_info_ WARD_GUARDED_BY(mu_);
  int failures_ WARD_GUARDED_BY(mu_) = 0;  // consecutive failed connects
  int64_t next_attempt_us_ WARD_GUARDED_BY(mu_) = 0;
  std::string last_error_ WARD_GUARDED_BY(mu_);
  int64_t restarts_ WARD_GUARDED_BY(mu_) = 0;
  int64_t connected_at_us_ WARD_GUARDED_BY(mu_) = 0;  // when the current connection was made
  int quick_exits_ WARD_GUARDED_BY(mu_) = 0;          // consecutive deaths soon after start
  bool server_tool_tasks_ = false;  // initialize declared tasks for tools/call; by mu_
  std::map<std::string, TaskSupport> task_support_;  // from the newest listTools(); by mu_
};

}  // namespace ward::upstream
