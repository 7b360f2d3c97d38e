// Talking to the client while a request runs (docs/design/mcp.md, "Streams"): notifications sent
// at once on the request's response stream, and requests to the client (elicitation/create,
// sampling/createMessage, roots/list) whose answers come back separately — another POST in the
// same 2025 session, or a line on stdio — and are matched by JSON-RPC id. Private.
#pragma once

#include <condition_variable>
#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "ward/common/json.h"
#include "ward/common/mutex.h"
#include "ward/common/status.h"

namespace ward::mcp {

class ClientRequests;

// The channel of one running request. Thread-safe.
class CallChannel {
 public:
  // `send` writes one message to the client (false once the stream is gone); `key` names the
  // stream the client answers on (the session id, or the stdio connection).
  CallChannel(std::function<bool(const Json&)> send, ClientRequests& pending, std::string key,
              std::chrono::seconds ask_timeout);

  // Sends a notification now.
  bool notify(const Json& message);
  // Sends a request to the client and waits for its answer: the result; the client's JSON-RPC
  // error as FailedPrecondition; Unavailable after ask_timeout, or when the request was
  // cancelled or the stream went away.
  Result<Json> ask(const std::string& method, Json params);
  // Ends every wait; `by_client` = notifications/cancelled (the response is then not sent).
  // After it returns nothing more is sent on the channel; later asks fail at once.
  void cancel(bool by_client);
  bool cancelled() const;
  bool cancelledByClient() const;
  const std::string& key() const { return key_; }

 private:
  std::function<bool(const Json&)> send_;
  ClientRequests& pending_;
  const std::string key_;
  const std::chrono::seconds ask_timeout_;
  std::recursive_mutex send_mu_;  // held while send_ runs
  mutable Mutex mu_;
  CondVar cv_;
  bool cancelled_ WARD_GUARDED_BY(mu_) = false;
  bool by_client_ WARD_GUARDED_BY(mu_) = false;
};

// Requests Ward sent to clients and is waiting on, and the requests that may be cancelled.
// Thread-safe; one per McpServer.
class ClientRequests {
 public:
  struct Answer {
    std::optional<Json> message;  // the client's response (result or error)
  };

  // A fresh id for a server-to-client request on `key`, registered to receive its answer.
  Json open(const std::string& key, std::shared_ptr<Answer> slot, CondVar* cv, Mutex* mu);
  void close(const std::string& key, const Json& id);
  // Delivers the client's response; false when nothing waits for it (unknown, late or
  // another stream's id).
  bool deliver(const std::string& key, const Json& response);

  // The running requests that notifications/cancelled may name. A client reusing the id of a
  // request still running gets both tracked (untrack removes only `c`'s entry).
  void track(const std::string& key, const Json& request_id, std::weak_ptr<CallChannel> c);
  void untrack(const std::string& key, const Json& request_id, const CallChannel* c);
  // notifications/cancelled (every running request with that id): false when none is running.
  bool cancel(const std::string& key, const Json& request_id);
  // Cancels everything (server shutting down), or everything running on one stream.
  void cancelAll();
  void cancelKey(const std::string& key);

 private:
  struct Waiter {
    std::shared_ptr<Answer> slot;
    CondVar* cv;
    Mutex* mu;
  };
  Mutex mu_;
  int64_t next_id_ WARD_GUARDED_BY(mu_) = 1;
  std::map<std::string, Waiter> waiters_;                           // key "\n" id -> waiter
  std::multimap<std::string, std::weak_ptr<CallChannel>> running_;  // key "\n" id -> channel
};

}  // namespace ward::mcp
