// stdio: one JSON-RPC message per line (no embedded newlines), answers in order. The first
// initialize makes the session; a request carrying 2026-07-28 _meta is served statelessly.
#include <istream>
#include <ostream>

#include "mcp_impl.h"

namespace ward::mcp {

Status McpServer::serveStdio(const identity::Principal& principal, std::istream& in,
                             std::ostream& out) {
  Impl& s = *impl_;
  std::optional<Session> session;
  std::string line;
  auto write = [&out](const Json& j) {
    out << dumpJson(j) << '\n';
    out.flush();
    return out.good();
  };
  while (std::getline(in, line)) {
    if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
    if (line.size() > s.options.limits.max_message_bytes) {
      if (!write(rpcErrorJson(
              nullptr, RpcError{kInvalidRequest,
                                "message exceeds " +
                                    std::to_string(s.options.limits.max_message_bytes) + " bytes",
                                nullptr, 0})))
        break;
      continue;
    }
    auto parsed = parseJson(line);
    Message m;
    std::optional<RpcError> err;
    if (!parsed.ok()) {
      err = RpcError{kParseError, parsed.status().message(), nullptr, 0};
    } else if (parsed->is_array()) {
      err = RpcError{kInvalidRequest, "JSON-RPC batches are not supported", nullptr, 0};
    } else {
      err = parseMessage(*parsed, &m);
    }
    if (err) {
      if (!write(rpcErrorJson(m.id, *err))) break;
      continue;
    }
    Exchange x;
    x.principal = &principal;
    x.trace = audit::TraceContext::generate();
    x.transport = "stdio";
    const bool has_meta_version = m.params.contains("_meta") && m.params["_meta"].is_object() &&
                                  m.params["_meta"].contains(kMetaProtocolVersion);
    if (session) {
      x.session = session;
      x.version = session->protocol_version;
      x.client_info = session->client_info;
      x.client_capabilities = session->client_capabilities;
      x.log_level = session->log_level;
    } else if (m.is_request && m.method != "initialize" && has_meta_version) {
      x.stateless = true;
      if (auto e = s.checkStatelessMeta(m, x)) {
        if (!write(rpcErrorJson(m.id, *e))) break;
        continue;
      }
    } else if (m.is_request && m.method != "initialize" && m.method != "ping") {
      if (!write(rpcErrorJson(
              m.id, RpcError{kInvalidRequest, "send initialize first (or 2026-07-28 _meta)",
                             nullptr, 0})))
        break;
      continue;
    }
    Outcome o = s.dispatch(m, x);
    if (o.created) {
      session = *o.created;
    } else if (x.session) {
      session = x.session;
    }
    for (const Json& n : x.notifications) write(n);
    if (o.response && !write(*o.response)) break;
  }
  if (session) s.sessions.remove(session->id, principal.id);
  if (!out.good()) return Status::unavailable("stdout closed");
  return Status();
}

}  // namespace ward::mcp
