#include "retry_policy.h"

#include <algorithm>
#include <cctype>
#include <ctime>

namespace ward::models {

namespace {

bool parseWhole(const std::string& s, double* out) {
  if (s.empty()) return false;
  char* end = nullptr;
  double v = std::strtod(s.c_str(), &end);
  if (end == s.c_str() || *end != '\0' || !(v >= 0)) return false;
  *out = v;
  return true;
}

// An IMF-fixdate ("Wed, 21 Oct 2015 07:28:00 GMT") as Unix seconds; -1 when not one.
int64_t parseHttpDate(const std::string& s) {
  std::tm tm{};
  const char* end = strptime(s.c_str(), "%a, %d %b %Y %H:%M:%S GMT", &tm);
  if (end == nullptr || *end != '\0') return -1;
  return static_cast<int64_t>(timegm(&tm));
}

std::string lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

bool spendLimit(const ProviderError& e) {
  const std::string what = lower(e.code + " " + e.type);
  return what.find("insufficient_quota") != std::string::npos ||
         what.find("billing") != std::string::npos || what.find("spend_limit") != std::string::npos;
}

int64_t backoffMs(int attempt, const ModelConfig& c) {
  int64_t wait = c.retry_base_ms;
  for (int i = 0; i < attempt && wait < kMaxBackoffMs; ++i) wait *= 2;
  return std::min(wait, kMaxBackoffMs);
}

}  // namespace

RetryDecision retryAfterReply(const net::OutboundReply& reply, const ProviderError& error,
                              int attempt, const ModelConfig& config, int64_t now_unix_s) {
  RetryDecision d;
  const int status = reply.status;
  d.reason = "status " + std::to_string(status);
  if (attempt >= config.max_retries) {
    d.reason += " (no retries left)";
    return d;
  }
  const std::string should = lower(reply.header("x-should-retry"));
  if (should == "false") {
    d.reason += ", x-should-retry: false";
    return d;
  }
  bool retryable =
      should == "true" || status == 408 || status == 409 || status == 429 || status >= 500;
  if (status == 429 && should != "true" && spendLimit(error)) {
    d.reason += " (" + (error.code.empty() ? error.type : error.code) + ": a spend limit)";
    return d;
  }
  if (!retryable) return d;
  d.wait_ms = backoffMs(attempt, config);
  double v = 0;
  if (parseWhole(reply.header("retry-after-ms"), &v)) {
    d.wait_ms = static_cast<int64_t>(v);
  } else if (const std::string ra = reply.header("retry-after"); !ra.empty()) {
    if (parseWhole(ra, &v)) {
      d.wait_ms = static_cast<int64_t>(v * 1000);
    } else if (int64_t at = parseHttpDate(ra); at >= 0) {
      d.wait_ms = std::max<int64_t>(0, (at - now_unix_s) * 1000);
    }
  } else if (error.retry_after_ms >= 0) {
    d.wait_ms = error.retry_after_ms;  // the body's wait (Gemini's RetryInfo retryDelay)
  }
  if (d.wait_ms > kMaxRetryWaitMs) {
    d.reason += " (asked to wait " + std::to_string(d.wait_ms) + " ms, more than " +
                std::to_string(kMaxRetryWaitMs) + ")";
    return d;
  }
  d.retry = true;
  return d;
}

RetryDecision retryAfterTransport(int attempt, const ModelConfig& config) {
  RetryDecision d;
  d.reason = "transport failure";
  if (attempt >= config.max_retries) return d;
  d.retry = true;
  d.wait_ms = backoffMs(attempt, config);
  return d;
}

bool fallbackAfter(int http_status) {
  return http_status != 400 && http_status != 413 && http_status != 422;
}

}  // namespace ward::models
