#include "ward/http/http_server.h"

#include <array>
#include <atomic>
#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <condition_variable>
#include <future>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

#include "ward/common/log.h"
#include "ward/http/error_mapping.h"

namespace ward::http {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using tcp = boost::asio::ip::tcp;

namespace {

constexpr char kRequestsTotal[] = "ward_http_requests_total";
constexpr char kRequestDuration[] = "ward_http_request_duration_seconds";
constexpr std::string_view kContinue = "HTTP/1.1 100 Continue\r\n\r\n";
// After a 413 the unread rest of the body is drained (up to this much) so that closing the socket
// does not reset the connection before the client has read the error.
constexpr size_t kMaxDrainBytes = 256u << 20;
constexpr std::chrono::seconds kDrainTimeout{5};

void describeServerMetrics() {
  static std::once_flag once;
  std::call_once(once, [] {
    metrics().describeCounter(kRequestsTotal, "HTTP requests by route, method and status code.");
    metrics().describeHistogram(kRequestDuration, "HTTP request duration in seconds by route.",
                                Metrics::defaultLatencyBuckets());
  });
}

std::string lowercase(boost::beast::string_view s) {
  std::string out(s.data(), s.size());
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
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

class HttpServer::Impl {
 public:
  Impl(ServerOptions options, Router router, Authenticator authenticate)
      : options_(std::move(options)),
        router_(std::move(router)),
        authenticate_(std::move(authenticate)),
        acceptor_(ioc_) {}

  ~Impl() { stop(); }

  Status listen();
  void run();
  void stop();
  void wait() {
    std::unique_lock<std::mutex> lock(stop_mu_);
    stopped_cv_.wait(lock, [this] { return stopped_; });
  }

  // Routes, authenticates and runs one request; never throws.
  HttpResponse handle(HttpRequest& request, std::string* route_label);
  // Fills trace headers and records metrics for a finished response.
  void finish(const HttpRequest& request, const std::string& route_label, HttpResponse& response,
              std::chrono::steady_clock::time_point started);

  const ServerOptions& options() const { return options_; }
  bool stopping() const { return stopping_.load(); }
  std::atomic<int>& inFlight() { return in_flight_; }
  uint16_t port() const { return port_; }
  const std::string& host() const { return options_.host; }
  void retain(GaugeRegistration g) {
    std::lock_guard<std::mutex> lock(stop_mu_);
    gauges_.push_back(std::move(g));
  }
  // Streamed responses in progress, cancelled by stop() so that it does not wait on them.
  void track(const std::shared_ptr<ResponseStream>& s) {
    std::lock_guard<std::mutex> lock(streams_mu_);
    if (stopping_) {
      s->cancel();
      return;
    }
    std::erase_if(streams_, [](const std::weak_ptr<ResponseStream>& w) { return w.expired(); });
    streams_.push_back(s);
  }
  void cancelStreams() {
    std::vector<std::weak_ptr<ResponseStream>> all;
    {
      std::lock_guard<std::mutex> lock(streams_mu_);
      all.swap(streams_);
    }
    for (auto& w : all) {
      if (auto s = w.lock()) s->cancel();
    }
  }

 private:
  void doAccept();

  ServerOptions options_;
  Router router_;
  Authenticator authenticate_;
  net::io_context ioc_;  // declared before the sockets that use it
  tcp::acceptor acceptor_;
  std::optional<net::executor_work_guard<net::io_context::executor_type>> work_;
  std::vector<std::thread> threads_;
  std::atomic<int> in_flight_{0};
  std::atomic<bool> stopping_{false};
  uint16_t port_ = 0;

  std::mutex stop_mu_;
  std::condition_variable stopped_cv_;
  bool stop_started_ = false;              // guarded by stop_mu_
  bool stopped_ = false;                   // guarded by stop_mu_
  std::vector<GaugeRegistration> gauges_;  // guarded by stop_mu_
  std::mutex streams_mu_;
  std::vector<std::weak_ptr<ResponseStream>> streams_;  // guarded by streams_mu_
};

// One connection: reads requests one after another (keep-alive) and writes each response.
class Session : public std::enable_shared_from_this<Session> {
 public:
  Session(tcp::socket socket, HttpServer::Impl& server)
      : stream_(std::move(socket)), server_(server) {}
  ~Session() {
    if (out_) {  // defensive: a streamed response must never leave the in-flight count raised
      out_->cancel();
      out_->attach(nullptr);
      server_.inFlight()--;
    }
  }

  void start() {
    net::dispatch(stream_.get_executor(), [self = shared_from_this()] { self->readHeader(); });
  }

 private:
  void readHeader() {
    parser_.emplace();
    parser_->body_limit(server_.options().max_body_bytes);
    parser_->header_limit(static_cast<uint32_t>(server_.options().max_header_bytes));
    stream_.expires_after(server_.options().read_timeout);
    bhttp::async_read_header(
        stream_, buffer_, *parser_,
        [self = shared_from_this()](beast::error_code ec, size_t) { self->onHeader(ec); });
  }

  void onHeader(beast::error_code ec) {
    if (ec) return onReadError(ec);
    started_ = std::chrono::steady_clock::now();
    const auto& req = parser_->get();
    auto expect = req.find(bhttp::field::expect);
    if (expect != req.end() && lowercase(expect->value()) == "100-continue") {
      net::async_write(stream_, net::buffer(kContinue.data(), kContinue.size()),
                       [self = shared_from_this()](beast::error_code ec, size_t) {
                         if (ec) return self->close();
                         self->readBody();
                       });
      return;
    }
    readBody();
  }

  void readBody() {
    stream_.expires_after(server_.options().read_timeout);
    bhttp::async_read(
        stream_, buffer_, *parser_,
        [self = shared_from_this()](beast::error_code ec, size_t) { self->onRead(ec); });
  }

  void onReadError(beast::error_code ec) {
    if (ec == bhttp::error::body_limit) {
      return writeFramingError(
          Status::resourceExhausted("request body exceeds the limit of " +
                                    std::to_string(server_.options().max_body_bytes) + " bytes"),
          ErrorOrigin::kBodyTooLarge, /*drain=*/true);
    }
    if (ec == bhttp::error::header_limit) {
      return writeFramingError(
          Status::resourceExhausted("request headers exceed the limit of " +
                                    std::to_string(server_.options().max_header_bytes) + " bytes"),
          ErrorOrigin::kHeadersTooLarge, /*drain=*/false);
    }
    bool parse_error = ec.category() == bhttp::make_error_code(bhttp::error::bad_method).category();
    if (parse_error && ec != bhttp::error::end_of_stream && ec != bhttp::error::partial_message) {
      return writeFramingError(Status::invalidArgument("malformed HTTP request: " + ec.message()),
                               ErrorOrigin::kHandler, /*drain=*/false);
    }
    // Peer closed, went idle past the read timeout, or a socket error: nothing useful to write.
    close();
  }

  HttpRequest toRequest(bhttp::request<bhttp::string_body>& req) {
    HttpRequest out;
    out.method = std::string(req.method_string());
    out.target = std::string(req.target());
    for (const auto& field : req) {
      std::string name = lowercase(field.name_string());
      auto [it, inserted] = out.headers.emplace(name, std::string(field.value()));
      if (!inserted) it->second += ", " + std::string(field.value());
    }
    out.body = std::move(req.body());
    beast::error_code ec;
    auto remote = stream_.socket().remote_endpoint(ec);
    if (!ec)
      out.remote_address = remote.address().to_string() + ":" + std::to_string(remote.port());
    return out;
  }

  void onRead(beast::error_code ec) {
    if (ec) return onReadError(ec);
    server_.inFlight()++;
    auto& req = parser_->get();
    keep_alive_ = req.keep_alive() && !server_.stopping();
    version_ = req.version();
    HttpRequest request = toRequest(req);
    std::string route_label;
    HttpResponse response = server_.handle(request, &route_label);
    server_.finish(request, route_label, response, started_);
    write(std::move(response), /*drain=*/false);
  }

  // A request that could not be read completely: answer with a JSON error and close.
  void writeFramingError(const Status& status, ErrorOrigin origin, bool drain) {
    server_.inFlight()++;
    HttpRequest request;
    version_ = 11;
    if (parser_ && parser_->is_header_done()) {
      const auto& req = parser_->get();
      request.method = std::string(req.method_string());
      request.target = std::string(req.target());
      version_ = req.version();
      auto tp = req.find("traceparent");
      request.trace = tp != req.end()
                          ? audit::TraceContext::fromTraceparent(std::string(tp->value()))
                          : audit::TraceContext::generate();
    } else {
      request.trace = audit::TraceContext::generate();
      started_ = std::chrono::steady_clock::now();
    }
    keep_alive_ = false;
    HttpResponse response = errorResponse(status, origin);
    server_.finish(request, "-", response, started_);
    write(std::move(response), drain);
  }

  void write(HttpResponse response, bool drain) {
    if (response.stream) return writeStreamed(std::move(response));
    res_ = {};
    res_.version(version_);
    res_.result(static_cast<unsigned>(response.status));
    res_.set(bhttp::field::server, "ward");
    res_.set(bhttp::field::content_type, response.content_type);
    for (const auto& [name, value] : response.headers) res_.set(name, value);
    res_.body() = std::move(response.body);
    res_.keep_alive(keep_alive_);
    res_.prepare_payload();
    stream_.expires_after(server_.options().read_timeout);
    bhttp::async_write(stream_, res_,
                       [self = shared_from_this(), drain](beast::error_code ec, size_t) {
                         self->server_.inFlight()--;
                         if (ec) return self->close();
                         if (drain) return self->drainAndClose();
                         if (!self->keep_alive_) return self->close();
                         self->readHeader();
                       });
  }

  // A streamed body: the header now, then chunks as the producer writes them; the connection is
  // closed afterwards. A read on the socket meanwhile notices a client that goes away.
  void writeStreamed(HttpResponse response) {
    out_ = std::move(response.stream);
    server_.track(out_);
    sres_ = {};
    sres_.version(version_);
    sres_.result(static_cast<unsigned>(response.status));
    sres_.set(bhttp::field::server, "ward");
    sres_.set(bhttp::field::content_type, response.content_type);
    for (const auto& [name, value] : response.headers) sres_.set(name, value);
    sres_.keep_alive(false);
    // HTTP/1.0 has no chunked encoding: its body simply ends when the connection closes.
    chunked_ = version_ >= 11;
    sres_.chunked(chunked_);
    stream_.expires_never();
    sser_.emplace(sres_);
    bhttp::async_write_header(stream_, *sser_,
                              [self = shared_from_this()](beast::error_code ec, size_t) {
                                if (ec) {
                                  self->out_->cancel();
                                  return self->endStream();
                                }
                                self->watchPeer();
                                std::weak_ptr<Session> weak = self;
                                auto executor = self->stream_.get_executor();
                                self->out_->attach([weak, executor] {
                                  net::post(executor, [weak] {
                                    if (auto s = weak.lock()) s->pump();
                                  });
                                });
                                self->pump();
                              });
  }

  void watchPeer() {
    stream_.socket().async_read_some(
        net::buffer(watch_buf_), [self = shared_from_this()](beast::error_code ec, size_t) {
          if (!self->out_) return;
          if (ec) {  // the client went away
            self->out_->cancel();
            return self->pump();  // now: this handler may hold the last reference to us
          }
          self->watchPeer();  // bytes of a pipelined request: the connection closes after this
        });
  }

  // Runs on the connection's strand: sends what the producer queued, one write at a time.
  void pump() {
    if (!out_) return;
    if (out_->cancelled()) {
      if (!writing_) return endStream();
      return close();  // aborts the pending write; its handler ends the stream
    }
    if (writing_) return;
    std::string data;
    bool finished = false;
    out_->take(&data, &finished);
    if (out_->cancelled()) return endStream();
    if (!data.empty()) {
      writing_ = true;
      chunk_ = std::move(data);
      auto done = [self = shared_from_this()](beast::error_code ec, size_t) {
        self->writing_ = false;
        if (ec) self->out_->cancel();
        self->pump();
      };
      if (chunked_) {
        net::async_write(stream_, bhttp::make_chunk(net::buffer(chunk_)), std::move(done));
      } else {
        net::async_write(stream_, net::buffer(chunk_), std::move(done));
      }
      return;
    }
    if (!finished) return;
    if (!chunked_) return endStream();
    writing_ = true;
    net::async_write(stream_, bhttp::make_chunk_last(),
                     [self = shared_from_this()](beast::error_code, size_t) {
                       self->writing_ = false;
                       self->endStream();
                     });
  }

  void endStream() {
    if (!out_) return;
    out_->attach(nullptr);
    out_.reset();
    server_.inFlight()--;
    close();
  }

  void drainAndClose() {
    beast::error_code ec;
    stream_.socket().shutdown(tcp::socket::shutdown_send, ec);
    drain_buffer_.resize(64 << 10);
    drainSome();
  }

  void drainSome() {
    if (drained_ >= kMaxDrainBytes) return close();
    stream_.expires_after(kDrainTimeout);
    stream_.async_read_some(net::buffer(drain_buffer_),
                            [self = shared_from_this()](beast::error_code ec, size_t n) {
                              if (ec) return self->close();
                              self->drained_ += n;
                              self->drainSome();
                            });
  }

  void close() {
    beast::error_code ec;
    stream_.socket().shutdown(tcp::socket::shutdown_both, ec);
    stream_.close();
  }

  beast::tcp_stream stream_;
  HttpServer::Impl& server_;
  beast::flat_buffer buffer_;
  std::optional<bhttp::request_parser<bhttp::string_body>> parser_;
  bhttp::response<bhttp::string_body> res_;
  std::chrono::steady_clock::time_point started_ = std::chrono::steady_clock::now();
  unsigned version_ = 11;
  bool keep_alive_ = true;
  std::vector<char> drain_buffer_;
  size_t drained_ = 0;
  // A streamed response in progress (writeStreamed).
  std::shared_ptr<ResponseStream> out_;
  bhttp::response<bhttp::empty_body> sres_;
  std::optional<bhttp::response_serializer<bhttp::empty_body>> sser_;
  std::string chunk_;
  bool chunked_ = true;
  bool writing_ = false;
  std::array<char, 1024> watch_buf_{};
};

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
      std::make_shared<Session>(std::move(sock), *this)->start();
    }
    if (!stopping_) doAccept();
  });
}

void HttpServer::Impl::stop() {
  {
    std::unique_lock<std::mutex> lock(stop_mu_);
    if (stop_started_) {
      stopped_cv_.wait(lock, [this] { return stopped_; });
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
    std::lock_guard<std::mutex> lock(stop_mu_);
    gauges.swap(gauges_);
    stopped_ = true;
  }
  stopped_cv_.notify_all();
}

HttpResponse HttpServer::Impl::handle(HttpRequest& request, std::string* route_label) {
  *route_label = "unmatched";
  std::string traceparent = request.header("traceparent");
  request.trace = traceparent.empty() ? audit::TraceContext::generate()
                                      : audit::TraceContext::fromTraceparent(traceparent);
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
      auto principal = authenticate_(request);
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
