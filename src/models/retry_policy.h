// When a failed attempt at a provider is tried again, and after how long (docs/design/models.md
// "Retries and fallbacks"). Pure functions.
#pragma once

#include <cstdint>
#include <string>

#include "ward/models/model_config.h"
#include "ward/models/provider.h"
#include "ward/net/http_client.h"

namespace ward::models {

// Longest exponential backoff between two attempts.
inline constexpr int64_t kMaxBackoffMs = 8000;

struct RetryDecision {
  bool retry = false;
  int64_t wait_ms = 0;
  std::string reason;  // why (not), for the trace: "status 529", "x-should-retry: false", ...
};

// For an HTTP reply that is not 2xx. `attempt` counts from 0 (the first try). The provider's
// `x-should-retry` decides first; else 408, 409, 429, 5xx (529 "overloaded" included) are
// retried, except a 429 that says the spend limit or quota is used up (insufficient_quota,
// billing): waiting does not help. The wait is `retry-after-ms`, else `retry-after` (seconds or
// an HTTP date), else the error body's wait (error.retry_after_ms: Gemini's RetryInfo), else
// retry_base_ms * 2^attempt capped at kMaxBackoffMs; a provider asking for
// more than kMaxRetryWaitMs is not retried.
RetryDecision retryAfterReply(const net::OutboundReply& reply, const ProviderError& error,
                              int attempt, const ModelConfig& config, int64_t now_unix_s);

// For a transport failure (connection refused, reset, timeout): backoff only.
RetryDecision retryAfterTransport(int attempt, const ModelConfig& config);

// Whether a failure of one model should move on to its next fallback: anything but a request
// the provider called malformed (400, 413, 422), which would fail at every model.
bool fallbackAfter(int http_status);

}  // namespace ward::models
