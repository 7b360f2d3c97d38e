// A service connector's calls to its service's API (docs/design/ingest.md, "Service
// connectors"). Every request goes through the SSRF-safe client (net::send) to a host on the
// source's allowed_hosts (the base URL's host and any URL the service hands back, such as a
// pagination link), with the credential in a header only: never in a URL, a log, a checkpoint or
// an error text (scrub()). A server error or a dropped connection is tried again with backoff; a
// 429 whose Retry-After is at most kServiceInlineWaitMaxS is waited out here, a longer one is
// returned for the connector to end its pass with that retry-after. Counts its requests (the
// run's figures). Not thread-safe: one client per pass.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "ward/common/status.h"
#include "ward/ingest/connector.h"
#include "ward/net/http_client.h"

namespace ward::ingest {

inline constexpr int64_t kServiceTimeoutMs = 30'000;
inline constexpr size_t kServiceMaxResponseBytes = 32u << 20;
// Attempts per request for server errors (5xx) and dropped connections.
inline constexpr int kServiceMaxAttempts = 4;
// The first backoff; it doubles per attempt.
inline constexpr int64_t kServiceBackoffMs = 200;
// A 429 asking to wait at most this long is waited out inside the request.
inline constexpr int64_t kServiceInlineWaitMaxS = 5;

struct ServiceRequest {
  std::string method = "GET";
  std::string target;  // a path under the base URL ("/api/x?y=1"), or an absolute URL
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
};

class ServiceClient {
 public:
  // The source's client. `default_base_url` is used when the source names none. InvalidArgument:
  // a base URL that does not parse or is not https (http only with allow_private), or whose host
  // is not on allowed_hosts (the default base URL's host is allowed unless allowed_hosts is set).
  // FailedPrecondition: token_secret is set but the secret cannot be read; the message names the
  // secret, never its value.
  static Result<std::unique_ptr<ServiceClient>> open(const SourceConfig& source,
                                                     const ConnectorEnv& env,
                                                     const std::string& default_base_url);

  const std::string& baseUrl() const { return base_url_; }
  // The credential from token_secret ("" when none): for connectors that sign with it.
  const std::string& credential() const { return credential_; }
  // The Authorization header's value; by default "Bearer <credential>" (none without one).
  void setAuthorization(std::string value) { authorization_ = std::move(value); }
  // The Authorization value requests carry now ("" = none).
  const std::string& authorization() const { return authorization_; }

  // One request. InvalidArgument: a URL whose host is not allowed; Unavailable: no answer after
  // kServiceMaxAttempts. Any HTTP status is a reply (a 5xx only after the last attempt).
  Result<net::OutboundReply> send(const ServiceRequest& request);
  Result<net::OutboundReply> get(const std::string& target,
                                 std::vector<std::pair<std::string, std::string>> headers = {});

  int64_t requests() const { return requests_; }
  // `text` with the credential and the Authorization value replaced by "[REDACTED]".
  std::string scrub(std::string text) const;

  // Tests: how a wait is spent (default: sleeps).
  void setSleep(std::function<void(int64_t ms)> sleep) { sleep_ = std::move(sleep); }

 private:
  ServiceClient() = default;
  Result<std::string> urlOf(const std::string& target) const;

  std::string base_url_;
  std::vector<std::string> allowed_hosts_;  // lowercase
  bool allow_private_ = false;
  std::string credential_;
  std::string authorization_;
  int64_t requests_ = 0;
  std::function<void(int64_t ms)> sleep_;
};

// The wait a reply asks for, in seconds: `Retry-After` (delta-seconds or an HTTP date, against
// `now_s`), else GitHub's `x-ratelimit-reset` when `x-ratelimit-remaining` is 0; 0 when none.
int64_t retryAfterSeconds(const net::OutboundReply& reply, int64_t now_s);

}  // namespace ward::ingest
