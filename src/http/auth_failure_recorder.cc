#include "auth_failure_recorder.h"

#include <algorithm>
#include <vector>

#include "ward/common/log.h"
#include "ward/common/mutex.h"

namespace ward::http {

namespace {

constexpr int64_t kWindowUs = kAuthFailureWindowSeconds * 1000000;
constexpr size_t kMaxRecordedMethodBytes = 16;

// "203.0.113.9:53422" -> "203.0.113.9", "::1:53422" -> "::1": the port changes per connection.
std::string sourceAddress(const std::string& remote) {
  size_t colon = remote.rfind(':');
  return colon == std::string::npos ? remote : remote.substr(0, colon);
}

}  // namespace

const char* authFailureReasonName(AuthFailureReason reason) {
  switch (reason) {
    case AuthFailureReason::kMissingKey:
      return "missing_key";
    case AuthFailureReason::kInvalidKey:
      return "invalid_key";
    case AuthFailureReason::kInvalidToken:
      return "invalid_token";
  }
  return "invalid_key";
}

AuthFailureRecorder::AuthFailureRecorder(trace::TraceSink* sink, std::string tenant,
                                         const Clock* clock)
    : sink_(sink), tenant_(std::move(tenant)), clock_(clock ? clock : &SystemClock::instance()) {}

AuthFailureRecorder::~AuthFailureRecorder() {
  std::optional<trace::TraceEvent> summary;
  {
    MutexLock lock(mu_);
    summary = summaryLocked(clock_->nowMicros());
  }
  if (summary) write(*summary);
}

void AuthFailureRecorder::record(const HttpRequest& r, AuthFailureReason reason) {
  const int64_t now = clock_->nowMicros();
  const std::string address = sourceAddress(r.remote_address);
  std::optional<trace::TraceEvent> summary;
  bool first = false;
  {
    MutexLock lock(mu_);
    summary = rollLocked(now);
    auto it = addresses_.find(address);
    if (it == addresses_.end() && addresses_.size() >= kMaxAuthFailureAddresses) {
      ++untracked_failures_;
    } else {
      first = it == addresses_.end();
      Counts& c = first ? addresses_[address] : it->second;
      ++c.failures;
      ++c.by_reason[static_cast<size_t>(reason)];
    }
  }
  if (summary) write(*summary);
  if (!first) return;
  trace::TraceEvent event;
  event.context = r.trace;
  event.kind = "auth_failure";
  event.tenant = tenant_;
  event.time_us = now;
  // Never the key itself, nor its id: a failed attempt must not leak or confirm key material.
  event.attributes = Json{{"reason", authFailureReasonName(reason)},
                          {"method", r.method.substr(0, kMaxRecordedMethodBytes)},
                          {"path", r.path.substr(0, kMaxRecordedPathBytes)},
                          {"remote_address", r.remote_address}};
  if (r.path.size() > kMaxRecordedPathBytes) event.attributes["path_truncated"] = true;
  write(event);
}

void AuthFailureRecorder::flushIfDue() {
  std::optional<trace::TraceEvent> summary;
  {
    MutexLock lock(mu_);
    summary = rollLocked(clock_->nowMicros());
  }
  if (summary) write(*summary);
}

std::optional<trace::TraceEvent> AuthFailureRecorder::rollLocked(int64_t now_us) {
  const int64_t start = now_us - now_us % kWindowUs;
  if (start == window_start_us_) return std::nullopt;
  std::optional<trace::TraceEvent> summary = summaryLocked(window_start_us_ + kWindowUs);
  window_start_us_ = start;
  addresses_.clear();
  untracked_failures_ = 0;
  return summary;
}

std::optional<trace::TraceEvent> AuthFailureRecorder::summaryLocked(int64_t time_us) const {
  // Owed when some failure of the window was not recorded on its own.
  std::vector<std::pair<std::string, const Counts*>> repeated;
  for (const auto& [address, counts] : addresses_) {
    if (counts.failures > 1) repeated.emplace_back(address, &counts);
  }
  if (repeated.empty() && untracked_failures_ == 0) return std::nullopt;
  std::sort(repeated.begin(), repeated.end(), [](const auto& a, const auto& b) {
    return a.second->failures != b.second->failures ? a.second->failures > b.second->failures
                                                    : a.first < b.first;
  });
  Json listed = Json::array();
  int64_t unlisted_addresses = 0, unlisted_failures = 0, total = untracked_failures_;
  for (const auto& [address, counts] : repeated) {
    total += counts->failures - 1;
    if (listed.size() >= kMaxSummaryAddresses) {
      ++unlisted_addresses;
      unlisted_failures += counts->failures;
      continue;
    }
    Json reasons = Json::object();
    for (size_t i = 0; i < kAuthFailureReasons; ++i) {
      if (counts->by_reason[i] > 0) {
        reasons[authFailureReasonName(static_cast<AuthFailureReason>(i))] = counts->by_reason[i];
      }
    }
    listed.push_back(
        Json{{"address", address}, {"failures", counts->failures}, {"reasons", reasons}});
  }
  trace::TraceEvent event;
  event.context = trace::TraceContext::generate();
  event.kind = "auth_failure_summary";
  event.tenant = tenant_;
  event.time_us = time_us;
  event.attributes = Json{{"window_start", formatRfc3339(window_start_us_)},
                          {"window_seconds", kAuthFailureWindowSeconds},
                          {"failures_not_recorded_singly", total},
                          {"addresses", listed},
                          {"unlisted_addresses", unlisted_addresses},
                          {"unlisted_failures", unlisted_failures},
                          {"untracked_failures", untracked_failures_}};
  return event;
}

void AuthFailureRecorder::write(const trace::TraceEvent& event) const {
  Status st = sink_->record(event);
  if (!st.ok()) logWarn("cannot record " + event.kind + " trace event: " + st.toString());
}

}  // namespace ward::http
