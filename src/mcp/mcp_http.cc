// Streamable HTTP at /mcp. POST carries one JSON-RPC message and is answered with JSON, or with
// an SSE body (notifications first, then the response) when the client accepts
// text/event-stream and there is something to stream, or with a held-open SSE stream (a call
// that may ask the client, subscriptions/listen); GET opens a 2025 session's notification
// stream; DELETE ends a session. The revision is chosen
// per request: Mcp-Session-Id or initialize -> 2025 era; otherwise the stateless 2026-07-28
// rules (_meta on every request, MCP-Protocol-Version and Mcp-Method headers must agree).
#include <algorithm>

#include "mcp_impl.h"
#include "origin_check.h"
#include "ward/gateway/tool_gateway.h"

namespace ward::mcp {

namespace {

// A JSON-RPC error answered on HTTP; its status is the one http::httpStatusFor gives `http_code`
// (and `origin`), as for every HTTP status of Ward.
http::HttpResponse rpcFailure(StatusCode http_code, const Json& id, int code,
                              const std::string& message,
                              http::ErrorOrigin origin = http::ErrorOrigin::kHandler) {
  const RpcError error{code, message, nullptr, http_code, origin};
  http::HttpResponse r = http::HttpResponse::json(rpcErrorJson(id, error));
  r.status = error.httpStatus(/*stateless=*/false);
  return r;
}

std::string lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

std::string sseBody(const std::vector<Json>& notifications, const Json& response) {
  std::string out;
  for (const Json& n : notifications) out += sseEvent(n);
  out += sseEvent(response);
  return out;
}

// The 200 answer whose body is `stream`, as SSE.
http::HttpResponse sseStreamResponse(std::shared_ptr<http::ResponseStream> stream) {
  http::HttpResponse r;  // 200
  r.content_type = "text/event-stream";
  r.headers.emplace_back("Cache-Control", "no-cache");
  r.stream = std::move(stream);
  return r;
}

// Fills a listener's sends with an SSE stream and answers with it. The stream re-checks the
// opening request's credentials (its headers, not its body) from time to time.
Result<http::HttpResponse> openStream(McpServer::Impl& s, Listener l,
                                      const http::HttpRequest& request) {
  if (request.authenticator) {
    http::HttpRequest credentials;
    credentials.method = request.method;
    credentials.target = request.target;
    credentials.path = request.path;
    credentials.headers = request.headers;
    credentials.remote_address = request.remote_address;
    credentials.trace = request.trace;
    l.reauthenticate = [auth = request.authenticator, credentials] { return (*auth)(credentials); };
  }
  auto stream = std::make_shared<http::ResponseStream>();
  l.send = [stream](const Json& j) { return stream->write(sseEvent(j)); };
  l.gone = [stream] { return stream->cancelled(); };
  l.keepalive = [stream] { stream->write(": keep-alive\n\n"); };
  l.close = [stream] { stream->close(); };
  WARD_RETURN_IF_ERROR(s.subscriptions->add(std::move(l)));
  return sseStreamResponse(std::move(stream));
}

http::HttpResponse streamRefused(const Status& st, const Json& id) {
  // AlreadyExists (one GET stream per session) 409, ResourceExhausted (stream bounds) 429,
  // InvalidArgument (a malformed listen filter) 400, Unavailable (shutting down) 503.
  return rpcFailure(st.code(), id,
                    st.code() == StatusCode::kInvalidArgument ? kInvalidParams : kInvalidRequest,
                    st.message());
}

// The standalone GET stream of a 2025 session: tools/list_changed, resources/list_changed and
// resources/updated for the session's subscriptions, as they happen. One per session.
http::HttpResponse openGetStream(McpServer::Impl& s, const http::HttpRequest& request,
                                 const identity::Principal& principal,
                                 const std::string& session_id) {
  if (session_id.empty()) {
    http::HttpResponse r = rpcFailure(
        StatusCode::kNotFound, nullptr, kInvalidRequest,
        "GET /mcp opens a 2025 session's stream (Mcp-Session-Id); 2026-07-28 clients POST "
        "subscriptions/listen",
        http::ErrorOrigin::kMethodNotAllowed);
    r.headers.emplace_back("Allow", "POST, DELETE");
    return r;
  }
  if (lower(request.header("accept")).find("text/event-stream") == std::string::npos) {
    return rpcFailure(StatusCode::kInvalidArgument, nullptr, kInvalidRequest,
                      "Accept must include text/event-stream", http::ErrorOrigin::kNotAcceptable);
  }
  auto session = s.sessions.get(session_id, principal.id);
  if (!session.ok())
    return rpcFailure(StatusCode::kNotFound, nullptr, kInvalidRequest, session.status().message());
  Listener l;
  l.principal = principal;
  l.key = session_id;
  l.tools = true;
  l.resources_list = true;
  auto r = openStream(s, std::move(l), request);
  if (!r.ok()) return streamRefused(r.status(), nullptr);
  return std::move(r).value();
}

// Runs the request on its own thread and answers with an SSE stream that carries its
// notifications and requests to the client as they happen, then the response. Nullopt when
// too many are running (the caller answers whole).
std::optional<http::HttpResponse> streamedResponse(McpServer::Impl& s, const Message& m,
                                                   const Exchange& x,
                                                   const identity::Principal& principal) {
  auto stream = std::make_shared<http::ResponseStream>();
  std::shared_ptr<CallChannel> channel;
  bool started = s.runStreamed(
      m, x, std::make_shared<identity::Principal>(principal),
      [stream](const Json& j) { return stream->write(sseEvent(j)); }, [stream] { stream->close(); },
      &channel);
  if (!started) return std::nullopt;
  std::weak_ptr<CallChannel> weak = channel;
  stream->onCancel([weak] {
    if (auto c = weak.lock()) c->cancel(/*by_client=*/false);  // the client went away
  });
  return sseStreamResponse(std::move(stream));
}

}  // namespace

std::string sseEvent(const Json& message) {
  return "event: message\ndata: " + dumpJson(message) + "\n\n";
}

// The transport proper. Sets *recorded once the request has been (or will be) recorded by the
// dispatcher; *seen to the parsed message, when there is one.
http::HttpResponse serveHttp(McpServer::Impl& s, const http::HttpRequest& request, Message* seen,
                             bool* recorded) {
  if (!request.principal)
    return rpcFailure(StatusCode::kUnauthenticated, nullptr, kInvalidRequest, "not authenticated");
  // DNS rebinding: a browser page must not reach a loopback server through a name it controls.
  const std::string origin = request.header("origin");
  if (!origin.empty() && !originAllowed(origin, s.options.allowed_origins)) {
    return rpcFailure(StatusCode::kPermissionDenied, nullptr, kInvalidRequest,
                      "origin '" + origin + "' is not allowed");
  }
  if (s.options.require_loopback_host && !isLoopbackHostHeader(request.header("host"))) {
    return rpcFailure(StatusCode::kPermissionDenied, nullptr, kInvalidRequest,
                      "host '" + request.header("host") + "' is not a loopback name");
  }
  const identity::Principal& principal = *request.principal;
  const std::string session_id = request.header("mcp-session-id");
  if (request.method == "DELETE") {
    if (session_id.empty())
      return rpcFailure(StatusCode::kInvalidArgument, nullptr, kInvalidRequest,
                        "Mcp-Session-Id required");
    Status st = s.sessions.remove(session_id, principal.id);
    if (!st.ok()) return rpcFailure(StatusCode::kNotFound, nullptr, kInvalidRequest, st.message());
    // The session's GET stream ends, and its running calls stop waiting on the client.
    s.subscriptions->dropKey(session_id);
    s.client_requests.cancelKey(session_id);
    return http::HttpResponse::json(Json::object());
  }
  if (request.method == "GET") return openGetStream(s, request, principal, session_id);
  if (request.method != "POST") {
    return rpcFailure(StatusCode::kNotFound, nullptr, kInvalidRequest, "method not allowed on /mcp",
                      http::ErrorOrigin::kMethodNotAllowed);
  }
  if (request.body.size() > s.options.limits.max_message_bytes) {
    return rpcFailure(
        StatusCode::kResourceExhausted, nullptr, kInvalidRequest,
        "message exceeds " + std::to_string(s.options.limits.max_message_bytes) + " bytes",
        http::ErrorOrigin::kBodyTooLarge);
  }
  const std::string accept = lower(request.header("accept"));
  const bool sse_ok = accept.find("text/event-stream") != std::string::npos;
  if (!accept.empty() && !sse_ok && accept.find("application/json") == std::string::npos &&
      accept.find("*/*") == std::string::npos) {
    return rpcFailure(StatusCode::kInvalidArgument, nullptr, kInvalidRequest,
                      "Accept must include application/json or text/event-stream",
                      http::ErrorOrigin::kNotAcceptable);
  }
  auto parsed = parseJson(request.body);
  if (!parsed.ok())
    return rpcFailure(StatusCode::kInvalidArgument, nullptr, kParseError,
                      parsed.status().message());
  if (parsed->is_array()) {
    return rpcFailure(StatusCode::kInvalidArgument, nullptr, kInvalidRequest,
                      "JSON-RPC batches are not supported");
  }
  Message m;
  if (auto err = parseMessage(*parsed, &m)) {
    Json id = parsed->is_object() && parsed->contains("id") ? (*parsed)["id"] : Json();
    return rpcFailure(StatusCode::kInvalidArgument, id, err->code, err->message);
  }

  *seen = m;
  Exchange x;
  x.principal = &principal;
  x.trace = request.trace;
  x.transport = "http";
  x.header_method = request.header("mcp-method");
  x.header_name = request.header("mcp-name");
  const std::string header_version = request.header("mcp-protocol-version");
  if (!session_id.empty()) {
    auto session = s.sessions.get(session_id, principal.id);
    if (!session.ok())
      return rpcFailure(StatusCode::kNotFound, m.id, kInvalidRequest, session.status().message());
    if (!header_version.empty() && header_version != session->protocol_version) {
      return rpcFailure(StatusCode::kInvalidArgument, m.id, kInvalidRequest,
                        "MCP-Protocol-Version '" + header_version +
                            "' does not match the session's " + session->protocol_version);
    }
    x.session = *session;
    x.channel_key = session->id;
    x.version = session->protocol_version;
    x.client_info = session->client_info;
    x.client_capabilities = session->client_capabilities;
    x.log_level = session->log_level;
  } else if (m.method == "initialize" && header_version != kStatelessVersion) {
    x.version = std::string(kLatestSessionVersion);
  } else if (isSessionVersion(header_version)) {
    return rpcFailure(StatusCode::kInvalidArgument, m.id, kInvalidRequest,
                      "Mcp-Session-Id header required (initialize first)");
  } else if (m.is_request) {
    x.stateless = true;
    if (x.header_method != m.method) {
      return rpcFailure(StatusCode::kInvalidArgument, m.id, kHeaderMismatch,
                        "Mcp-Method header '" + x.header_method + "' must be present and match '" +
                            m.method + "'");
    }
    // Mcp-Name mirrors params.name (tools/call, prompts/get), params.uri (resources/read) or
    // params.taskId (tasks/get, tasks/update, tasks/cancel: SEP-2663).
    const char* name_field =
        m.method == "resources/read"                              ? "uri"
        : (m.method == "tools/call" || m.method == "prompts/get") ? "name"
        : (m.method == "tasks/get" || m.method == "tasks/update" || m.method == "tasks/cancel")
            ? "taskId"
            : nullptr;
    if (name_field != nullptr && m.params.contains(name_field) &&
        m.params[name_field].is_string() && m.params[name_field] != x.header_name) {
      return rpcFailure(
          StatusCode::kInvalidArgument, m.id, kHeaderMismatch,
          std::string("Mcp-Name header must be present and match params.") + name_field);
    }
    if (m.method == "tools/call") {
      if (auto err = s.checkToolParamHeaders(m, x, request.headers)) {
        return rpcFailure(StatusCode::kInvalidArgument, m.id, kHeaderMismatch, *err);
      }
    }
    const Json& meta = m.params.contains("_meta") ? m.params["_meta"] : Json();
    if (!header_version.empty() && meta.is_object() && meta.contains(kMetaProtocolVersion) &&
        meta[kMetaProtocolVersion] != header_version) {
      return rpcFailure(StatusCode::kInvalidArgument, m.id, kHeaderMismatch,
                        "MCP-Protocol-Version header does not match _meta protocolVersion");
    }
    if (auto err = s.checkStatelessMeta(m, x)) {
      *recorded = true;
      s.record(m, x, "error", err->code);
      http::HttpResponse r = http::HttpResponse::json(rpcErrorJson(m.id, *err));
      r.status = err->httpStatus(/*stateless=*/true);
      return r;
    }
    if (m.method == "subscriptions/listen" && sse_ok) {
      *recorded = true;
      auto l = s.listener(m, x);
      auto r = l.ok() ? openStream(s, std::move(l).value(), request)
                      : Result<http::HttpResponse>(l.status());
      s.record(m, x, r.ok() ? "ok: stream open" : "error", r.ok() ? 0 : kInvalidParams);
      if (!r.ok()) return streamRefused(r.status(), m.id);
      return std::move(r).value();
    }
  } else {
    x.stateless = true;  // a notification or response without a session: nothing to answer
  }

  *recorded = true;
  if (sse_ok && wantsStream(m, x)) {
    if (auto r = streamedResponse(s, m, x, principal)) return std::move(*r);
  }
  Outcome out = s.dispatch(m, x);
  if (!out.response) return http::HttpResponse::accepted();
  http::HttpResponse r;
  r.status = out.http_status;
  if (sse_ok && !x.notifications.empty()) {
    r.content_type = "text/event-stream";
    r.body = sseBody(x.notifications, *out.response);
    r.headers.emplace_back("Cache-Control", "no-cache");
  } else {
    r.body = dumpJson(*out.response);
  }
  if (out.created) r.headers.emplace_back("Mcp-Session-Id", out.created->id);
  return r;
}

http::HttpResponse McpServer::handleHttp(const http::HttpRequest& request) {
  Message seen;
  bool recorded = false;
  http::HttpResponse r = serveHttp(*impl_, request, &seen, &recorded);
  if (!recorded) {
    // Answered without the dispatcher (refusals: Origin, Host, session, headers, framing; GET;
    // DELETE ending a session): recorded too.
    Exchange x;
    x.principal = request.principal ? &*request.principal : nullptr;
    x.trace = request.trace;
    x.transport = "http";
    x.version = request.header("mcp-protocol-version");
    if (seen.method.empty() && !seen.is_response) seen.method = "HTTP " + request.method;
    impl_->record(seen, x, r.status >= 400 ? "refused: HTTP " + std::to_string(r.status) : "ok", 0);
  }
  return r;
}

std::vector<http::Route> mcpRoutes(McpServer& server,
                                   std::optional<identity::Principal> anonymous) {
  std::vector<http::Route> routes;
  for (const char* method : {"POST", "GET", "DELETE"}) {
    http::Route r;
    r.method = method;
    r.pattern = "/mcp";
    r.auth = anonymous ? http::AuthPolicy::kNone : http::AuthPolicy::kPrincipal;
    r.handler = [&server, anonymous](const http::HttpRequest& req) -> Result<http::HttpResponse> {
      if (!anonymous) return server.handleHttp(req);
      http::HttpRequest copy = req;
      copy.principal = *anonymous;
      return server.handleHttp(copy);
    };
    routes.push_back(std::move(r));
  }
  return routes;
}

}  // namespace ward::mcp
