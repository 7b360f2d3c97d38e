// Outbound HTTP for every module that calls out (tool backends, model providers, the OTLP
// exporter, the JWKS fetch): libcurl, one reused easy
// handle per thread (keep-alive), the host resolved here and checked against the address policy
// (address_policy.h), the connection pinned to the checked address (CURLOPT_RESOLVE) so DNS
// rebinding cannot swap it, no proxy from the environment, redirects never followed, a timeout
// for the whole exchange and a limit on the response size.
//
// Thread-safe: every call uses its own thread's handle. No exception leaves a libcurl callback.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "ward/common/status.h"
#include "ward/net/address_policy.h"

namespace ward::net {

struct OutboundRequest {
  std::string method = "POST";
  std::string url;                                           // http:// or https:// only
  std::vector<std::pair<std::string, std::string>> headers;  // names and values without CR/LF
  std::string body;
  int64_t timeout_ms = 60000;             // the whole exchange, connect included
  size_t max_response_bytes = 16u << 20;  // a larger response fails with Unavailable
  Reach reach = Reach::kPublic;           // which resolved addresses may be connected to
  bool allow_loopback = false;            // with Reach::kOperatorEndpoint: loopback too
  bool allow_private = false;             // shorthand for Reach::kAnyValid (local model servers)
  // Appended to the refusal when the host resolves only to refused addresses: the setting that
  // would allow it ("tools may not reach it unless they set backend.allow_private").
  std::string refusal_hint = "refused unless allow_private is set";
};

struct OutboundReply {
  int status = 0;
  std::map<std::string, std::string> headers;  // lowercase names; a repeated header keeps the last
  std::string body;  // the whole body; empty when a BodySink consumed a 2xx body
  int64_t elapsed_us = 0;
  std::string header(const std::string& lowercase_name) const;
};

// Where an http(s) URL connects: scheme, host (IPv6 without brackets) and port (the scheme's
// default when the URL names none); and whether the URL also carries credentials (`user@`) or a
// query, which operator-configured endpoints refuse.
struct Origin {
  std::string scheme, host, port;
  bool has_credentials = false;
  bool has_query = false;
  std::string text() const { return scheme + "://" + host + ":" + port; }
};
// InvalidArgument for a URL that does not parse, is not http or https, or has no host.
Result<Origin> parseOrigin(const std::string& url);

// The CURLOPT_RESOLVE entry pinning host:port to the checked address; "" for a numeric host
// (IPv4 or IPv6 literal), which curl does not resolve.
std::string pinEntry(const std::string& host, const std::string& port, const std::string& address);

// Receives a 2xx response body as it arrives (Server-Sent Events). Returning false aborts the
// transfer (send() then returns the reply so far, with `aborted` set in its Status message).
using BodySink = std::function<bool(std::string_view chunk)>;

// How an exchange went, also when send() returns an error.
struct SendInfo {
  bool sent = false;            // a connection was tried (the URL, headers and address passed)
  bool reached = false;         // the server answered with a status line
  bool connect_failed = false;  // no connection was made: the server saw nothing
  bool too_large = false;       // the response passed max_response_bytes
  int status = 0;               // the HTTP status, when reached
};

// One exchange. InvalidArgument: a bad URL or header. PermissionDenied: the host resolves only to
// addresses `reach` refuses. Unavailable: resolution, connection, timeout or size failures (the
// message says which; `*info` tells more). Any HTTP status is a reply, not an error. With `sink`,
// a 2xx body goes to the sink instead of reply.body; other statuses are buffered as usual.
// The connection is pinned to the checked address, except for a numeric host, which is its own
// checked address (CURLOPT_RESOLVE cannot name an IPv6 literal).
Result<OutboundReply> send(const OutboundRequest& request, const BodySink* sink = nullptr,
                           SendInfo* info = nullptr);

}  // namespace ward::net
