// The HTTP/1.1 server (Boost.Beast): listening, the worker threads, routing and authentication
// of each request, metrics, and stopping. Connections are in http_session.cc.
#include <future>

#include "server_impl.h"
#include "ward/common/log.h"
#include "ward/common/mutex.h"
#include "ward/http/error_mapping.h"

namespace ward::http {

namespace {

constexpr char kRequestsTotal[] = "ward_http_requests_total";
constexpr char kRequestDuration[] = "ward_http_request_duration_seconds";

void describeServerMetrics() {
  static std::once_flag once;
  std::call_once(once, [] {
    metrics().describeCounter(kRequestsTotal, "HTTP requests by route, method and status code.");
    metrics().describeHistogram(kRequestDuration, "HTTP request duration in seconds by route.",
                                Metrics::defaultLatencyBuckets());
  });
}

}  // namespace

Result<std::pair<std::string, uint16_t>> parseListenAddress(const std::string& listen) {
  size_t colon = listen.rfind(':');
  if (colon == std::string::npos || colon == 0) {
    return Status::invalidArgument("listen address '" + listen + "' must be HOST:PORT");
  }
  std::string host = listen.substr(0, colon);
  std::string port_text = listen.substr(colon + 1);
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') {
    host = host.substr(1, host.size() - 2);
  }
  if (port_text.empty() || port_text.size() > 5 ||
      port_text.find_first_not_of("0123456789") != std::string::npos ||
      std::stoul(port_text) > 65535) {
    return Status::invalidArgument("listen address '" + listen + "': port must be 0-65535");
  }
  return std::make_pair(host, static_cast<uint16_t>(std::stoul(port_text)));
}

Status HttpServer::Impl::listen() {
  beast::error_code ec;
  tcp::endpoint endpoint;
  auto address = net::ip::make_address(options_.host, ec);
  if (!ec) {
    endpoint = tcp::endpoint(address, options_.port);
  } else {
    tcp::resolver resolver(ioc_);
    auto results = resolver.resolve(options_.host, std::to_string(options_.port), ec);
    if (ec || results.empty()) {
      return Status::invalidArgument("cannot resolve listen host '" + options_.host + "'");
    }
    endpoint = results.begin()->endpoint();
  }
  auto fail = [&](const char* what) {
    return Status::unavailable(std::string("cannot listen on ") + options_.host + ":" +
                               std::to_string(options_.port) + " (" + what + "): " + ec.message());
  };
  acceptor_.open(endpoint.protocol(), ec);
  if (ec) return fail("open");
  acceptor_.set_option(net::socket_base::reuse_address(true), ec);
  if (ec) return fail("reuse_address");
  acceptor_.bind(endpoint, ec);
  if (ec) return fail("bind");
  acceptor_.listen(net::socket_base::max_listen_connections, ec);
  if (ec) return fail("listen");
  port_ = acceptor_.local_endpoint(ec).port();
  if (ec) return fail("local_endpoint");
  return Status();
}

void HttpServer::Impl::run() {
  describeServerMetrics();
  work_.emplace(net::make_work_guard(ioc_));
  doAccept();
  int n = std::max(1, options_.threads);
  for (int i = 0; i < n; ++i) {
    threads_.emplace_back([this] {
      for (;;) {
        try {
          ioc_.run();
          return;
        } catch (const std::exception& e) {
          // Handlers do not throw; this guards against a bug taking the whole server down.
          logError(std::string("http worker: unexpected exception: ") + e.what());
        }
      }
    });
  }
}

void HttpServer::Impl::doAccept() {
  acceptor_.async_accept(net::make_strand(ioc_), [this](beast::error_code ec, tcp::socket sock) {
    if (ec) {
      if (stopping_ || ec == net::error::operation_aborted) return;
      logWarn("http accept failed: " + ec.message());
    } else if (!stopping_) {
      // Every write is a whole response or a whole SSE chunk: sent at once, never held back by
      // Nagle's algorithm until the client's (possibly delayed) ACK of the previous one.
      beast::error_code nodelay_ec;
      sock.set_option(tcp::no_delay(true), nodelay_ec);
      startSession(std::move(sock), *this);
    }
    if (!stopping_) doAccept();
  });
}

