// Outbound HTTP for model providers (docs/design/net.md "Keep-alive client"): the contract of
// send() (http_client.h) — the host resolved and checked against the address policy, the
// connection made to the checked address only, no proxy, no redirects, one timeout for the
// whole exchange, a response size limit, a BodySink for 2xx bodies — over a small HTTP/1.1
// client for plain http:// that keeps this thread's connections to each address open between
// calls, without libcurl's per-transfer set-up. Other URLs (https://, user information in the
// authority) go to send().
//
// Responses: Content-Length, chunked, or (no length) until the server closes; 1xx answers are
// skipped; HEAD, 204 and 304 have no body. A connection is kept only after an HTTP/1.1 answer
// read to its end without `Connection: close`; at most kMaxIdleKeepAliveConnections per thread.
// A kept connection the server closed meanwhile is noticed when no byte of the answer arrives,
// and the request is sent once more on a fresh connection (as libcurl does).
//
// Thread-safe: each thread has its own connections. No exception leaves the BodySink's caller.
#pragma once

#include <cstddef>
#include <functional>

#include "ward/net/http_client.h"

namespace ward::net {

inline constexpr size_t kMaxIdleKeepAliveConnections = 8;   // idle connections kept per thread
inline constexpr size_t kMaxResponseHeadBytes = 64 * 1024;  // status line and headers

// `while_waiting`, when given, is called once on this thread right after the request has been
// written and before the answer is read (the answer waits in the socket meanwhile): the caller's
// work that does not need the answer overlaps the server's. It is not called when the request
// could not be written (no connection), nor for URLs handed to send(); its time counts against
// the request's timeout. No exception may leave it.
Result<OutboundReply> sendKeepAlive(const OutboundRequest& request, const BodySink* sink = nullptr,
                                    SendInfo* info = nullptr,
                                    const std::function<void()>* while_waiting = nullptr);

}  // namespace ward::net
