// Streams held open to push notifications outside any request (docs/design/mcp.md, "Streams"):
// the standalone GET stream of a 2025 session and 2026-07-28 `subscriptions/listen` streams. One
// thread checks every McpLimits::notify_poll_ms — at once when poked — for changes of the
// tenant's tools, grants and modes (the gateway's policy generation, which also sees changes
// made by other processes) and of documents (the store's change feed), and sends each stream
// only what it opted in to and may see: a document the listener may not read never shows.
// Idle HTTP streams get an SSE comment every keepalive_s so dead clients are noticed. Private.
#pragma once

#include <condition_variable>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "ward/common/json.h"
#include "ward/common/mutex.h"
#include "ward/common/status.h"
#include "ward/identity/principal.h"
#include "ward/mcp/mcp_server.h"

namespace ward::mcp {

class SessionTable;

struct Listener {
  identity::Principal principal;  // whose grants and ACLs filter what is sent
  std::string key;                // the session id (GET) or the stdio connection
  Json subscription_id;           // 2026 listen: the request id, tags every message; null = GET
  bool tools = false;             // notifications/tools/list_changed
  bool resources_list = false;    // notifications/resources/list_changed
  std::set<std::string> resource_uris;    // notifications/resources/updated (2026 listen)
  std::function<bool(const Json&)> send;  // false once the client is gone
  std::function<bool()> gone;             // the client went away
  std::function<void()> keepalive;        // null = none (stdio)
  std::function<void()> close;            // ends the stream after what was sent
  // Checks the stream's credentials again (HTTP: the opening request's key or token, through the
  // server's authenticator); null = never (stdio: checked when `ward mcp` starts). Run every
  // McpLimits::reauthenticate_s: a failure, or another principal, ends the stream; otherwise
  // the principal is refreshed (groups changed since).
  std::function<Result<identity::Principal>()> reauthenticate;
};

class Subscriptions {
 public:
  Subscriptions(const McpOptions& options, SessionTable& sessions, Json server_info);
  ~Subscriptions();  // shutdown()

  // Starts a stream. ResourceExhausted past max_listen_streams; AlreadyExists when a 2025
  // session already has its GET stream. A 2026 listener is acknowledged first.
  Status add(Listener l);
  // 2025 resources/subscribe and unsubscribe: updates go to the session's GET stream. Only
  // Ward's document URIs (subscribable()) are kept; others can never change and are ignored.
  // ResourceExhausted past kMaxUrisPerSession for the session or kMaxSubscribedUris in all.
  Status subscribe(const std::string& session_id, const std::string& uri, bool on);
  // Whether updates of `uri` can be sent: a ward://documents/ URI of at most kMaxUriBytes.
  static bool subscribable(const std::string& uri);
  static constexpr size_t kMaxUriBytes = 4096;  // a 1024-byte document id, percent-encoded
  static constexpr size_t kMaxUrisPerSession = 1024;
  static constexpr size_t kMaxSubscribedUris = 16384;  // over all 2025 sessions
  // Ends the 2026 listen stream `subscription_id` on `key` (stdio notifications/cancelled);
  // false when there is none.
  bool cancel(const std::string& key, const Json& subscription_id);
  // Ends every listener on `key` (a stdio connection closing, a session deleted); HTTP streams
  // are closed.
  void dropKey(const std::string& key);
  // Tools of `tenant` changed in this process: check now.
  void poke(const std::string& tenant);
  // Ends every stream: 2026 listeners get their final result first. Idempotent.
  void shutdown();
  size_t size();

 private:
  struct Entry;
  void loop();
  void checkAll();
  // Runs each due listener's reauthenticate: refreshes its principal, or ends it.
  void reauthenticate(const std::vector<std::shared_ptr<Entry>>& all);
  void dropSessionUrisLocked(const std::string& session_id) WARD_REQUIRES(mu_);

  const McpOptions& options_;
  SessionTable& sessions_;
  const Json server_info_;
  Mutex round_mu_;  // held while checkAll() runs
  Mutex mu_;
  CondVar cv_;
  std::vector<std::shared_ptr<Entry>> entries_ WARD_GUARDED_BY(mu_);
  std::map<std::string, std::set<std::string>> session_uris_ WARD_GUARDED_BY(mu_);
  size_t subscribed_uris_ WARD_GUARDED_BY(mu_) = 0;   // the sum of session_uris_ sizes
  std::set<std::string> poked_ WARD_GUARDED_BY(mu_);  // tenants
  bool stop_ WARD_GUARDED_BY(mu_) = false;
  std::thread thread_;  // started by the first add()
};

}  // namespace ward::mcp
