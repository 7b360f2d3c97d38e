// The server core on port 0 with test routes, driven by a real Beast client.
#include "ward/http/http_server.h"

#include <gtest/gtest.h>

#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include <future>
#include <thread>

#include "ward/http/error_mapping.h"

namespace ward::http {
namespace {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using tcp = net::ip::tcp;

using Response = bhttp::response<bhttp::string_body>;

class HttpServerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    Router router;
    ASSERT_TRUE(router
                    .add({"GET", "/ping", AuthPolicy::kNone,
                          [](const HttpRequest&) -> Result<HttpResponse> {
                            return HttpResponse::json(Json{{"pong", true}});
                          }})
                    .ok());
    ASSERT_TRUE(
        router
            .add({"POST", "/echo", AuthPolicy::kNone,
                  [](const HttpRequest& r) -> Result<HttpResponse> {
                    WARD_ASSIGN_OR_RETURN(Json body, r.jsonBody());
                    return HttpResponse::created(Json{{"body", body}, {"q", r.queryParam("q")}});
                  }})
            .ok());
    ASSERT_TRUE(router
                    .add({"GET", "/docs/{id*}", AuthPolicy::kNone,
                          [](const HttpRequest& r) -> Result<HttpResponse> {
                            return HttpResponse::json(Json{{"id", r.pathParam("id")}});
                          }})
                    .ok());
    ASSERT_TRUE(router
                    .add({"GET", "/me", AuthPolicy::kPrincipal,
                          [](const HttpRequest& r) -> Result<HttpResponse> {
                            return HttpResponse::json(Json{{"name", r.principal->name}});
                          }})
                    .ok());
    ASSERT_TRUE(router
                    .add({"GET", "/admin", AuthPolicy::kAdmin,
                          [](const HttpRequest&) -> Result<HttpResponse> {
                            return HttpResponse::json(Json::object());
                          }})
                    .ok());
    ASSERT_TRUE(router
                    .add({"GET", "/boom", AuthPolicy::kNone,
                          [](const HttpRequest&) -> Result<HttpResponse> {
                            throw std::runtime_error("bug");
                          }})
                    .ok());
    // Streams "one\n", "two\n" written by another thread, then ends the body.
    ASSERT_TRUE(router
                    .add({"GET", "/stream", AuthPolicy::kNone,
                          [](const HttpRequest&) -> Result<HttpResponse> {
                            HttpResponse r;
                            r.content_type = "text/event-stream";
                            r.stream = std::make_shared<ResponseStream>();
                            std::thread([s = r.stream] {
                              s->write("one\n");
                              std::this_thread::sleep_for(std::chrono::milliseconds(20));
                              s->write("two\n");
                              s->close();
                            }).detach();
                            return r;
                          }})
                    .ok());
    // Holds a stream open until it is cancelled.
    ASSERT_TRUE(router
                    .add({"GET", "/hold", AuthPolicy::kNone,
                          [this](const HttpRequest&) -> Result<HttpResponse> {
                            HttpResponse r;
                            r.stream = std::make_shared<ResponseStream>();
                            r.stream->write("held\n");
                            r.stream->onCancel([this] { held_cancelled_.set_value(); });
                            held_ = r.stream;
                            return r;
                          }})
                    .ok());
    Authenticator auth = [](const HttpRequest& r) -> Result<identity::Principal> {
      std::string key = r.header("x-api-key");
      if (key != "user" && key != "admin") return Status::unauthenticated("invalid API key");
      identity::Principal p;
      p.tenant = "default";
      p.name = key;
      p.admin = key == "admin";
      return p;
    };
    ServerOptions options;
    options.port = 0;
    options.threads = 2;
    options.max_body_bytes = 1024;
    auto server = HttpServer::start(options, std::move(router), auth);
    ASSERT_TRUE(server.ok()) << server.status().toString();
    server_ = std::move(server).value();
    ASSERT_NE(server_->port(), 0);
  }

  void TearDown() override {
    if (server_) server_->stop();
  }

  void connect() {
    stream_ = std::make_unique<beast::tcp_stream>(ioc_);
    stream_->expires_after(std::chrono::seconds(60));  // stops a hung test; not a timing check
    stream_->connect(tcp::endpoint(net::ip::make_address("127.0.0.1"), server_->port()));
  }

  Response send(bhttp::verb verb, const std::string& target, const std::string& body = "",
                const std::vector<std::pair<std::string, std::string>>& headers = {}) {
    if (!stream_) connect();
    bhttp::request<bhttp::string_body> req{verb, target, 11};
    req.set(bhttp::field::host, "127.0.0.1");
    for (const auto& [k, v] : headers) req.set(k, v);
    req.body() = body;
    req.prepare_payload();
    bhttp::write(*stream_, req);
    beast::flat_buffer buffer;
    Response res;
    bhttp::read(*stream_, buffer, res);
    return res;
  }

