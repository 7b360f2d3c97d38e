// Alert delivery: log, metric, audit event, webhook (alert_notifier.h).
#include "ward/common/mutex.h"
#include "ward/ingest/alert_notifier.h"

#include <toml++/toml.h>

#include <chrono>

#include "ward/common/clock.h"
#include "ward/common/log.h"
#include "ward/common/metrics.h"
#include "ward/ingest/sync_runner.h"
#include "ward/net/address_policy.h"
#include "ward/net/http_client.h"
#include "ward/common/toml_file.h"
#include "sync_event.h"

namespace ward::ingest {

namespace {

constexpr const char* kTable = "sync_alerts";

Status keyError(const std::string& key, const std::string& what) {
  return Status::invalidArgument("ward.toml: " + std::string(kTable) + "." + key + ": " + what);
}

Result<AlertWebhookConfig> parseTable(const toml::table& root) {
  AlertWebhookConfig c;
  const toml::node* node = root.get(kTable);
  if (node == nullptr) return c;
  const toml::table* t = node->as_table();
  if (t == nullptr) return Status::invalidArgument("ward.toml: 'sync_alerts' must be a table");
  for (const auto& [k, v] : *t) {
    const std::string key(k.str());
    if (key == "webhook_url") {
      auto s = v.value<std::string>();
      if (!v.is_string() || !s) return keyError(key, "must be a string");
      c.url = *s;
    } else if (key == "webhook_allow_loopback") {
      auto b = v.value<bool>();
      if (!v.is_boolean() || !b) return keyError(key, "must be a boolean");
      c.allow_loopback = *b;
    } else if (key == "webhook_timeout_ms") {
      auto n = v.value<int64_t>();
      if (!v.is_integer() || !n || *n < 100 || *n > 60'000) {
        return keyError(key, "must be an integer between 100 and 60000");
      }
      c.timeout_ms = *n;
    } else {
      return keyError(key, "unknown key");
    }
  }
  if (c.url.empty()) return c;
  // The URL may hold a secret: messages name the key, and at most the host.
  auto origin = net::parseOrigin(c.url);
  if (!origin.ok())
    return keyError("webhook_url", "must be an http:// or https:// URL with a host");
  const std::string cls = net::classifyAddressText(origin->host);
  if (cls != "invalid" && !net::reachable(cls, net::Reach::kOperatorEndpoint, c.allow_loopback)) {
    return keyError("webhook_url",
                    "the host " + origin->host + " is a " + cls + " address, which is refused" +
                        (cls == "loopback" ? " unless sync_alerts.webhook_allow_loopback = true"
                                           : " (cloud metadata, multicast and unspecified "
                                             "addresses are never reached)"));
  }
  return c;
}

void record(trace::TraceSink* traces, const std::string& kind, const std::string& tenant,
            Json attributes) {
  if (traces == nullptr) return;
  Status s = recordSyncEvent(*traces, kind, tenant, kSyncRequester, std::move(attributes));
  if (!s.ok()) logWarn("sync: cannot record " + kind + ": " + s.toString());
}

}  // namespace

Result<AlertWebhookConfig> parseAlertWebhookConfig(const std::string& toml_text) {
  try {
    return parseTable(toml::parse(toml_text));
  } catch (const toml::parse_error& e) {
    return Status::invalidArgument("ward.toml: " + std::string(e.description()));
  }
}

Result<AlertWebhookConfig> loadAlertWebhookConfig(const std::string& path) {
  WARD_ASSIGN_OR_RETURN(toml::table table, readTomlFile(path));
  return parseTable(table);
}

std::string webhookOrigin(const std::string& url) {
  auto o = net::parseOrigin(url);
  return o.ok() ? o->text() : "(invalid url)";
}

AlertNotifier::AlertNotifier(AlertWebhookConfig config, trace::TraceSink* traces)
    : config_(std::move(config)), traces_(traces) {
  metrics().describeCounter("ward_sync_alerts_total",
                            "Sync alerts raised and recovered, per alert (error, content_lag, "
                            "deletion_lag, acl_lag) and state (raised, recovered).");
  metrics().describeCounter("ward_sync_alert_webhooks_total",
                            "Sync alert webhook deliveries, per outcome (delivered, failed, "
                            "dropped).");
  if (!config_.url.empty()) thread_ = std::thread([this] { loop(); });
}

AlertNotifier::~AlertNotifier() {
  {
    MutexLock lock(mu_);
    stop_ = true;
  }
  wake_.notifyAll();
  if (thread_.joinable()) thread_.join();
}

void AlertNotifier::notify(const SyncAlert& alert) {
  const std::string line = "sync alert: " + std::string(alertKindName(alert.kind)) + " " +
                           std::string(alertStateName(alert.state)) + ": " + alert.message;
  if (alert.state == AlertState::kRaised) {
    logWarn(line);
  } else {
    logInfo(line);
  }
  metrics().incrementCounter("ward_sync_alerts_total",
                             {{"alert", std::string(alertKindName(alert.kind))},
                              {"state", std::string(alertStateName(alert.state))}});
  record(traces_, "sync_alert", alert.tenant, alert.toJson());
  if (config_.url.empty()) return;
  bool dropped = false;
  {
    MutexLock lock(mu_);
    if (queue_.size() >= kMaxQueuedAlerts) {
      dropped = true;
    } else {
      queue_.push_back(alert);
    }
  }
  if (!dropped) {
    wake_.notifyOne();
    return;
  }
  metrics().incrementCounter("ward_sync_alert_webhooks_total", {{"outcome", "dropped"}});
  logWarn("sync alert: webhook " + webhookOrigin(config_.url) + ": " +
          std::to_string(kMaxQueuedAlerts) + " alerts already queued; this one is not sent");
  record(traces_, "sync_alert_webhook", alert.tenant,
         Json{{"source", alert.source},
              {"alert", alertKindName(alert.kind)},
              {"state", alertStateName(alert.state)},
              {"endpoint", webhookOrigin(config_.url)},
              {"outcome", "dropped"},
              {"attempts", 0},
              {"error", "the webhook queue is full"}});
}

void AlertNotifier::loop() {
  for (;;) {
    SyncAlert alert;
    {
      MutexLock lock(mu_);
      wake_.wait(lock, [this]() WARD_REQUIRES(mu_) { return stop_ || !queue_.empty(); });
      if (stop_) {
        if (!queue_.empty()) {
          logWarn("sync alert: " + std::to_string(queue_.size()) +
                  " webhook alerts not sent: Ward is stopping");
        }
        return;
      }
      alert = std::move(queue_.front());
      queue_.pop_front();
    }
    deliver(alert);
  }
}

void AlertNotifier::deliver(const SyncAlert& alert) {
  net::OutboundRequest req;
  req.method = "POST";
  req.url = config_.url;
  req.headers = {{"Content-Type", "application/json"}, {"User-Agent", "ward-sync-alert"}};
  req.body = dumpJson(alert.toJson());
  req.timeout_ms = config_.timeout_ms;
  req.max_response_bytes = kMaxWebhookResponseBytes;
  req.reach = net::Reach::kOperatorEndpoint;
  req.allow_loopback = config_.allow_loopback;
  req.refusal_hint =
      "which is refused (loopback needs sync_alerts.webhook_allow_loopback = true; link-local, "
      "multicast and unspecified addresses never)";
  const std::string origin = webhookOrigin(config_.url);
  std::string error;
  int status = 0;
  int attempts = 0;
  bool delivered = false;
  for (attempts = 1; attempts <= 2; ++attempts) {
    auto reply = net::send(req);
    bool retry = false;
    if (!reply.ok()) {
      error = reply.status().message();
      retry = reply.status().code() == StatusCode::kUnavailable;
    } else {
      status = reply->status;
      if (status >= 200 && status < 300) {
        delivered = true;
        break;
      }
      error = "HTTP " + std::to_string(status);
      retry = status == 429 || status >= 500;
    }
    if (!retry || attempts == 2) break;
    {
      MutexLock lock(mu_);
      if (wake_.waitFor(lock, std::chrono::milliseconds(kAlertWebhookRetryDelayMs),
                        [this]() WARD_REQUIRES(mu_) { return stop_; })) {
        break;
      }
    }
  }
  if (attempts > 2) attempts = 2;
  const char* outcome = delivered ? "delivered" : "failed";
  metrics().incrementCounter("ward_sync_alert_webhooks_total", {{"outcome", outcome}});
  if (!delivered) {
    logWarn("sync alert: webhook " + origin + " failed after " + std::to_string(attempts) +
            (attempts == 1 ? " try: " : " tries: ") + error);
  }
  Json attrs{{"source", alert.source},
             {"alert", alertKindName(alert.kind)},
             {"state", alertStateName(alert.state)},
             {"endpoint", origin},
             {"outcome", outcome},
             {"attempts", attempts}};
  if (status) attrs["status"] = status;
  if (!delivered) attrs["error"] = error;
  record(traces_, "sync_alert_webhook", alert.tenant, std::move(attrs));
}

}  // namespace ward::ingest
