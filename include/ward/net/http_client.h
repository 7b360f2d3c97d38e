// Outbound HTTP for model providers (and any module that calls out): libcurl, one reused easy
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

namespace ward::net {

struct OutboundRequest {
  std::string method = "POST";
  std::string url;                                           // http:// or https:// only
  std::vector<std::pair<std::string, std::string>> headers;  // names and values without CR/LF
  std::string body;
  int64_t timeout_ms = 60000;             // the whole exchange, connect included
  size_t max_response_bytes = 16u << 20;  // a larger response fails with Unavailable
  bool allow_private = false;  // loopback / private addresses allowed (local model servers)
};

struct OutboundReply {
  int status = 0;
  std::map<std::string, std::string> headers;  // lowercase names; a repeated header keeps the last
  std::string body;  // the whole body; empty when a BodySink consumed a 2xx body
  int64_t elapsed_us = 0;
  std::string header(const std::string& lowercase_name) const;
};

// Receives a 2xx response body as it arrives (Server-Sent Events). Returning false aborts the
// transfer (send() then returns the reply so far, with `aborted` set in its Status message).
using BodySink = std::function<bool(std::string_view chunk)>;

// One exchange. InvalidArgument: a bad URL or header. PermissionDenied: the host resolves only to
// addresses the policy refuses. Unavailable: resolution, connection, timeout or size failures
// (the message says which; `*reached` tells whether the server was contacted). Any HTTP status
// is a reply, not an error. With `sink`, a 2xx body goes to the sink instead of reply.body;
// other statuses are buffered as usual.
Result<OutboundReply> send(const OutboundRequest& request, const BodySink* sink = nullptr,
                           bool* reached = nullptr);

}  // namespace ward::net
