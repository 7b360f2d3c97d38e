#include "client_channel.h"

#include "protocol.h"
#include "ward/common/mutex.h"

namespace ward::mcp {

namespace {

std::string slotKey(const std::string& key, const Json& id) { return key + "\n" + dumpJson(id); }

}  // namespace

CallChannel::CallChannel(std::function<bool(const Json&)> send, ClientRequests& pending,
                         std::string key, std::chrono::seconds ask_timeout)
    : send_(std::move(send)), pending_(pending), key_(std::move(key)), ask_timeout_(ask_timeout) {}

bool CallChannel::notify(const Json& message) {
  std::lock_guard<std::recursive_mutex> sending(send_mu_);
  if (cancelled()) return false;
  return send_(message);
}

Result<Json> CallChannel::ask(const std::string& method, Json params) {
  auto slot = std::make_shared<ClientRequests::Answer>();
  const Json id = pending_.open(key_, slot, &cv_, &mu_);
  Json request = {{"jsonrpc", "2.0"}, {"id", id}, {"method", method}};
  if (!params.is_null()) request["params"] = std::move(params);
  Result<Json> out = Status::unavailable("the request was cancelled before the client answered");
  if (notify(request)) {
    MutexLock lock(mu_);
    bool answered = cv_.waitFor(lock, ask_timeout_, [&]() WARD_REQUIRES(mu_) {
      return slot->message.has_value() || cancelled_;
    });
    if (slot->message) {
      const Json& msg = *slot->message;
      if (msg.contains("error")) {
        const Json& e = msg["error"];
        const bool has_text = e.is_object() && e.contains("message") && e["message"].is_string();
        out =
            Status::failedPrecondition("the client refused " + method + ": " +
                                       (has_text ? e["message"].get<std::string>() : dumpJson(e)));
      } else {
        out = msg.contains("result") ? msg["result"] : Json::object();
      }
    } else if (!answered) {
      out = Status::unavailable("the client did not answer " + method + " within " +
                                std::to_string(ask_timeout_.count()) + " s");
    }
  }
  pending_.close(key_, id);
  return out;
}

void CallChannel::cancel(bool by_client) {
  {
    MutexLock lock(mu_);
    if (cancelled_) return;
    cancelled_ = true;
    by_client_ = by_client;
  }
  cv_.notifyAll();
  // Waits for a send in progress: once cancel() returns, `send` is never called again (it may
  // reference a stream or a stdio connection that is about to end). Recursive: a send that
  // fails may cancel the channel from inside notify().
  std::lock_guard<std::recursive_mutex> sending(send_mu_);
}

bool CallChannel::cancelled() const {
  MutexLock lock(mu_);
  return cancelled_;
}

bool CallChannel::cancelledByClient() const {
  MutexLock lock(mu_);
  return by_client_;
}

Json ClientRequests::open(const std::string& key, std::shared_ptr<Answer> slot, CondVar* cv,
                          Mutex* mu) {
  MutexLock lock(mu_);
  // Ward's ids are strings, so they never collide with a client's numeric ones in logs.
  Json id = "ward-" + std::to_string(next_id_++);
  waiters_[slotKey(key, id)] = Waiter{std::move(slot), cv, mu};
  return id;
}

void ClientRequests::close(const std::string& key, const Json& id) {
  MutexLock lock(mu_);
  waiters_.erase(slotKey(key, id));
}

bool ClientRequests::deliver(const std::string& key, const Json& response) {
  if (!response.is_object() || !response.contains("id")) return false;
  MutexLock lock(mu_);
  auto it = waiters_.find(slotKey(key, response["id"]));
  if (it == waiters_.end()) return false;
  Waiter w = it->second;
  waiters_.erase(it);
  {
    MutexLock wait_lock(*w.mu);
    w.slot->message = response;
  }
  w.cv->notifyAll();
  return true;
}

void ClientRequests::track(const std::string& key, const Json& request_id,
                           std::weak_ptr<CallChannel> c) {
  MutexLock lock(mu_);
  running_.emplace(slotKey(key, request_id), std::move(c));
}

void ClientRequests::untrack(const std::string& key, const Json& request_id, const CallChannel* c) {
  MutexLock lock(mu_);
  auto [from, to] = running_.equal_range(slotKey(key, request_id));
  for (auto it = from; it != to; ++it) {
    auto held = it->second.lock();
    if (held.get() == c || it->second.expired()) {
      running_.erase(it);
      return;
    }
  }
}

bool ClientRequests::cancel(const std::string& key, const Json& request_id) {
  std::vector<std::shared_ptr<CallChannel>> found;
  {
    MutexLock lock(mu_);
    auto [from, to] = running_.equal_range(slotKey(key, request_id));
    for (auto it = from; it != to; ++it) {
      if (auto c = it->second.lock()) found.push_back(std::move(c));
    }
  }
  for (auto& c : found) c->cancel(/*by_client=*/true);
  return !found.empty();
}

void ClientRequests::cancelAll() { cancelKey(""); }

void ClientRequests::cancelKey(const std::string& key) {
  std::vector<std::shared_ptr<CallChannel>> all;
  {
    MutexLock lock(mu_);
    for (auto& [k, w] : running_) {
      if (!key.empty() && k.compare(0, key.size() + 1, key + "\n") != 0) continue;
      if (auto c = w.lock()) all.push_back(std::move(c));
    }
  }
  for (auto& c : all) c->cancel(/*by_client=*/false);
}

}  // namespace ward::mcp