  static Json errorOf(const Response& res) { return Json::parse(res.body())["error"]; }

  // Opens /hold and reads its header and first chunk.
  void openHeld() {
    connect();
    bhttp::request<bhttp::empty_body> req{bhttp::verb::get, "/hold", 11};
    req.set(bhttp::field::host, "127.0.0.1");
    bhttp::write(*stream_, req);
    held_parser_ = std::make_unique<bhttp::response_parser<bhttp::string_body>>();
    bhttp::read_header(*stream_, held_buffer_, *held_parser_);
    ASSERT_EQ(held_parser_->get().result_int(), 200);
    ASSERT_TRUE(held_parser_->chunked());
  }

  net::io_context ioc_;
  std::unique_ptr<beast::tcp_stream> stream_;
  std::unique_ptr<HttpServer> server_;
  std::shared_ptr<ResponseStream> held_;
  std::promise<void> held_cancelled_;
  beast::flat_buffer held_buffer_;
  std::unique_ptr<bhttp::response_parser<bhttp::string_body>> held_parser_;
};

TEST_F(HttpServerTest, ServesRouteWithKeepAlive) {
  Response a = send(bhttp::verb::get, "/ping");
  EXPECT_EQ(a.result_int(), 200);
  EXPECT_EQ(Json::parse(a.body())["pong"], true);
  EXPECT_EQ(a[bhttp::field::content_type], "application/json");
  EXPECT_TRUE(a.keep_alive());
  Response b = send(bhttp::verb::get, "/ping");  // same connection
  EXPECT_EQ(b.result_int(), 200);
}

TEST_F(HttpServerTest, UnknownRouteIs404Json) {
  Response r = send(bhttp::verb::get, "/nope");
  EXPECT_EQ(r.result_int(), 404);
  EXPECT_EQ(errorOf(r)["code"], "not_found");
}

TEST_F(HttpServerTest, WrongMethodIs405Json) {
  Response r = send(bhttp::verb::delete_, "/ping");
  EXPECT_EQ(r.result_int(), 405);
  EXPECT_EQ(errorOf(r)["code"], "not_found");
}

TEST_F(HttpServerTest, MalformedJsonIs400Json) {
  Response r = send(bhttp::verb::post, "/echo", "{\"a\": ", {{"Content-Type", "application/json"}});
  EXPECT_EQ(r.result_int(), 400);
  EXPECT_EQ(errorOf(r)["code"], "invalid_argument");
  EXPECT_FALSE(errorOf(r)["message"].get<std::string>().empty());
}

TEST_F(HttpServerTest, JsonBodyAndQueryReachHandler) {
  Response r = send(bhttp::verb::post, "/echo?q=a+b%21", "{\"x\":1}");
  EXPECT_EQ(r.result_int(), 201);
  Json j = Json::parse(r.body());
  EXPECT_EQ(j["body"]["x"], 1);
  EXPECT_EQ(j["q"], "a b!");
}

TEST_F(HttpServerTest, OversizedBodyIs413Json) {
  Response r = send(bhttp::verb::post, "/echo", std::string(5000, 'x'));
  EXPECT_EQ(r.result_int(), 413);
  EXPECT_EQ(errorOf(r)["code"], "resource_exhausted");
  EXPECT_FALSE(r.keep_alive());
}

TEST_F(HttpServerTest, OversizedHeadersAre431) {
  std::vector<std::pair<std::string, std::string>> headers;
  for (int i = 0; i < 10; ++i)
    headers.emplace_back("X-Big-" + std::to_string(i), std::string(8000, 'a'));
  Response r = send(bhttp::verb::get, "/ping", "", headers);
  EXPECT_EQ(r.result_int(), 431);
  EXPECT_EQ(errorOf(r)["code"], "resource_exhausted");
}

TEST_F(HttpServerTest, EncodedSlashInPathParam) {
  Response r = send(bhttp::verb::get, "/docs/notes%2Fa%20b.md");
  EXPECT_EQ(r.result_int(), 200);
  EXPECT_EQ(Json::parse(r.body())["id"], "notes/a b.md");
}

TEST_F(HttpServerTest, AuthRequiredAndAdminEnforced) {
  Response r = send(bhttp::verb::get, "/me");
  EXPECT_EQ(r.result_int(), 401);
  EXPECT_EQ(errorOf(r)["code"], "unauthenticated");
  EXPECT_EQ(std::string(r[bhttp::field::www_authenticate]).rfind("Bearer", 0), 0u);
  r = send(bhttp::verb::get, "/me", "", {{"X-Api-Key", "user"}});
  EXPECT_EQ(r.result_int(), 200);
  EXPECT_EQ(Json::parse(r.body())["name"], "user");
  r = send(bhttp::verb::get, "/admin", "", {{"X-Api-Key", "user"}});
  EXPECT_EQ(r.result_int(), 403);
  EXPECT_EQ(errorOf(r)["code"], "permission_denied");
  r = send(bhttp::verb::get, "/admin", "", {{"X-Api-Key", "admin"}});
  EXPECT_EQ(r.result_int(), 200);
}

