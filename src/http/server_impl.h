// HttpServer's state, shared by the server (http_server.cc: listening, workers, routing, stop)
// and its connections (http_session.cc: reading requests, writing and streaming responses).
// Private to src/http.
#pragma once

#include <atomic>
#include <utility>  // before Boost.Asio, which uses std::exchange
#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "ward/common/mutex.h"
#include "ward/http/deferred_response.h"
#include "ward/http/http_server.h"

namespace ward::http {

namespace net = boost::asio;
namespace beast = boost::beast;
using tcp = boost::asio::ip::tcp;

class HttpServer::Impl {
 public:
  Impl(ServerOptions options, Router router, Authenticator authenticate)
      : options_(std::move(options)),
        router_(std::move(router)),
        authenticate_(authenticate ? std::make_shared<const Authenticator>(std::move(authenticate))
                                   : nullptr),
        acceptor_(ioc_) {}

  ~Impl() { stop(); }

  Status listen();
  void run();
  void stop();
  void wait() {
    MutexLock lock(stop_mu_);
    stopped_cv_.wait(lock, [this]() WARD_REQUIRES(stop_mu_) { return stopped_; });
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
    MutexLock lock(stop_mu_);
    gauges_.push_back(std::move(g));
  }
  // Streamed responses in progress, cancelled by stop() so that it does not wait on them. One
  // its producer already closed is left to finish: its last bytes (a subscription's final
  // result) go out while stop() waits for in-flight requests, at most its stop grace.
  void track(const std::shared_ptr<ResponseStream>& s) {
    MutexLock lock(streams_mu_);
    if (stopping_) {
      if (!s->closed()) s->cancel();
      return;
    }
    std::erase_if(streams_, [](const std::weak_ptr<ResponseStream>& w) { return w.expired(); });
    streams_.push_back(s);
  }
  void cancelStreams() {
    std::vector<std::weak_ptr<ResponseStream>> all;
    std::vector<std::weak_ptr<DeferredResponse>> deferred;
    {
      MutexLock lock(streams_mu_);
      all.swap(streams_);
      deferred.swap(deferred_);
    }
    for (auto& w : all) {
      if (auto s = w.lock(); s && !s->closed()) s->cancel();
    }
    for (auto& w : deferred) {
      if (auto d = w.lock()) d->abandon(Status::unavailable("the server is stopping"));
    }
  }
  // Deferred responses waiting for their answer: stop() answers them 503 (and their producers
  // are told to stop), so that it does not wait on them.
  void track(const std::shared_ptr<DeferredResponse>& d) {
    {
      MutexLock lock(streams_mu_);
      if (!stopping_) {
        std::erase_if(deferred_,
                      [](const std::weak_ptr<DeferredResponse>& w) { return w.expired(); });
        deferred_.push_back(d);
        return;
      }
    }
    d->abandon(Status::unavailable("the server is stopping"));
  }

 private:
  void doAccept();

  ServerOptions options_;
  Router router_;
  // Shared with each authenticated HttpRequest (HttpRequest::authenticator); null = none.
  std::shared_ptr<const Authenticator> authenticate_;
  net::io_context ioc_;  // declared before the sockets that use it
  tcp::acceptor acceptor_;
  std::optional<net::executor_work_guard<net::io_context::executor_type>> work_;
  std::vector<std::thread> threads_;
  std::atomic<int> in_flight_{0};
  std::atomic<bool> stopping_{false};
  uint16_t port_ = 0;

  Mutex stop_mu_;
  CondVar stopped_cv_;
  bool stop_started_ WARD_GUARDED_BY(stop_mu_) = false;
  bool stopped_ WARD_GUARDED_BY(stop_mu_) = false;
  std::vector<GaugeRegistration> gauges_ WARD_GUARDED_BY(stop_mu_);
  Mutex streams_mu_;
  std::vector<std::weak_ptr<ResponseStream>> streams_ WARD_GUARDED_BY(streams_mu_);
  std::vector<std::weak_ptr<DeferredResponse>> deferred_ WARD_GUARDED_BY(streams_mu_);
};

// Serves one accepted connection (keep-alive requests, streamed responses) until it closes.
void startSession(tcp::socket socket, HttpServer::Impl& server);

}  // namespace ward::http