void HttpServer::Impl::stop() {
  {
    MutexLock lock(stop_mu_);
    if (stop_started_) {
      stopped_cv_.wait(lock, [this]() WARD_REQUIRES(stop_mu_) { return stopped_; });
      return;
    }
    stop_started_ = true;
  }
  stopping_ = true;
  cancelStreams();
  // The acceptor is closed on its own executor; the promise is shared in case the wait times out.
  auto closed = std::make_shared<std::promise<void>>();
  std::future<void> closed_future = closed->get_future();
  net::post(acceptor_.get_executor(), [this, closed] {
    beast::error_code ec;
    acceptor_.close(ec);
    closed->set_value();
  });
  if (!threads_.empty()) closed_future.wait_for(options_.stop_grace);
  auto deadline = std::chrono::steady_clock::now() + options_.stop_grace;
  while (in_flight_.load() > 0 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  work_.reset();
  ioc_.stop();
  for (auto& t : threads_) {
    if (t.joinable()) t.join();
  }
  threads_.clear();
  std::vector<GaugeRegistration> gauges;
  {
    MutexLock lock(stop_mu_);
    gauges.swap(gauges_);
    stopped_ = true;
  }
  stopped_cv_.notifyAll();
}

HttpResponse HttpServer::Impl::handle(HttpRequest& request, std::string* route_label) {
  *route_label = "unmatched";
  std::string traceparent = request.header("traceparent");
  request.trace = traceparent.empty() ? trace::TraceContext::generate()
                                      : trace::TraceContext::fromTraceparent(traceparent);
  size_t q = request.target.find('?');
  request.path = request.target.substr(0, q);
  if (q != std::string::npos) {
    auto query = parseQueryString(std::string_view(request.target).substr(q + 1));
    if (!query.ok()) return errorResponse(query.status());
    request.query = std::move(query).value();
  }
  RouteMatch match = router_.match(request.method, request.path);
  if (match.route == nullptr) {
    if (match.path_matched) {
      return errorResponse(
          Status::notFound("method " + request.method + " is not allowed on " + request.path),
          ErrorOrigin::kMethodNotAllowed);
    }
    return errorResponse(Status::notFound("no route for " + request.method + " " + request.path));
  }
  *route_label = match.route->pattern;
  if (!match.status.ok()) return errorResponse(match.status);
  request.path_params = std::move(match.params);

  try {
    if (match.route->auth != AuthPolicy::kNone) {
      if (!authenticate_) return errorResponse(Status::unauthenticated("authentication required"));
      auto principal = (*authenticate_)(request);
      if (!principal.ok()) {
        HttpResponse denied = errorResponse(principal.status());
        if (options_.www_authenticate && denied.status == 401) {
          for (auto& [name, value] : denied.headers) {
            if (name == "WWW-Authenticate") value = options_.www_authenticate(request);
          }
        }
        return denied;
      }
      if (match.route->auth == AuthPolicy::kAdmin && !principal->admin) {
        return errorResponse(Status::permissionDenied("this endpoint requires an admin principal"));
      }
      request.principal = std::move(principal).value();
      request.authenticator = authenticate_;
    }
    Result<HttpResponse> result = match.route->handler(request);
    if (!result.ok()) return errorResponse(result.status());
    return std::move(result).value();
  } catch (const std::exception& e) {
    logError("http handler " + match.route->method + " " + match.route->pattern +
             " threw: " + e.what());
    return errorResponse(Status::internal("internal error"));
  }
}

void HttpServer::Impl::finish(const HttpRequest& request, const std::string& route_label,
                              HttpResponse& response,
                              std::chrono::steady_clock::time_point started) {
  response.headers.emplace_back("traceparent", request.trace.traceparent());
  double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  std::string method = request.method.empty() ? "-" : request.method;
  metrics().incrementCounter(
      kRequestsTotal,
      {{"route", route_label}, {"method", method}, {"code", std::to_string(response.status)}});
  metrics().observeHistogram(kRequestDuration, {{"route", route_label}, {"method", method}},
                             seconds);
  if (response.status >= 500) {
    logError("http " + method + " " + request.path + " -> " + std::to_string(response.status) +
             " trace=" + request.trace.trace_id + ": " + response.body.substr(0, 300));
  }
}

// --- HttpServer ---

HttpServer::HttpServer(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
HttpServer::~HttpServer() {
  if (impl_) impl_->stop();
}

Result<std::unique_ptr<HttpServer>> HttpServer::start(const ServerOptions& options, Router router,
                                                      Authenticator authenticate) {
  auto impl = std::make_unique<Impl>(options, std::move(router), std::move(authenticate));
  try {
    WARD_RETURN_IF_ERROR(impl->listen());
    impl->run();
  } catch (const std::exception& e) {
    return Status::unavailable(std::string("cannot start HTTP server: ") + e.what());
  }
  return std::unique_ptr<HttpServer>(new HttpServer(std::move(impl)));
}

uint16_t HttpServer::port() const { return impl_->port(); }

std::string HttpServer::address() const {
  const std::string& host = impl_->host();
  bool v6 = host.find(':') != std::string::npos;
  return (v6 ? "[" + host + "]" : host) + ":" + std::to_string(impl_->port());
}

void HttpServer::stop() { impl_->stop(); }
void HttpServer::wait() { impl_->wait(); }
void HttpServer::retain(GaugeRegistration gauge) { impl_->retain(std::move(gauge)); }

}  // namespace ward::http
