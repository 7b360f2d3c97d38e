// Delivering sync alerts (docs/design/ingest.md, "Alerts"): each alert is a log line, a count in
// ward_sync_alerts_total{alert,state}, an audit event (`sync_alert`) and, when [sync_alerts]
// webhook_url is set, a POST of its JSON (docs/formats/alert-webhook.md) through the SSRF-safe
// client (net/http_client.h: no redirects, a timeout, the address checked and pinned), tried
// twice at most. Webhooks are sent by a thread of their own, so a slow or failing endpoint never
// delays a sync run; each delivery's outcome is an audit event (`sync_alert_webhook`) and a count
// in ward_sync_alert_webhooks_total{outcome}. Logs and events name the webhook by its origin
// only (scheme, host, port): its path, query and user info may hold a secret.
//
// Thread-safe: notify() may be called from any thread.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <mutex>
#include <string>
#include <thread>

#include "ward/common/mutex.h"
#include "ward/common/status.h"
#include "ward/ingest/sync_alerts.h"
#include "ward/trace/trace.h"

namespace ward::ingest {

// One webhook POST may take this long, connect included (`webhook_timeout_ms`).
inline constexpr int64_t kAlertWebhookTimeoutMs = 5000;
// A failed POST (no connection, a timeout, HTTP 429 or 5xx) is tried once more after this long.
inline constexpr int64_t kAlertWebhookRetryDelayMs = 1000;
// Alerts waiting for their webhook; past this, a new one is dropped (and that is recorded).
inline constexpr size_t kMaxQueuedAlerts = 256;
// The endpoint's answer is read up to this size (it is not used).
inline constexpr size_t kMaxWebhookResponseBytes = 64 * 1024;

// [sync_alerts] of ward.toml.
struct AlertWebhookConfig {
  std::string url;              // "" = no webhook
  bool allow_loopback = false;  // `webhook_allow_loopback`: 127.0.0.0/8 and ::1 too
  int64_t timeout_ms = kAlertWebhookTimeoutMs;
};

// Parses [sync_alerts] strictly; a URL that is not http(s), or whose literal address is never
// reachable (link-local such as 169.254.169.254, multicast, unspecified; loopback without
// webhook_allow_loopback), is refused with a message naming the key, not the URL.
Result<AlertWebhookConfig> parseAlertWebhookConfig(const std::string& toml_text);
// The same for the ward.toml at `path` (defaults when the file or the table is absent).
Result<AlertWebhookConfig> loadAlertWebhookConfig(const std::string& path);
// "scheme://host:port" of a webhook URL ("(invalid url)" when it does not parse).
std::string webhookOrigin(const std::string& url);

class AlertNotifier {
 public:
  AlertNotifier(AlertWebhookConfig config, trace::TraceSink* traces);
  // Finishes the delivery in progress; alerts still queued are logged as not sent.
  ~AlertNotifier();
  AlertNotifier(const AlertNotifier&) = delete;
  AlertNotifier& operator=(const AlertNotifier&) = delete;

  // Logs, counts and records `alert` now; queues its webhook.
  void notify(const SyncAlert& alert);

 private:
  void deliver(const SyncAlert& alert);
  void loop();

  const AlertWebhookConfig config_;
  trace::TraceSink* const traces_;
  Mutex mu_;
  CondVar wake_;
  std::deque<SyncAlert> queue_ WARD_GUARDED_BY(mu_);
  bool stop_ WARD_GUARDED_BY(mu_) = false;
  std::thread thread_;  // only with a webhook
};

}  // namespace ward::ingest
