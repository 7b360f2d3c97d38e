// The HTTP/1.1 server (Boost.Beast): keep-alive connections served by N worker threads on one
// io_context, request size limits, read timeouts, W3C trace context, authentication, metrics, and
// JSON errors for everything that fails.
//
// Ownership: the server owns its threads and sockets; the Router's handlers and the Services they
// capture must outlive it. Thread-safety: port(), address(), stop() and wait() may be called from
// any thread except a worker thread (a handler must never stop its own server).
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "ward/common/config.h"
#include "ward/common/metrics.h"
#include "ward/common/status.h"
#include "ward/http/http_message.h"
#include "ward/http/router.h"
#include "ward/http/services.h"

namespace ward::http {

struct ServerOptions {
  std::string host = "127.0.0.1";
  uint16_t port = 0;  // 0 = pick a free port; see HttpServer::port()
  int threads = 2;
  size_t max_body_bytes = 16 << 20;    // larger bodies get 413
  size_t max_header_bytes = 64 << 10;  // larger header blocks get 431
  std::chrono::seconds read_timeout{30};
  std::chrono::seconds stop_grace{5};  // how long stop() waits for in-flight requests
  // The WWW-Authenticate value of a 401 (e.g. with RFC 9728 resource_metadata); unset = the
  // default `Bearer realm="ward"`.
  std::function<std::string(const HttpRequest&)> www_authenticate;
};

// "HOST:PORT" or "[v6]:PORT" -> host and port. InvalidArgument names the problem.
Result<std::pair<std::string, uint16_t>> parseListenAddress(const std::string& listen);

// Authenticates a request for a route whose policy is not kNone; a non-ok Status (normally
// Unauthenticated) becomes the error response.
using Authenticator = std::function<Result<identity::Principal>(const HttpRequest&)>;

class HttpServer {
 public:
  // Binds, listens and starts the worker threads. Unavailable if the address cannot be bound.
  static Result<std::unique_ptr<HttpServer>> start(const ServerOptions& options, Router router,
                                                   Authenticator authenticate);
  ~HttpServer();  // stop()s
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  uint16_t port() const;        // the bound port (the real one when options.port was 0)
  std::string address() const;  // "127.0.0.1:7411"
  // Stops accepting, lets in-flight requests finish (up to stop_grace), closes every connection
  // and joins the workers. Idempotent.
  void stop();
  // Blocks until stop() has completed (from another thread).
  void wait();
  // Keeps a gauge registered for as long as the server lives.
  void retain(GaugeRegistration gauge);

  class Impl;

 private:
  explicit HttpServer(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// Builds Ward's REST route table (src/http/routes.cc).
Router wardRouter(const Services& services);

// Starts Ward's REST API on config.listen with config.threads workers and config.max_body_bytes,
// API-key authentication against services.store, and store/index gauges on /metrics. Every
// pointer in `services` must be non-null and outlive the returned server. `extra_routes` are
// added to the REST table with the same authentication (the MCP endpoint uses this).
Result<std::unique_ptr<HttpServer>> startHttpServer(const Services& services,
                                                    const ServerConfig& config,
                                                    std::vector<Route> extra_routes = {});

}  // namespace ward::http
