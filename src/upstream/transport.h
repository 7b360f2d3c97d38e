// One connection to an upstream MCP server that carries JSON-RPC messages. Private to the
// upstream module; McpClient (mcp_client.cc) drives the protocol on top of it.
//
// Thread-safe: several requests may be in flight at once (matched by id). Once a transport
// reports !alive() it stays dead; the client makes a new one (a restart).
//
// Everything the upstream sends is untrusted: a transport never lets a malformed message end
// Ward (a bad line or body is logged and dropped), and reads JSON-RPC fields with the checked
// accessors below rather than Json::value(), which throws on a wrong type.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>

#include "ward/common/json.h"
#include "ward/common/status.h"
#include "ward/upstream/upstream_config.h"

namespace ward::upstream {

// Requests of the upstream forwarded at once on one stdio transport (each waits on a caller's
// client on its own thread); more are refused at once with -32603 naming this limit.
inline constexpr int kMaxForwardedRequests = 16;

// Per-request HTTP headers (ignored by stdio): MCP-Protocol-Version, Mcp-Method, Mcp-Name.
using RequestHeaders = std::map<std::string, std::string>;

// Called for messages the server sends on its own: notifications (method, params).
using NotificationSink = std::function<void(const std::string& method, const Json& params)>;

// Answers a request the server sends while one of ours runs (sampling/createMessage,
// elicitation/create, ping): the whole JSON-RPC reply for that request message. May block.
using ServerRequestHandler = std::function<Json(const Json& request)>;

// The reply when no handler applies: ping gets a result, anything else -32601.
Json defaultServerReply(const Json& request);

// Checked reads of a JSON-RPC message from the upstream: the member if `message` is an object
// and the member has the right type, else "" / an empty object / null.
std::string stringMember(const Json& message, const char* key);
Json objectMember(const Json& message, const char* key);
Json idOf(const Json& message);

// What a transport does with messages the server sends on its own.
struct ServerMessageHandlers {
  NotificationSink on_notification;  // may be null
  // Answers a server request that no call in flight takes (none has a handler for it). Runs on
  // the transport's reader, so it must not block. Null = defaultServerReply.
  ServerRequestHandler on_unclaimed_request;
};

class Transport : public std::enable_shared_from_this<Transport> {
 public:
  virtual ~Transport() = default;
  // Sends a request (it has an "id") and waits up to timeout_ms for the response with that id.
  // Requests the server sends meanwhile go to `on_request`, which a caller passes only when
  // someone can be asked (HTTP: the requests on this request's stream; stdio: when this is the
  // only request in flight with a handler). On stdio the handler runs on a thread of its own,
  // which does not invoke it if this round trip has already ended when that thread starts; a
  // handler invoked just before the end may still be running after this returns, so it must
  // own what it uses.
  // Unavailable on transport failure or timeout; NotFound when an HTTP session expired (404).
  virtual Result<Json> roundTrip(const Json& request, const RequestHeaders& headers,
                                 int64_t timeout_ms,
                                 const ServerRequestHandler& on_request = {}) = 0;
  // Sends a notification (no response expected).
  virtual Status notify(const Json& notification, const RequestHeaders& headers) = 0;
  virtual bool alive() const = 0;
  // Whether the server has sent anything since the connection started. A stdio child that has
  // written nothing yet may still be starting; HTTP answers every request, so it says true.
  virtual bool heardFrom() const { return true; }
  // The HTTP session id to send from now on ("" = none); stdio ignores it.
  virtual void setSession(const std::string& session_id) {}
  // The session id the server assigned in its last response ("" = none).
  virtual std::string sessionFromServer() const { return ""; }
  // Diagnostics for `ward upstream show`: the tail of a child's stderr, the pid, ...
  virtual Json describe() const = 0;
  // Ends the connection (kills a child process); pending requests fail.
  virtual void close() = 0;
};

// Expanded configuration values: "${secret:NAME}" references already resolved.
struct ResolvedEndpoint {
  UpstreamConfig config;
  std::map<std::string, std::string> env;      // stdio
  std::map<std::string, std::string> headers;  // http
};

// Spawns the command (stdio_transport.cc). Unavailable when it cannot be started.
Result<std::unique_ptr<Transport>> startStdioTransport(const ResolvedEndpoint& endpoint,
                                                       ServerMessageHandlers handlers);
// A Streamable HTTP endpoint (http_transport.cc); connects per request. Every header value sent
// is checked: one with CR, LF or NUL fails the request (InvalidArgument naming the header).
Result<std::unique_ptr<Transport>> openHttpTransport(const ResolvedEndpoint& endpoint,
                                                     ServerMessageHandlers handlers);

}  // namespace ward::upstream