TEST_F(HttpServerTest, HandlerExceptionIs500Json) {
  Response r = send(bhttp::verb::get, "/boom");
  EXPECT_EQ(r.result_int(), 500);
  EXPECT_EQ(errorOf(r)["code"], "internal");
}

TEST_F(HttpServerTest, TraceparentIsContinued) {
  const std::string trace_id = "4bf92f3577b34da6a3ce929d0e0e4736";
  Response r = send(bhttp::verb::get, "/ping", "",
                    {{"traceparent", "00-" + trace_id + "-00f067aa0ba902b7-01"}});
  std::string tp(r["traceparent"]);
  EXPECT_EQ(tp.size(), 55u);
  EXPECT_NE(tp.find(trace_id), std::string::npos);
  Response fresh = send(bhttp::verb::get, "/ping");
  EXPECT_EQ(std::string(fresh["traceparent"]).size(), 55u);
}

TEST_F(HttpServerTest, CountsRequestsInMetrics) {
  MetricLabels labels{{"route", "/ping"}, {"method", "GET"}, {"code", "200"}};
  double before = metrics().counterValue("ward_http_requests_total", labels);
  send(bhttp::verb::get, "/ping");
  EXPECT_EQ(metrics().counterValue("ward_http_requests_total", labels), before + 1);
  EXPECT_GE(metrics().histogramCount("ward_http_request_duration_seconds",
                                     {{"route", "/ping"}, {"method", "GET"}}),
            1u);
}

TEST_F(HttpServerTest, StopClosesListener) {
  uint16_t port = server_->port();
  server_->stop();
  server_->stop();  // idempotent
  beast::tcp_stream s(ioc_);
  beast::error_code ec;
  s.socket().connect(tcp::endpoint(net::ip::make_address("127.0.0.1"), port), ec);
  EXPECT_TRUE(ec);
}

TEST_F(HttpServerTest, StreamsChunksWrittenByAnotherThread) {
  Response r = send(bhttp::verb::get, "/stream");
  EXPECT_EQ(r.result_int(), 200);
  EXPECT_EQ(r[bhttp::field::content_type], "text/event-stream");
  EXPECT_EQ(r[bhttp::field::transfer_encoding], "chunked");
  EXPECT_TRUE(r.keep_alive());  // chunked: the connection carries the next request
  EXPECT_EQ(r.body(), "one\ntwo\n");
}

// Two streamed requests and a plain one, one after the other on one connection.
TEST_F(HttpServerTest, OneConnectionCarriesStreamAfterStream) {
  for (int i = 0; i < 2; ++i) {
    Response r = send(bhttp::verb::get, "/stream");
    EXPECT_EQ(r.result_int(), 200);
    EXPECT_TRUE(r.chunked());
    EXPECT_TRUE(r.keep_alive());
    EXPECT_EQ(r.body(), "one\ntwo\n");
  }
  Response ping = send(bhttp::verb::get, "/ping");
  EXPECT_EQ(ping.result_int(), 200);
  EXPECT_EQ(Json::parse(ping.body())["pong"], true);
}

// The next requests written before the stream's answer ended (pipelined, in one write): read
// while the stream is written, kept, and answered in order afterwards.
TEST_F(HttpServerTest, RequestsPipelinedBehindAStreamAreAnsweredAfterIt) {
  connect();
  const std::string two =
      "GET /stream HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"
      "GET /stream HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"
      "GET /ping HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n";
  net::write(*stream_, net::buffer(two));
  beast::flat_buffer buffer;
  for (int i = 0; i < 2; ++i) {
    Response r;
    bhttp::read(*stream_, buffer, r);
    EXPECT_EQ(r.result_int(), 200);
    EXPECT_EQ(r.body(), "one\ntwo\n");
  }
  Response ping;
  bhttp::read(*stream_, buffer, ping);
  EXPECT_EQ(ping.result_int(), 200);
  EXPECT_EQ(Json::parse(ping.body())["pong"], true);
}

TEST_F(HttpServerTest, AStreamAskedWithConnectionCloseClosesAfterIt) {
  Response r = send(bhttp::verb::get, "/stream", "", {{"connection", "close"}});
  EXPECT_EQ(r.body(), "one\ntwo\n");
  EXPECT_FALSE(r.keep_alive());
  char byte = 0;
  beast::error_code ec;
  stream_->read_some(net::buffer(&byte, 1), ec);
  EXPECT_EQ(ec, net::error::eof);
}

