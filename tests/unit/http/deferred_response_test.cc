// Deferred responses (deferred_response.h): a handler returns at once and another thread answers
// later, so more requests can wait than there are worker threads while others are still served.
// Event-driven: the only deadlines are generous ones on things that must happen.
#include "ward/http/deferred_response.h"

#include <gtest/gtest.h>

#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include <condition_variable>
#include <future>
#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "ward/http/http_server.h"

namespace ward::http {
namespace {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using tcp = net::ip::tcp;

constexpr int kWorkers = 2;
constexpr std::chrono::seconds kGenerous{60};

class DeferredResponseTest : public ::testing::Test {
 protected:
  void SetUp() override {
    Router router;
    ASSERT_TRUE(router
                    .add({"GET", "/ping", AuthPolicy::kNone,
                          [](const HttpRequest&) -> Result<HttpResponse> {
                            return HttpResponse::json(Json{{"pong", true}});
                          }})
                    .ok());
    ASSERT_TRUE(router
                    .add({"GET", "/later", AuthPolicy::kNone,
                          [this](const HttpRequest& r) -> Result<HttpResponse> {
                            auto d = std::make_shared<DeferredResponse>();
                            d->onCancel([this] {
                              std::lock_guard<std::mutex> lock(mu_);
                              ++cancelled_;
                              cv_.notify_all();
                            });
                            std::lock_guard<std::mutex> lock(mu_);
                            pending_.push_back(d);
                            by_client_[r.queryParam("n")] = d;
                            cv_.notify_all();
                            return HttpResponse::later(d);
                          }})
                    .ok());
    ServerOptions options;
    options.port = 0;
    options.threads = kWorkers;
    auto server = HttpServer::start(options, std::move(router), nullptr);
    ASSERT_TRUE(server.ok()) << server.status().toString();
    server_ = std::move(server).value();
  }

  void TearDown() override {
    if (server_) server_->stop();
  }

  std::unique_ptr<beast::tcp_stream> open(const std::string& target) {
    auto s = std::make_unique<beast::tcp_stream>(ioc_);
    s->expires_after(kGenerous);
    s->connect(tcp::endpoint(net::ip::make_address("127.0.0.1"), server_->port()));
    bhttp::request<bhttp::empty_body> req{bhttp::verb::get, target, 11};
    req.set(bhttp::field::host, "127.0.0.1");
    bhttp::write(*s, req);
    return s;
  }

  static bhttp::response<bhttp::string_body> read(beast::tcp_stream& s) {
    beast::flat_buffer buffer;
    bhttp::response<bhttp::string_body> res;
    bhttp::read(s, buffer, res);
    return res;
  }

  bool waitUntil(const std::function<bool()>& done) {
    std::unique_lock<std::mutex> lock(mu_);
    return cv_.wait_for(lock, kGenerous, done);
  }

  net::io_context ioc_;
  std::unique_ptr<HttpServer> server_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<std::shared_ptr<DeferredResponse>> pending_;  // guarded by mu_
  // By the client's ?n= (workers run handlers in any order).
  std::map<std::string, std::shared_ptr<DeferredResponse>> by_client_;  // guarded by mu_
  int cancelled_ = 0;                                                   // guarded by mu_
};

TEST_F(DeferredResponseTest, MoreWaitersThanWorkersAndOtherRequestsStillAnswer) {
  constexpr int kWaiters = kWorkers * 3;
  std::vector<std::unique_ptr<beast::tcp_stream>> clients;
  for (int i = 0; i < kWaiters; ++i) clients.push_back(open("/later?n=" + std::to_string(i)));
  ASSERT_TRUE(waitUntil([&] { return pending_.size() == kWaiters; }));

  // Every worker would be busy if waiting held one; this must still be served.
  auto ping = open("/ping");
  auto pong = read(*ping);
  EXPECT_EQ(pong.result_int(), 200);
  EXPECT_EQ(Json::parse(pong.body())["pong"], true);

  std::vector<std::shared_ptr<DeferredResponse>> answers;
  {
    std::lock_guard<std::mutex> lock(mu_);
    for (int i = 0; i < kWaiters; ++i) answers.push_back(by_client_.at(std::to_string(i)));
  }
  for (int i = 0; i < kWaiters; ++i) {
    if (i == 0) {
      answers[i]->complete(Status::resourceExhausted("too many").withRetryAfterSeconds(1));
    } else {
      answers[i]->complete(HttpResponse::json(Json{{"n", i}}));
    }
  }
  for (int i = 0; i < kWaiters; ++i) {
    auto res = read(*clients[i]);
    if (i == 0) {
      EXPECT_EQ(res.result_int(), 429);
      EXPECT_EQ(Json::parse(res.body())["error"]["code"], "resource_exhausted");
      EXPECT_EQ(res[bhttp::field::retry_after], "1");
    } else {
      EXPECT_EQ(res.result_int(), 200);
      EXPECT_EQ(Json::parse(res.body())["n"], i);
    }
    EXPECT_FALSE(res.keep_alive());
  }
  std::lock_guard<std::mutex> lock(mu_);
  EXPECT_EQ(cancelled_, 0);
}

TEST_F(DeferredResponseTest, AnAnswerGivenBeforeTheHandlerReturnedIsWritten) {
  auto d = std::make_shared<DeferredResponse>();
  d->complete(HttpResponse::json(Json{{"early", true}}));
  auto taken = d->take();
  ASSERT_TRUE(taken.has_value());
  EXPECT_TRUE(taken->ok());
  EXPECT_FALSE(d->cancelled());
}

TEST_F(DeferredResponseTest, AClientThatGoesAwayCancelsTheProducer) {
  auto client = open("/later");
  ASSERT_TRUE(waitUntil([&] { return pending_.size() == 1; }));
  client->socket().close();
  ASSERT_TRUE(waitUntil([&] { return cancelled_ == 1; }));
  std::lock_guard<std::mutex> lock(mu_);
  EXPECT_TRUE(pending_[0]->cancelled());
}

TEST_F(DeferredResponseTest, StopAnswersWaitingRequests503) {
  auto client = open("/later");
  ASSERT_TRUE(waitUntil([&] { return pending_.size() == 1; }));
  std::thread stopper([this] { server_->stop(); });
  auto res = read(*client);
  stopper.join();
  EXPECT_EQ(res.result_int(), 503);
  EXPECT_EQ(Json::parse(res.body())["error"]["code"], "unavailable");
  std::lock_guard<std::mutex> lock(mu_);
  EXPECT_EQ(cancelled_, 1);  // the producer was told to stop
}

}  // namespace
}  // namespace ward::http
