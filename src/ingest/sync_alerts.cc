// Alert dedupe and the alert's JSON (sync_alerts.h).
#include "ward/common/mutex.h"
#include "ward/ingest/sync_alerts.h"

#include "ward/common/clock.h"
#include "ward/ingest/sync_health.h"

namespace ward::ingest {

namespace {

std::string seconds(double s) { return std::to_string(static_cast<int64_t>(s)) + " s"; }

}  // namespace

std::string_view alertKindName(AlertKind k) {
  switch (k) {
    case AlertKind::kError:
      return "error";
    case AlertKind::kHeld:
      return "held";
    case AlertKind::kContentLag:
      return "content_lag";
    case AlertKind::kDeletionLag:
      return "deletion_lag";
    case AlertKind::kAclLag:
      return "acl_lag";
  }
  return "error";
}

std::string_view alertStateName(AlertState s) {
  return s == AlertState::kRaised ? "raised" : "recovered";
}

Json SyncAlert::toJson() const {
  return Json{{"type", "ward.sync_alert"},
              {"version", kAlertFormatVersion},
              {"tenant", tenant},
              {"source", source},
              {"alert", alertKindName(kind)},
              {"state", alertStateName(state)},
              {"value", value},
              {"limit", limit},
              {"message", message},
              {"at", formatRfc3339(at_us)}};
}

std::vector<SyncAlert> AlertTracker::observe(const std::string& tenant, const SourceConfig& source,
                                             const SourceObservation& o, int64_t now_us) {
  struct Check {
    AlertKind kind;
    bool firing;
    double value, limit;
    std::string what;
  };
  std::vector<Check> checks;
  checks.push_back({AlertKind::kError, o.consecutive_failures >= kErrorAfterFailures,
                    static_cast<double>(o.consecutive_failures),
                    static_cast<double>(kErrorAfterFailures), ""});
  checks.push_back({AlertKind::kHeld, o.held, o.held ? 1.0 : 0.0, 0, ""});
  auto lag = [&](AlertKind kind, const std::optional<double>& v, int64_t slo, const char* what) {
    if (slo <= 0) return;  // no SLO: never alerts (and a removed SLO ends nothing here)
    const double value = v ? *v : o.watched_s;
    checks.push_back({kind, value > static_cast<double>(slo), value, static_cast<double>(slo),
                      v ? std::string(what) : std::string(what) + " (no such pass yet)"});
  };
  lag(AlertKind::kContentLag, o.content_lag_s, source.slo.content_lag_s, "content lag");
  lag(AlertKind::kDeletionLag, o.deletion_lag_s, source.slo.deletion_lag_s, "deletion lag");
  lag(AlertKind::kAclLag, o.acl_lag_s, source.slo.acl_lag_s, "ACL lag");

  std::vector<SyncAlert> out;
  MutexLock lock(mu_);
  for (const auto& c : checks) {
    const auto key = std::make_pair(source.name, c.kind);
    const bool was = raised_.count(key) > 0;
    if (c.firing == was) continue;
    SyncAlert a;
    a.tenant = tenant;
    a.source = source.name;
    a.kind = c.kind;
    a.state = c.firing ? AlertState::kRaised : AlertState::kRecovered;
    a.value = c.value;
    a.limit = c.limit;
    a.at_us = now_us;
    if (c.kind == AlertKind::kError) {
      a.message = c.firing
                      ? "source '" + source.name +
                            "' is in the error state: " + std::to_string(o.consecutive_failures) +
                            " consecutive failed runs" +
                            (o.last_message.empty() ? "" : " (last: " + o.last_message + ")")
                      : "source '" + source.name + "' left the error state: a run succeeded";
    } else if (c.kind == AlertKind::kHeld) {
      a.message = c.firing
                      ? "source '" + source.name +
                            "' has a run held for an admin's approval (mass deletion or exposure "
                            "guard; ward approvals list)" +
                            (o.last_message.empty() ? "" : ": " + o.last_message)
                      : "source '" + source.name +
                            "' has no held run any more: its last run was "
                            "not held";
    } else {
      a.message = "source '" + source.name + "' " + c.what + " " + seconds(c.value) +
                  (c.firing ? " is above" : " is back within") + " its SLO of " + seconds(c.limit);
    }
    if (c.firing) {
      raised_.insert(key);
    } else {
      raised_.erase(key);
    }
    out.push_back(std::move(a));
  }
  return out;
}

bool AlertTracker::raised(const std::string& source, AlertKind kind) const {
  MutexLock lock(mu_);
  return raised_.count({source, kind}) > 0;
}

std::vector<std::pair<std::string, AlertKind>> AlertTracker::raisedAlerts() const {
  MutexLock lock(mu_);
  return {raised_.begin(), raised_.end()};
}

}  // namespace ward::ingest