TEST_F(HttpServerTest, StreamsToHttp10ClientsUntilClose) {
  connect();
  bhttp::request<bhttp::empty_body> req{bhttp::verb::get, "/stream", 10};
  bhttp::write(*stream_, req);
  beast::flat_buffer buffer;
  Response r;
  beast::error_code ec;
  bhttp::read(*stream_, buffer, r, ec);
  EXPECT_EQ(r.result_int(), 200);
  EXPECT_FALSE(r.chunked());
  EXPECT_EQ(r.body(), "one\ntwo\n");
}

TEST_F(HttpServerTest, ClientGoingAwayCancelsTheStream) {
  openHeld();
  auto cancelled = held_cancelled_.get_future();
  EXPECT_FALSE(held_->cancelled());
  stream_->socket().close();
  // The server notices the closed socket and cancels the producer's stream.
  EXPECT_EQ(cancelled.wait_for(std::chrono::seconds(30)), std::future_status::ready);
  EXPECT_FALSE(held_->write("late"));
}

TEST_F(HttpServerTest, StopCancelsOpenStreams) {
  openHeld();
  auto cancelled = held_cancelled_.get_future();
  server_->stop();
  EXPECT_EQ(cancelled.wait_for(std::chrono::seconds(30)), std::future_status::ready);
}

TEST_F(HttpServerTest, StopStillSendsTheEndOfAStreamItsProducerClosed) {
  openHeld();
  ASSERT_TRUE(held_->write("final\n"));
  held_->close();
  server_->stop();
  EXPECT_FALSE(held_->cancelled());
  beast::error_code ec;
  bhttp::read(*stream_, held_buffer_, *held_parser_, ec);
  EXPECT_FALSE(ec) << ec.message();
  EXPECT_TRUE(held_parser_->is_done());
  EXPECT_EQ(held_parser_->get().body(), "held\nfinal\n");
}

TEST(ResponseStreamTest, ClientThatDoesNotReadCancelsPastTheBufferLimit) {
  ResponseStream s(/*max_buffered=*/10);
  bool cancelled = false;
  s.onCancel([&] { cancelled = true; });
  EXPECT_TRUE(s.write("12345"));
  EXPECT_TRUE(s.write("1234567"));  // 5 < 10 were waiting: taken whole (12 now wait)
  EXPECT_FALSE(s.write("1"));       // 12 >= 10 already wait
  EXPECT_TRUE(cancelled);
  EXPECT_TRUE(s.cancelled());
  std::string out;
  bool finished = false;
  s.take(&out, &finished);
  EXPECT_TRUE(out.empty());
  EXPECT_TRUE(finished);
}

TEST(ResponseStreamTest, OneMessageLargerThanTheLimitIsTakenBelowTheLimit) {
  ResponseStream s(/*max_buffered=*/10);
  EXPECT_TRUE(s.write(std::string(64, 'x')));
  EXPECT_FALSE(s.cancelled());
  std::string out;
  bool finished = true;
  s.take(&out, &finished);
  EXPECT_EQ(out.size(), 64u);
  EXPECT_FALSE(finished);
  EXPECT_TRUE(s.write("p"));                   // a progress notification not yet taken...
  EXPECT_TRUE(s.write(std::string(64, 'y')));  // ...does not lose the result after it
  EXPECT_FALSE(s.write("z"));                  // 65 bytes already wait
  EXPECT_TRUE(s.cancelled());
}

TEST(ResponseStreamTest, CloseSendsWhatIsQueuedThenFinishes) {
  ResponseStream s;
  EXPECT_TRUE(s.write("a"));
  s.close();
  EXPECT_FALSE(s.write("b"));
  std::string out;
  bool finished = true;
  s.take(&out, &finished);
  EXPECT_EQ(out, "a");
  EXPECT_FALSE(finished);
  s.take(&out, &finished);
  EXPECT_TRUE(out.empty());
  EXPECT_TRUE(finished);
  bool ran = false;
  s.onCancel([&] { ran = true; });
  EXPECT_FALSE(ran);  // closed is not cancelled
}

TEST(ListenAddressTest, Parses) {
  auto a = parseListenAddress("127.0.0.1:0");
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(a->first, "127.0.0.1");
  EXPECT_EQ(a->second, 0);
  auto b = parseListenAddress("[::1]:7411");
  ASSERT_TRUE(b.ok());
  EXPECT_EQ(b->first, "::1");
  EXPECT_EQ(b->second, 7411);
  EXPECT_FALSE(parseListenAddress("localhost").ok());
  EXPECT_FALSE(parseListenAddress("h:70000").ok());
  EXPECT_FALSE(parseListenAddress("h:x").ok());
}

}  // namespace
}  // namespace ward::http
