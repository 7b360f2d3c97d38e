// stdio: one JSON-RPC message per line (no embedded newlines). The first initialize makes the
// session; a request carrying 2026-07-28 _meta is served statelessly. Requests are answered in
// order, except a tools/call that may ask the client something (wantsStream): it runs on its own
// thread while this loop goes on reading, so the client's answers and cancellations reach it.
#include <condition_variable>
#include <istream>
#include <mutex>
#include <ostream>

#include "mcp_impl.h"
#include "ward/common/hash.h"
#include "ward/common/log.h"
#include "ward/common/mutex.h"

namespace ward::mcp {

Status McpServer::serveStdio(const identity::Principal& principal, std::istream& in,
                             std::ostream& out) {
  Impl& s = *impl_;
  std::optional<Session> session;
  std::string line;
  Mutex write_mu;  // calls running on their own threads write too
  auto write = [&out, &write_mu](const Json& j) {
    MutexLock lock(write_mu);
    out << dumpJson(j) << '\n';
    out.flush();
    return out.good();
  };
  const std::string key = "stdio:" + randomHex(8);
  auto owned = std::make_shared<identity::Principal>(principal);
  Mutex run_mu;
  CondVar run_cv;
  size_t running = 0;  // guarded by run_mu (a local: clang's analysis cannot check it)
  auto finished = [&run_mu, &run_cv, &running] {
    MutexLock lock(run_mu);
    --running;
    run_cv.notifyAll();
  };
  while (std::getline(in, line)) {
    if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
    if (line.size() > s.options.limits.max_message_bytes) {
      if (!write(rpcErrorJson(
              nullptr,
              RpcError{kInvalidRequest, "message exceeds " +
                                            std::to_string(s.options.limits.max_message_bytes) +
                                            " bytes"})))
        break;
      continue;
    }
    auto parsed = parseJson(line);
    Message m;
    std::optional<RpcError> err;
    if (!parsed.ok()) {
      err = RpcError{kParseError, parsed.status().message()};
    } else if (parsed->is_array()) {
      err = RpcError{kInvalidRequest, "JSON-RPC batches are not supported"};
    } else {
      err = parseMessage(*parsed, &m);
    }
    if (err) {
      if (!write(rpcErrorJson(m.id, *err))) break;
      continue;
    }
    Exchange x;
    x.principal = &principal;
    x.trace = trace::TraceContext::generate();
    x.transport = "stdio";
    const bool has_meta_version = m.params.contains("_meta") && m.params["_meta"].is_object() &&
                                  m.params["_meta"].contains(kMetaProtocolVersion);
    if (session && m.is_request && m.method == "initialize") {
      // One session per stdio connection: its notification stream and its end at EOF are tied
      // to it.
      if (!write(rpcErrorJson(m.id,
                              RpcError{kInvalidRequest, "this connection is already initialized"})))
        break;
      continue;
    }
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
              m.id, RpcError{kInvalidRequest, "send initialize first (or 2026-07-28 _meta)"})))
        break;
      continue;
    }
    x.channel_key = key;
    if (x.stateless && m.method == "subscriptions/listen") {
      // The listen stream shares stdout; its notifications carry the subscription id.
      auto l = s.listener(m, x);
      Status st = l.ok() ? Status() : l.status();
      if (l.ok()) {
        l->send = write;
        st = s.subscriptions->add(std::move(l).value());
      }
      s.record(m, x, st.ok() ? "ok: stream open" : "error", st.ok() ? 0 : kInvalidParams);
      if (!st.ok() && !write(rpcErrorJson(m.id, RpcError{kInvalidParams, st.message()}))) break;
      continue;
    }
    if (wantsStream(m, x)) {
      {
        MutexLock lock(run_mu);
        ++running;
      }
      std::shared_ptr<CallChannel> channel;
      if (s.runStreamed(m, x, owned, write, finished, &channel)) continue;
      finished();  // too many running: answered whole below
    }
    Outcome o = s.dispatch(m, x);
    if (o.created) {
      session = *o.created;
      // The session's notifications (list changes, subscribed documents) go out on stdout too.
      Listener l;
      l.principal = principal;
      l.key = session->id;
      l.tools = true;
      l.resources_list = true;
      l.send = write;
      Status st = s.subscriptions->add(std::move(l));
      if (!st.ok()) logWarn("mcp stdio: no notification stream: " + st.message());
    } else if (x.session) {
      session = x.session;
    }
    for (const Json& n : x.notifications) write(n);
    if (o.response && !write(*o.response)) break;
  }
  // EOF: nobody is left to answer; end the waits, then let the running calls finish.
  s.client_requests.cancelKey(key);
  s.subscriptions->dropKey(key);
  if (session) s.subscriptions->dropKey(session->id);
  {
    MutexLock lock(run_mu);
    run_cv.wait(lock, [&running] { return running == 0; });
  }
  if (session) {
    s.sessions.remove(session->id, principal.id).ignore("not found: it expired already, gone too");
  }
  if (!out.good()) return Status::unavailable("stdout closed");
  return Status();
}

}  // namespace ward::mcp
