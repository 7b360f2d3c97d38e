// Sync health and alerts: the backoff table, the error state's transitions over a history of
// runs, alert dedupe (one alert per episode, one on recovery), the [[sources]] SLO keys and the
// [sync_alerts] webhook's refusals.
#include <gtest/gtest.h>

#include <fstream>
#include <iterator>

#include "ward/ingest/alert_notifier.h"
#include "ward/ingest/sync_alerts.h"
#include "ward/ingest/sync_health.h"

namespace ward::testing {
namespace {

using ingest::AlertKind;
using ingest::AlertState;
using store::SyncRunState;

TEST(SyncHealth, RetryDelayTable) {
  struct Case {
    int failures;
    double min_s, retry_after_s, unit, want;
  } cases[] = {
      // failures, retry_min_s, retry-after, jitter draw, delay
      {1, 30, 0, 1.0, 30},        // the first retry: min_s
      {1, 30, 0, 0.0, 15},        // jitter takes off at most half
      {2, 30, 0, 1.0, 60},        // doubles per consecutive failure
      {3, 30, 0, 0.5, 90},        // 120 jittered by a quarter
      {5, 30, 0, 1.0, 480},       //
      {8, 30, 0, 1.0, 3600},      // capped at kSyncRetryMaxSeconds
      {200, 30, 0, 1.0, 3600},    // no overflow
      {1, 0.2, 0, 1.0, 0.2},      // a test's short retry_min_s
      {1, 30, 600, 0.0, 600},     // a source's retry-after wins when longer
      {4, 30, 10, 1.0, 240},      // and the backoff when it is longer
      {0, 30, 120, 0.5, 120},     // a rate limit on a run that did not fail
      {0, 30, 0, 0.5, 0},         // nothing to wait for
      {0, 30, 99999, 0.5, 3600},  // retry-after capped at kMaxRetryAfterSeconds
  };
  for (const auto& c : cases) {
    ingest::RetryPolicy p;
    p.min_s = c.min_s;
    EXPECT_DOUBLE_EQ(ingest::retryDelaySeconds(p, c.failures, c.retry_after_s, c.unit), c.want)
        << "failures " << c.failures << " min " << c.min_s << " after " << c.retry_after_s
        << " unit " << c.unit;
  }
}

// Runs as letters, oldest first: F failed, C completed, P partial, H held, R running.
std::vector<store::SyncRunRecord> history(const std::string& oldest_first) {
  std::vector<store::SyncRunRecord> out;
  for (auto it = oldest_first.rbegin(); it != oldest_first.rend(); ++it) {
    store::SyncRunRecord r;
    switch (*it) {
      case 'F':
        r.state = SyncRunState::kFailed;
        break;
      case 'C':
        r.state = SyncRunState::kCompleted;
        break;
      case 'P':
        r.state = SyncRunState::kPartial;
        break;
      case 'H':
        r.state = SyncRunState::kHeld;
        break;
      default:
        r.state = SyncRunState::kRunning;
        break;
    }
    out.push_back(r);
  }
  return out;
}

TEST(SyncHealth, ErrorStateTransitions) {
  struct Case {
    const char* runs;
    int failures;
    const char* state;
  } cases[] = {
      {"", 0, "ok"},       {"C", 0, "ok"},         {"F", 1, "ok"},
      {"FFFF", 4, "ok"},   {"FFFFF", 5, "error"},  {"CFFFFFF", 6, "error"},
      {"FFFFFC", 0, "ok"}, {"FFFFFP", 0, "ok"},    {"FFFFFH", 0, "ok"},
      {"FFFFCF", 1, "ok"}, {"FFFFFR", 5, "error"}, {"FFFFRF", 5, "error"},
  };
  for (const auto& c : cases) {
    const int n = ingest::consecutiveFailures(history(c.runs));
    EXPECT_EQ(n, c.failures) << c.runs;
    EXPECT_EQ(ingest::sourceHealthName(ingest::healthOf(n)), c.state) << c.runs;
  }
}

TEST(SyncAlerts, OneAlertPerErrorEpisodeAndOneOnRecovery) {
  ingest::AlertTracker t;
  ingest::SourceConfig s;
  s.name = "docs";
  auto failures = [&](int n) {
    ingest::SourceObservation o;
    o.consecutive_failures = n;
    o.last_message = "the pass stopped: cannot open /gone";
    return t.observe("default", s, o, 1'000'000);
  };
  EXPECT_TRUE(failures(4).empty());
  auto raised = failures(5);
  ASSERT_EQ(raised.size(), 1u);
  EXPECT_EQ(raised[0].kind, AlertKind::kError);
  EXPECT_EQ(raised[0].state, AlertState::kRaised);
  EXPECT_NE(raised[0].message.find("cannot open /gone"), std::string::npos);
  EXPECT_TRUE(failures(6).empty());  // the same episode
  EXPECT_TRUE(failures(9).empty());
  EXPECT_TRUE(t.raised("docs", AlertKind::kError));
  auto cleared = failures(0);
  ASSERT_EQ(cleared.size(), 1u);
  EXPECT_EQ(cleared[0].state, AlertState::kRecovered);
  EXPECT_TRUE(failures(0).empty());
  EXPECT_EQ(failures(5).size(), 1u);  // a new episode alerts again

  const Json j = cleared[0].toJson();
  EXPECT_EQ(j["type"], "ward.sync_alert");
  EXPECT_EQ(j["version"], ingest::kAlertFormatVersion);
  EXPECT_EQ(j["source"], "docs");
  EXPECT_EQ(j["alert"], "error");
  EXPECT_EQ(j["state"], "recovered");
  EXPECT_EQ(j["at"], "1970-01-01T00:00:01.000Z");
}

TEST(SyncAlerts, AHeldRunAlertsOnceAndRecoversWhenARunIsNotHeld) {
  ingest::AlertTracker t;
  ingest::SourceConfig s;
  s.name = "docs";
  auto last_run = [&](bool held) {
    ingest::SourceObservation o;
    o.held = held;
    o.last_message = "the run would delete 30 of 100 documents (more than 20%)";
    return t.observe("default", s, o, 2'000'000);
  };
  EXPECT_TRUE(last_run(false).empty());
  auto raised = last_run(true);
  ASSERT_EQ(raised.size(), 1u);
  EXPECT_EQ(raised[0].kind, AlertKind::kHeld);
  EXPECT_EQ(raised[0].state, AlertState::kRaised);
  EXPECT_NE(raised[0].message.find("held for an admin's approval"), std::string::npos);
  EXPECT_NE(raised[0].message.find("30 of 100"), std::string::npos);
  EXPECT_EQ(raised[0].toJson()["alert"], "held");
  EXPECT_TRUE(last_run(true).empty());  // the next held run is the same episode
  EXPECT_TRUE(t.raised("docs", AlertKind::kHeld));
  auto cleared = last_run(false);
  ASSERT_EQ(cleared.size(), 1u);
  EXPECT_EQ(cleared[0].kind, AlertKind::kHeld);
  EXPECT_EQ(cleared[0].state, AlertState::kRecovered);
  EXPECT_FALSE(t.raised("docs", AlertKind::kHeld));
}

TEST(SyncAlerts, SloBreachesAlertOncePerEpisode) {
  ingest::AlertTracker t;
  ingest::SourceConfig s;
  s.name = "docs";
  s.slo.content_lag_s = 60;
  s.slo.deletion_lag_s = 600;
  auto observe = [&](std::optional<double> content, std::optional<double> deletion,
                     double watched) {
    ingest::SourceObservation o;
    o.content_lag_s = content;
    o.deletion_lag_s = deletion;
    o.acl_lag_s = 1e9;  // no ACL SLO: never alerts
    o.watched_s = watched;
    return t.observe("default", s, o, 0);
  };
  EXPECT_TRUE(observe(10, 10, 10).empty());
  auto breach = observe(61, 10, 61);
  ASSERT_EQ(breach.size(), 1u);
  EXPECT_EQ(breach[0].kind, AlertKind::kContentLag);
  EXPECT_EQ(breach[0].state, AlertState::kRaised);
  EXPECT_DOUBLE_EQ(breach[0].limit, 60);
  EXPECT_TRUE(observe(300, 10, 300).empty());
  auto back = observe(1, 10, 301);
  ASSERT_EQ(back.size(), 1u);
  EXPECT_EQ(back[0].state, AlertState::kRecovered);
  // No deletion pass yet: its lag is how long the source has been watched.
  EXPECT_TRUE(observe(1, std::nullopt, 599).empty());
  auto none_yet = observe(1, std::nullopt, 601);
  ASSERT_EQ(none_yet.size(), 1u);
  EXPECT_EQ(none_yet[0].kind, AlertKind::kDeletionLag);
  EXPECT_NE(none_yet[0].message.find("no such pass yet"), std::string::npos);
}

TEST(SyncAlerts, SourceSloAndRetryKeys) {
  auto ok = ingest::parseSourceConfigs(R"(
[[sources]]
name = "docs"
connector = "folder"
root = "/srv/docs"
slo_content_lag_s = 300
slo_deletion_lag_s = 3600
retry_min_s = 0.5
canary_interval_s = 60
)");
  ASSERT_TRUE(ok.ok()) << ok.status().toString();
  EXPECT_EQ(ok->front().slo.content_lag_s, 300);
  EXPECT_EQ(ok->front().slo.deletion_lag_s, 3600);
  EXPECT_EQ(ok->front().slo.acl_lag_s, 0);
  EXPECT_DOUBLE_EQ(ok->front().retry_min_s, 0.5);
  EXPECT_EQ(ok->front().canary_interval_s, 60);
  auto jsonl = ingest::parseSourceConfigs(
      "[[sources]]\nname='p'\nconnector='jsonl'\nroot='/x.jsonl'\ncanary_interval_s=5\n");
  ASSERT_TRUE(jsonl.ok()) << "push (jsonl) sources have canaries too: " << jsonl.status().message();
  // A git source with a local root may have canaries (that the root is a bare repository with a
  // branch is checked when the sources are opened); a remote one, or an archive, may not.
  auto git = ingest::parseSourceConfigs(
      "[[sources]]\nname='g'\nconnector='git'\nroot='/x'\ncanary_interval_s=5\n");
  ASSERT_TRUE(git.ok()) << git.status().message();
  EXPECT_EQ(git->front().canary_interval_s, 5);
  auto remote = ingest::parseSourceConfigs(
      "[[sources]]\nname='g'\nconnector='git'\nroot='https://git.example.com/r.git'\n"
      "allowed_hosts=['git.example.com']\ncanary_interval_s=5\n");
  ASSERT_FALSE(remote.ok());
  EXPECT_NE(remote.status().message().find(
                "canary_interval_s: a git source's canaries need a local bare repository"),
            std::string::npos)
      << remote.status().message();
  auto archive = ingest::parseSourceConfigs(
      "[[sources]]\nname='a'\nconnector='archive'\nroot='/x.zip'\ncanary_interval_s=5\n");
  ASSERT_FALSE(archive.ok());
  EXPECT_NE(archive.status().message().find(
                "canary_interval_s: canaries run in folder, git and jsonl (push) sources only"),
            std::string::npos)
      << archive.status().message();
  const char* base = "[[sources]]\nname='a'\nconnector='folder'\nroot='/x'\n";
  for (const auto& [extra, message] : std::vector<std::pair<std::string, std::string>>{
           {"retry_min_s = 0", "retry_min_s: must be between 0.1 and 3600"},
           {"retry_min_s = 'x'", "retry_min_s: must be a number"},
           {"slo_acl_lag_s = -1", "slo_acl_lag_s: must be between"},
           {"slo_content_lag_s = 1.5", "slo_content_lag_s: must be an integer"}}) {
    auto r = ingest::parseSourceConfigs(std::string(base) + extra + "\n");
    ASSERT_FALSE(r.ok()) << extra;
    EXPECT_NE(r.status().message().find(message), std::string::npos) << r.status().message();
  }
}

TEST(SyncAlerts, TheWebhookUrlIsCheckedWhenConfigured) {
  auto none = ingest::parseAlertWebhookConfig("");
  ASSERT_TRUE(none.ok());
  EXPECT_TRUE(none->url.empty());
  auto ok = ingest::parseAlertWebhookConfig(
      "[sync_alerts]\nwebhook_url = 'https://hooks.example.com/T0/B1/s3cret'\n");
  ASSERT_TRUE(ok.ok()) << ok.status().toString();
  EXPECT_EQ(ok->timeout_ms, ingest::kAlertWebhookTimeoutMs);
  EXPECT_EQ(ingest::webhookOrigin(ok->url), "https://hooks.example.com:443");
  auto loop = ingest::parseAlertWebhookConfig(
      "[sync_alerts]\nwebhook_url = 'http://127.0.0.1:9/x'\nwebhook_allow_loopback = true\n");
  EXPECT_TRUE(loop.ok()) << loop.status().toString();

  struct Case {
    const char* toml;
    const char* message;
  } cases[] = {
      {"[sync_alerts]\nwebhook_url = 'http://169.254.169.254/latest/meta-data?token=s3cret'\n",
       "sync_alerts.webhook_url: the host 169.254.169.254 is a link-local address, which is "
       "refused"},
      {"[sync_alerts]\nwebhook_url = 'http://127.0.0.1:8080/hook'\n",
       "unless sync_alerts.webhook_allow_loopback = true"},
      {"[sync_alerts]\nwebhook_url = 'http://[::ffff:169.254.169.254]/'\n", "link-local"},
      {"[sync_alerts]\nwebhook_url = 'ftp://user:s3cret@example.com/'\n",
       "must be an http:// or https:// URL"},
      {"[sync_alerts]\nwebhook = 'https://example.com/'\n", "sync_alerts.webhook: unknown key"},
      {"[sync_alerts]\nwebhook_url = 'https://example.com/'\nwebhook_timeout_ms = 5\n",
       "webhook_timeout_ms: must be an integer between 100 and 60000"},
  };
  for (const auto& c : cases) {
    auto r = ingest::parseAlertWebhookConfig(c.toml);
    ASSERT_FALSE(r.ok()) << c.toml;
    EXPECT_NE(r.status().message().find(c.message), std::string::npos) << r.status().message();
    EXPECT_EQ(r.status().message().find("s3cret"), std::string::npos) << r.status().message();
  }
}

// The limits docs/design/ingest.md states are the constants.
TEST(SyncHealth, TheDocumentedLimitsAreTheConstants) {
  std::ifstream in(WARD_INGEST_DOC_PATH);
  ASSERT_TRUE(in) << WARD_INGEST_DOC_PATH;
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  auto has = [&](const std::string& s) { return text.find(s) != std::string::npos; };
  EXPECT_TRUE(has("`kSyncRetryMinSeconds`, 30 s") && ingest::kSyncRetryMinSeconds == 30);
  EXPECT_TRUE(has("`kSyncRetryMaxSeconds`, 3,600 s") && ingest::kSyncRetryMaxSeconds == 3600);
  EXPECT_TRUE(has("`kSyncRetryJitter`, 0.5") && ingest::kSyncRetryJitter == 0.5);
  EXPECT_TRUE(has("`kMaxRetryAfterSeconds`, 3,600 s") && ingest::kMaxRetryAfterSeconds == 3600);
  EXPECT_TRUE(has("`kErrorAfterFailures`, 5") && ingest::kErrorAfterFailures == 5);
  EXPECT_TRUE(has("`kAlertWebhookTimeoutMs`, 5,000 ms") && ingest::kAlertWebhookTimeoutMs == 5000);
  EXPECT_TRUE(has("`kAlertWebhookRetryDelayMs`, 1,000 ms") &&
              ingest::kAlertWebhookRetryDelayMs == 1000);
  EXPECT_TRUE(has("`kMaxQueuedAlerts`, 256") && ingest::kMaxQueuedAlerts == 256);
}

}  // namespace
}  // namespace ward::testing
