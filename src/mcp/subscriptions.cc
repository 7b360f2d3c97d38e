#include "subscriptions.h"

#include <algorithm>
#include <atomic>
#include <chrono>

#include "mcp_impl.h"
#include "session_table.h"
#include "ward/common/log.h"
#include "ward/common/mutex.h"
#include "ward/gateway/tool_gateway.h"
#include "ward/store/document_access.h"
#include "ward/store/store.h"

namespace ward::mcp {

namespace {

constexpr int kScanChanges = 4096;  // changes read per round; the rest come next round
constexpr char kMetaSubscriptionId[] = "io.modelcontextprotocol/subscriptionId";

}  // namespace

struct Subscriptions::Entry {
  Listener l;
  int64_t tools_gen = -1;
  int64_t change_seq = 0;
  // Only touched by the round (checkAll), or before the entry is shared.
  std::chrono::steady_clock::time_point last_sent = std::chrono::steady_clock::now();
  std::chrono::steady_clock::time_point last_auth = std::chrono::steady_clock::now();
  std::atomic<bool> ended{false};  // set by a failed send, cancel() or dropKey()

  // Sends one notification, tagged with the subscription id on a 2026 listen stream.
  bool send(Json n) {
    if (!l.subscription_id.is_null()) {
      n["params"]["_meta"][kMetaSubscriptionId] = l.subscription_id;
    }
    last_sent = std::chrono::steady_clock::now();
    if (!l.send(n)) ended = true;
    return !ended;
  }
};

Subscriptions::Subscriptions(const McpOptions& options, SessionTable& sessions, Json server_info)
    : options_(options), sessions_(sessions), server_info_(std::move(server_info)) {}

Subscriptions::~Subscriptions() { shutdown(); }

Status Subscriptions::add(Listener l) {
  auto e = std::make_shared<Entry>();
  if (options_.gateway != nullptr) {
    auto gen = options_.gateway->policyGeneration(l.principal.tenant);
    if (gen.ok()) e->tools_gen = *gen;
  }
  if (options_.store != nullptr) {
    auto seq = options_.store->lastChangeSeq();
    if (seq.ok()) e->change_seq = *seq;
  }
  e->l = std::move(l);
  {
    MutexLock lock(mu_);
    if (stop_) return Status::unavailable("the server is shutting down");
    // Streams whose client left count for nothing (a reconnecting GET is not a second one).
    std::erase_if(entries_, [](const auto& x) { return x->ended || (x->l.gone && x->l.gone()); });
    if (entries_.size() >= options_.limits.max_listen_streams) {
      return Status::resourceExhausted("too many open notification streams (limit " +
                                       std::to_string(options_.limits.max_listen_streams) + ")");
    }
    const auto mine = std::count_if(entries_.begin(), entries_.end(), [&](const auto& x) {
      return x->l.principal.id == e->l.principal.id &&
             x->l.principal.tenant == e->l.principal.tenant;
    });
    if (static_cast<size_t>(mine) >= options_.limits.max_listen_per_principal) {
      return Status::resourceExhausted(
          "this principal has too many open notification streams (limit " +
          std::to_string(options_.limits.max_listen_per_principal) + ")");
    }
    if (e->l.subscription_id.is_null()) {
      for (const auto& x : entries_) {
        if (x->l.subscription_id.is_null() && x->l.key == e->l.key && !x->ended) {
          return Status::alreadyExists("this session already has a GET stream open");
        }
      }
    }
    if (!e->l.subscription_id.is_null()) {
      // Acknowledge first, with what Ward agreed to: it has no prompt list changes to report.
      Json agreed = Json::object();
      if (e->l.tools) agreed["toolsListChanged"] = true;
      if (e->l.resources_list) agreed["resourcesListChanged"] = true;
      if (!e->l.resource_uris.empty()) {
        agreed["resourceSubscriptions"] =
            Json(std::vector<std::string>(e->l.resource_uris.begin(), e->l.resource_uris.end()));
      }
      e->send(notification("notifications/subscriptions/acknowledged",
                           Json{{"notifications", agreed}}));
    }
    entries_.push_back(e);
    if (!thread_.joinable()) thread_ = std::thread([this] { loop(); });
  }
  return Status();
}

bool Subscriptions::subscribable(const std::string& uri) {
  static const std::string kPrefix = documentUri("");
  return uri.size() <= kMaxUriBytes && uri.size() > kPrefix.size() &&
         uri.compare(0, kPrefix.size(), kPrefix) == 0;
}

Status Subscriptions::subscribe(const std::string& session_id, const std::string& uri, bool on) {
  MutexLock lock(mu_);
  auto it = session_uris_.find(session_id);
  if (!on) {
    if (it != session_uris_.end() && it->second.erase(uri) > 0) {
      --subscribed_uris_;
      if (it->second.empty()) session_uris_.erase(it);
    }
    return Status();
  }
  if (!subscribable(uri)) return Status();
  if (it != session_uris_.end() && it->second.count(uri)) return Status();
  if (it != session_uris_.end() && it->second.size() >= kMaxUrisPerSession) {
    return Status::resourceExhausted("this session already has " +
                                     std::to_string(kMaxUrisPerSession) + " subscriptions");
  }
  if (subscribed_uris_ >= kMaxSubscribedUris) {
    return Status::resourceExhausted("the server holds " + std::to_string(kMaxSubscribedUris) +
                                     " resource subscriptions, its limit");
  }
  session_uris_[session_id].insert(uri);
  ++subscribed_uris_;
  return Status();
}

bool Subscriptions::cancel(const std::string& key, const Json& subscription_id) {
  std::shared_ptr<Entry> found;
  {
    MutexLock lock(mu_);
    for (const auto& e : entries_) {
      if (e->l.key == key && !e->l.subscription_id.is_null() &&
          e->l.subscription_id == subscription_id) {
        found = e;
      }
    }
    std::erase(entries_, found);
  }
  if (!found) return false;
  // As in dropKey: a round in progress may still send to it; wait for it first.
  MutexLock round(round_mu_);
  found->ended = true;
  if (found->l.close) found->l.close();
  return true;
}

void Subscriptions::dropKey(const std::string& key) {
  std::vector<std::shared_ptr<Entry>> dropped;
  {
    MutexLock lock(mu_);
    for (const auto& e : entries_) {
      if (e->l.key == key) dropped.push_back(e);
    }
    std::erase_if(entries_, [&](const auto& e) { return e->l.key == key; });
    dropSessionUrisLocked(key);
  }
  // A round in progress may still hold the dropped listeners: wait for it, so that their sends
  // (which may reference the caller's stack, as stdio's do) are never called afterwards.
  MutexLock round(round_mu_);
  for (auto& e : dropped) {
    e->ended = true;
    if (e->l.close) e->l.close();
  }
}

void Subscriptions::dropSessionUrisLocked(const std::string& session_id) {
  auto it = session_uris_.find(session_id);
  if (it == session_uris_.end()) return;
  subscribed_uris_ -= it->second.size();
  session_uris_.erase(it);
}

void Subscriptions::poke(const std::string& tenant) {
  {
    MutexLock lock(mu_);
    poked_.insert(tenant);
  }
  cv_.notifyAll();
}

size_t Subscriptions::size() {
  MutexLock lock(mu_);
  return entries_.size();
}

void Subscriptions::shutdown() {
  std::vector<std::shared_ptr<Entry>> all;
  {
    MutexLock lock(mu_);
    if (stop_) return;
    stop_ = true;
    all.swap(entries_);
  }
  cv_.notifyAll();
  if (thread_.joinable()) thread_.join();
  for (auto& e : all) {
    if (e->ended) continue;
    if (!e->l.subscription_id.is_null()) {
      // The graceful end of a listen stream is its result (SubscriptionsListenResult).
      e->l.send(rpcResult(e->l.subscription_id, Json{{"resultType", "complete"},
                                                     {"_meta",
                                                      {{kMetaSubscriptionId, e->l.subscription_id},
                                                       {kMetaServerInfo, server_info_}}}}));
    }
    if (e->l.close) e->l.close();
  }
}

void Subscriptions::loop() {
  MutexLock lock(mu_);
  while (!stop_) {
    cv_.waitFor(lock, std::chrono::milliseconds(options_.limits.notify_poll_ms),
                [this]() WARD_REQUIRES(mu_) { return stop_ || !poked_.empty(); });
    if (stop_) break;
    lock.unlock();
    try {
      MutexLock round(round_mu_);
      checkAll();
    } catch (const std::exception& e) {
      logError(std::string("mcp notification streams: ") + e.what());
    }
    lock.lock();
  }
}

void Subscriptions::reauthenticate(const std::vector<std::shared_ptr<Entry>>& all) {
  const auto now = std::chrono::steady_clock::now();
  const auto every = std::chrono::seconds(options_.limits.reauthenticate_s);
  for (const auto& e : all) {
    if (!e->l.reauthenticate || now - e->last_auth < every) continue;
    e->last_auth = now;
    Result<identity::Principal> who = e->l.reauthenticate();
    if (who.ok() && who->id == e->l.principal.id && who->tenant == e->l.principal.tenant) {
      MutexLock lock(mu_);  // add() reads principals under mu_
      e->l.principal = std::move(who).value();
      continue;
    }
    logInfo("mcp: closing a notification stream of principal " + std::to_string(e->l.principal.id) +
            ": its credentials no longer hold (" +
            (who.ok() ? std::string("another principal") : who.status().message()) + ")");
    e->ended = true;
    if (e->l.close) e->l.close();
  }
}

void Subscriptions::checkAll() {
  std::vector<std::shared_ptr<Entry>> all;
  std::set<std::string> poked;
  std::map<std::string, std::set<std::string>> session_uris;  // of the GET listeners
  {
    MutexLock lock(mu_);
    std::erase_if(entries_, [](const auto& e) { return e->ended || (e->l.gone && e->l.gone()); });
    all = entries_;
    poked.swap(poked_);
    // Subscriptions of sessions that ended (idle expiry, a client that never deleted its
    // session) are forgotten.
    for (auto it = session_uris_.begin(); it != session_uris_.end();) {
      const std::string id = (it++)->first;
      if (!sessions_.exists(id)) dropSessionUrisLocked(id);
    }
    for (const auto& e : all) {
      auto it = session_uris_.find(e->l.key);
      if (e->l.subscription_id.is_null() && it != session_uris_.end()) {
        session_uris[e->l.key] = it->second;
      }
    }
  }
  if (all.empty()) return;
  reauthenticate(all);
  std::erase_if(all, [](const auto& e) { return e->ended.load(); });
  // Documents changed since the oldest listener last looked: read once, shared by all, and only
  // when a listener wants document notices.
  const bool want_docs = std::any_of(all.begin(), all.end(), [&](const auto& e) {
    return e->l.resources_list || !e->l.resource_uris.empty() ||
           (e->l.subscription_id.is_null() && session_uris.count(e->l.key));
  });
  std::vector<store::Change> changes;
  int64_t upto = 0;
  if (options_.store != nullptr) {
    auto last = options_.store->lastChangeSeq();
    upto = last.ok() ? *last : 0;
    int64_t from = upto;
    for (const auto& e : all) from = std::min(from, e->change_seq);
    if (from < upto && want_docs) {
      auto got = options_.store->changesSince(from, kScanChanges);
      if (got.ok()) changes = std::move(got).value();
      if (changes.size() == static_cast<size_t>(kScanChanges)) upto = changes.back().seq;
    }
  }
  std::map<int64_t, std::optional<store::DocumentRecord>> docs;
  auto docOf = [&](int64_t id) -> const std::optional<store::DocumentRecord>& {
    auto it = docs.find(id);
    if (it != docs.end()) return it->second;
    auto d = options_.store->getDocumentById(id);
    return docs[id] = d.ok() ? std::optional<store::DocumentRecord>(*d) : std::nullopt;
  };
  std::map<std::string, int64_t> gens;
  const auto keepalive = std::chrono::seconds(options_.limits.keepalive_s);
  for (const auto& e : all) {
    // A session whose GET stream is open is in use, however long since its last request.
    if (e->l.subscription_id.is_null()) sessions_.touch(e->l.key);
    const std::string& tenant = e->l.principal.tenant;
    if (!gens.count(tenant) && options_.gateway != nullptr) {
      auto g = options_.gateway->policyGeneration(tenant);
      gens[tenant] = g.ok() ? *g : e->tools_gen;
    }
    const int64_t gen = gens.count(tenant) ? gens[tenant] : e->tools_gen;
    if (gen != e->tools_gen || poked.count(tenant)) {
      e->tools_gen = gen;
      if (e->l.tools) {
        e->send(notification("notifications/tools/list_changed", Json::object()));
        if (e->l.subscription_id.is_null()) {
          // The session's next response need not repeat it.
          sessions_.update(e->l.key, [&](Session& s) {
            if (s.principal_id == e->l.principal.id) s.tools_generation = gen;
          });
        }
      }
    }
    const std::set<std::string>& uris =
        e->l.subscription_id.is_null() ? session_uris[e->l.key] : e->l.resource_uris;
    bool list_changed = false;
    std::set<std::string> updated;
    for (const store::Change& c : changes) {
      if (c.seq <= e->change_seq || c.seq > upto) continue;
      const auto& doc = docOf(c.doc_id);
      // Only documents the listener may read: another's document never shows, not even as a
      // change notice.
      if (!doc || doc->tenant != tenant ||
          !store::mayReadDocumentIgnoringDeletion(e->l.principal, *doc)) {
        continue;
      }
      list_changed = true;
      std::string uri = documentUri(doc->ext_id);
      if (uris.count(uri)) updated.insert(std::move(uri));
    }
    e->change_seq = std::max(e->change_seq, upto);
    if (list_changed && e->l.resources_list) {
      e->send(notification("notifications/resources/list_changed", Json::object()));
    }
    for (const std::string& uri : updated) {
      e->send(notification("notifications/resources/updated", Json{{"uri", uri}}));
    }
    if (e->l.keepalive && std::chrono::steady_clock::now() - e->last_sent >= keepalive) {
      e->l.keepalive();
      e->last_sent = std::chrono::steady_clock::now();
    }
  }
}

}  // namespace ward::mcp
