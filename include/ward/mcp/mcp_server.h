// Ward's MCP server (docs/design/mcp.md): the front door for AI clients. One JSON-RPC core serves
// both protocol eras — the session-based 2025-11-25 revision (and 2025-06-18: initialize,
// Mcp-Session-Id) and the stateless 2026-07-28 revision (server/discover, per-request _meta) —
// chosen per request, over two transports: Streamable HTTP at /mcp on `ward serve` and stdio
// (`ward mcp`). Tools are the gateway's (ToolGateway): listed only when the caller may call them,
// called through its stage chain. Every request is recorded through the trace sink.
//
// Ownership: borrows everything in McpOptions (all must outlive the server). Thread-safe: HTTP
// requests are handled concurrently; serveStdio() runs one session on the calling thread.
#pragma once

#include <cstddef>
#include <cstdint>
#include <iosfwd>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "ward/common/clock.h"
#include "ward/common/status.h"
#include "ward/http/http_message.h"
#include "ward/http/router.h"
#include "ward/identity/principal.h"
#include "ward/trace/trace.h"

namespace ward::gateway {
class ToolGateway;
}
namespace ward::store {
class Store;
}
namespace ward::upstream {
class UpstreamPool;
}

namespace ward::mcp {

// Every size and count the server bounds (documented in docs/design/mcp.md and README).
struct McpLimits {
  size_t max_message_bytes = 4 << 20;  // one JSON-RPC message (HTTP body or stdio line)
  size_t max_sessions = 1024;          // live 2025-era sessions; initialize past it is refused
  int64_t session_idle_s = 3600;       // a session unused this long is forgotten
  size_t page_size = 100;              // items per tools/resources/prompts list page
  int64_t state_ttl_s = 900;           // lifetime of an input-required requestState
  // Requests running with a streamed response (each on its own thread, waiting on the client);
  // past it a request is answered whole, without asking the client anything.
  size_t max_streaming_calls = 256;
  int64_t client_answer_timeout_s = 300;  // how long Ward waits for an elicitation/sampling answer
  size_t max_listen_streams = 1024;       // GET streams + subscriptions/listen streams held open
  size_t max_listen_per_principal = 32;   // of those, held by one principal (one cannot take all)
  int64_t notify_poll_ms = 500;           // how often open streams check for tool/document changes
  int64_t keepalive_s = 15;               // an SSE comment on idle streams (finds dead clients)
  int64_t reauthenticate_s = 10;          // open HTTP streams re-check their key or token
};

struct McpOptions {
  gateway::ToolGateway* gateway = nullptr;  // required: tools
  store::Store* store = nullptr;            // documents as resources (optional)
  trace::TraceSink* traces = nullptr;       // required: every request is recorded
  // Upstream MCP servers whose resources and prompts are re-exposed to the subjects in their
  // resources_for / prompts_for (optional; docs/design/upstream.md).
  upstream::UpstreamPool* upstreams = nullptr;
  const Clock* clock = nullptr;  // null = SystemClock
  McpLimits limits;
  std::string server_version = "0.1.0";
  // Key of the HMAC that binds input-required requestState to principal, tool and arguments;
  // "" = 32 random bytes per process (state then does not survive a restart).
  std::string state_key;
  // Origins a browser may call /mcp from besides loopback ones ("https://app.example").
  std::vector<std::string> allowed_origins;
  // When the server listens on loopback only: refuse requests whose Host header is not
  // localhost, 127.0.0.1 or [::1] (DNS rebinding).
  bool require_loopback_host = false;
  // TEST ONLY (never on by default): the fixed tools, resources and prompts the official
  // conformance suite expects (src/mcp/conformance_fixtures.cc).
  bool conformance_fixtures = false;
};

class McpServer {
 public:
  // InvalidArgument when a required option is missing.
  static Result<std::unique_ptr<McpServer>> create(const McpOptions& options);
  ~McpServer();
  McpServer(const McpServer&) = delete;
  McpServer& operator=(const McpServer&) = delete;

  // Streamable HTTP at /mcp (POST, GET, DELETE). `request.principal` must be set (the route
  // authenticates like every REST route). Never fails: errors are HTTP/JSON-RPC responses.
  http::HttpResponse handleHttp(const http::HttpRequest& request);
  // Serves stdio for `principal`: one JSON-RPC message per line in, one per line out, until EOF
  // on `in`. Returns an error only when writing fails.
  Status serveStdio(const identity::Principal& principal, std::istream& in, std::ostream& out);
  // Ends the open notification streams (a subscriptions/listen stream gets its final result) and
  // the waits of running requests on their clients. Call before stopping the HTTP server.
  void shutdownStreams();

  class Impl;

 private:
  explicit McpServer(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// The /mcp routes (POST, GET, DELETE) for the REST server's table, authenticated with API keys
// like every REST route. TEST ONLY: with `anonymous` set the routes need no key and act as that
// principal (the conformance suite cannot send credentials); callers refuse it off loopback.
std::vector<http::Route> mcpRoutes(McpServer& server,
                                   std::optional<identity::Principal> anonymous = std::nullopt);

}  // namespace ward::mcp
