// sendKeepAlive (keep_alive_client.h) against a scripted loopback server: connections kept and
// reused, every body framing (length, chunked, until close), a connection the server dropped
// while idle, the size limit, a stopping sink, timeouts, refused connections and the address
// rule.
#include "ward/net/keep_alive_client.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace ward::net {
namespace {

// One scripted answer: the raw bytes written after a request was read, in pieces (each piece
// its own write), then the connection is kept or closed.
struct Step {
  std::vector<std::string> pieces;
  bool close_after = false;
  bool never_answer = false;  // read the request, then wait until the server stops
};

class ScriptedServer {
 public:
  explicit ScriptedServer(std::vector<Step> steps) : steps_(std::move(steps)) {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    EXPECT_EQ(::bind(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a), 0);
    EXPECT_EQ(::listen(fd_, 8), 0);
    socklen_t len = sizeof a;
    ::getsockname(fd_, reinterpret_cast<sockaddr*>(&a), &len);
    port_ = ntohs(a.sin_port);
    thread_ = std::thread([this] { serve(); });
  }
  ~ScriptedServer() {
    stop_ = true;
    ::shutdown(fd_, SHUT_RDWR);
    ::close(fd_);
    thread_.join();
  }
  std::string url(const std::string& path = "/v1/x") const {
    return "http://127.0.0.1:" + std::to_string(port_) + path;
  }
  int connections() const { return connections_; }
  std::vector<std::string> requests() {
    std::lock_guard<std::mutex> l(mu_);
    return requests_;
  }

 private:
  // Reads one request (head + Content-Length body); false when the client closed.
  static bool readRequest(int c, std::string* out) {
    std::string in;
    char buf[4096];
    size_t body_at = std::string::npos, want = 0;
    while (body_at == std::string::npos || in.size() < body_at + want) {
      ssize_t n = ::read(c, buf, sizeof buf);
      if (n <= 0) return false;
      in.append(buf, static_cast<size_t>(n));
      if (body_at == std::string::npos && (body_at = in.find("\r\n\r\n")) != std::string::npos) {
        body_at += 4;
        size_t cl = in.find("Content-Length: ");
        want = cl == std::string::npos ? 0 : std::stoul(in.substr(cl + 16));
      }
    }
    *out = in;
    return true;
  }

  void serve() {
    size_t next = 0;
    while (!stop_ && next < steps_.size()) {
      int c = ::accept(fd_, nullptr, nullptr);
      if (c < 0) return;
      ++connections_;
      while (next < steps_.size()) {
        std::string request;
        if (!readRequest(c, &request)) break;  // the client closed this connection
        {
          std::lock_guard<std::mutex> l(mu_);
          requests_.push_back(request);
        }
        const Step& step = steps_[next++];
        if (step.never_answer) {
          while (!stop_) std::this_thread::sleep_for(std::chrono::milliseconds(10));
          break;
        }
        for (const std::string& piece : step.pieces) {
          ssize_t ignored = ::write(c, piece.data(), piece.size());
          (void)ignored;
          std::this_thread::sleep_for(std::chrono::milliseconds(2));
        }
        if (step.close_after) break;
      }
      ::close(c);
    }
  }

  std::vector<Step> steps_;
  int fd_ = -1;
  int port_ = 0;
  std::thread thread_;
  std::atomic<bool> stop_{false};
  std::atomic<int> connections_{0};
  std::mutex mu_;
  std::vector<std::string> requests_;
};

OutboundRequest post(const std::string& url, const std::string& body = "{\"a\":1}") {
  OutboundRequest r;
  r.url = url;
  r.body = body;
  r.headers = {{"Content-Type", "application/json"}, {"Authorization", "Bearer k"}};
  r.allow_private = true;
  r.timeout_ms = 5000;
  return r;
}

const char kOk[] = "HTTP/1.1 200 OK\r\nContent-Length: 5\r\nX-Request-Id: a\r\n\r\nhello";

TEST(KeepAliveClient, KeepsTheConnectionAndSendsTheRequestAsGiven) {
  ScriptedServer server({{{kOk}}, {{kOk}}, {{kOk}}});
  for (int i = 0; i < 3; ++i) {
    SendInfo info;
    auto r = sendKeepAlive(post(server.url("/v1/x?q=1")), nullptr, &info);
    ASSERT_TRUE(r.ok()) << r.status().toString();
    EXPECT_EQ(r->status, 200);
    EXPECT_EQ(r->body, "hello");
    EXPECT_EQ(r->header("x-request-id"), "a");
    EXPECT_TRUE(info.sent && info.reached);
    EXPECT_EQ(info.status, 200);
  }
  EXPECT_EQ(server.connections(), 1);
  const std::string first = server.requests().at(0);
  EXPECT_EQ(first.rfind("POST /v1/x?q=1 HTTP/1.1\r\n", 0), 0u) << first;
  EXPECT_NE(first.find("Host: 127.0.0.1:"), std::string::npos) << first;
  EXPECT_NE(first.find("Authorization: Bearer k\r\n"), std::string::npos) << first;
  EXPECT_NE(first.find("Content-Length: 7\r\n\r\n{\"a\":1}"), std::string::npos) << first;
}

TEST(KeepAliveClient, ChunkedBodiesReachTheSinkAsTheyCome) {
  ScriptedServer server(
      {{{"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n", "6\r\ndata: \r\n",
         "3;ext=1\r\nabc\r\n4\r\n\n\n\n\n\r\n", "0\r\nX-Trailer: t\r\n\r\n"}},
       {{kOk}}});
  std::vector<std::string> pieces;
  BodySink sink = [&](std::string_view b) {
    pieces.emplace_back(b);
    return true;
  };
  auto r = sendKeepAlive(post(server.url()), &sink);
  ASSERT_TRUE(r.ok()) << r.status().toString();
  EXPECT_TRUE(r->body.empty());
  std::string all;
  for (const std::string& p : pieces) all += p;
  EXPECT_EQ(all, "data: abc\n\n\n\n");
  EXPECT_GE(pieces.size(), 2u);  // not buffered to the end
  // The chunked answer was read to its end: the connection is reused.
  ASSERT_TRUE(sendKeepAlive(post(server.url())).ok());
  EXPECT_EQ(server.connections(), 1);
}

TEST(KeepAliveClient, ABodyWithoutLengthEndsWithTheConnection) {
  ScriptedServer server(
      {{{"HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\n\r\n", "part one, ", "part two"}, true},
       {{kOk}}});
  auto r = sendKeepAlive(post(server.url()));
  ASSERT_TRUE(r.ok()) << r.status().toString();
  EXPECT_EQ(r->body, "part one, part two");
  ASSERT_TRUE(sendKeepAlive(post(server.url())).ok());
  EXPECT_EQ(server.connections(), 2);
}

TEST(KeepAliveClient, AConnectionTheServerDroppedWhileIdleIsReplacedOnce) {
  // The server answers, then closes the kept connection without saying so.
  ScriptedServer server({{{kOk}, true}, {{kOk}}});
  ASSERT_TRUE(sendKeepAlive(post(server.url())).ok());
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  auto r = sendKeepAlive(post(server.url()));
  ASSERT_TRUE(r.ok()) << r.status().toString();
  EXPECT_EQ(r->body, "hello");
  EXPECT_EQ(server.connections(), 2);
  EXPECT_EQ(server.requests().size(), 2u);  // sent once on the fresh connection
}

// The caller's work runs once the request is with the server and before its answer is read:
// once per call, also when a dropped kept connection makes the request go out twice, and never
// when no connection could be made.
TEST(KeepAliveClient, WhileWaitingRunsOnceAfterTheRequestIsWritten) {
  ScriptedServer server({{{kOk}, true}, {{kOk}}});
  int calls = 0;
  bool request_was_there = false;
  const std::function<void()> work = [&] {
    ++calls;
    // The request reached the server before this ran (a wait for it, not a timing check).
    for (int i = 0; i < 5000 && server.requests().size() < 1; ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    request_was_there = server.requests().size() >= 1;
  };
  auto r = sendKeepAlive(post(server.url()), nullptr, nullptr, &work);
  ASSERT_TRUE(r.ok()) << r.status().toString();
  EXPECT_EQ(r->body, "hello");
  EXPECT_EQ(calls, 1);
  EXPECT_TRUE(request_was_there);
  // The server closed the kept connection: the request is written twice, the work done once.
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  calls = 0;
  auto again = sendKeepAlive(post(server.url()), nullptr, nullptr, &work);
  ASSERT_TRUE(again.ok()) << again.status().toString();
  EXPECT_EQ(server.connections(), 2);
  EXPECT_EQ(calls, 1);
  // Nothing listens: nothing was written, the work is not done here.
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a), 0);
  socklen_t len = sizeof a;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
  ::close(fd);
  calls = 0;
  auto refused = sendKeepAlive(post("http://127.0.0.1:" + std::to_string(ntohs(a.sin_port)) + "/"),
                               nullptr, nullptr, &work);
  EXPECT_FALSE(refused.ok());
  EXPECT_EQ(calls, 0);
}

TEST(KeepAliveClient, ConnectionCloseAndErrorStatusesAreReplies) {
  ScriptedServer server(
      {{{"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 429 Too Many\r\nRetry-After: 3\r\n"
         "Connection: close\r\nContent-Length: 9\r\n\r\nslow down"}},
       {{kOk}}});
  BodySink sink = [](std::string_view) { return true; };
  auto r = sendKeepAlive(post(server.url()), &sink);
  ASSERT_TRUE(r.ok()) << r.status().toString();
  EXPECT_EQ(r->status, 429);
  EXPECT_EQ(r->body, "slow down");  // not a 2xx: buffered, not streamed
  EXPECT_EQ(r->header("retry-after"), "3");
  ASSERT_TRUE(sendKeepAlive(post(server.url())).ok());
  EXPECT_EQ(server.connections(), 2);  // "Connection: close" was honoured
}

TEST(KeepAliveClient, TheSizeLimitAndAStoppingSinkEndTheTransfer) {
  ScriptedServer server(
      {{{"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n" + std::string(100, 'x')}},
       {{"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n", "3\r\nabc\r\n",
         "3\r\ndef\r\n0\r\n\r\n"}},
       {{kOk}}});
  OutboundRequest small = post(server.url());
  small.max_response_bytes = 10;
  SendInfo info;
  auto big = sendKeepAlive(small, nullptr, &info);
  EXPECT_EQ(big.status().code(), StatusCode::kUnavailable);
  EXPECT_TRUE(info.too_large);
  EXPECT_NE(big.status().message().find("exceeds 10 bytes"), std::string::npos);
  BodySink stop = [](std::string_view) { return false; };
  auto stopped = sendKeepAlive(post(server.url()), &stop);
  EXPECT_EQ(stopped.status().code(), StatusCode::kUnavailable);
  EXPECT_NE(stopped.status().message().find("was stopped"), std::string::npos);
  ASSERT_TRUE(sendKeepAlive(post(server.url())).ok());
  EXPECT_EQ(server.connections(), 3);  // neither unfinished connection was kept
}

TEST(KeepAliveClient, TimeoutsRefusalsAndTheAddressRule) {
  {
    ScriptedServer server({{{}, false, true}});
    OutboundRequest r = post(server.url());
    r.timeout_ms = 200;
    SendInfo info;
    auto slow = sendKeepAlive(r, nullptr, &info);
    EXPECT_EQ(slow.status().code(), StatusCode::kUnavailable);
    EXPECT_NE(slow.status().message().find("timed out"), std::string::npos)
        << slow.status().message();
    EXPECT_TRUE(info.sent);
    EXPECT_FALSE(info.reached);
  }
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a), 0);
  socklen_t len = sizeof a;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
  ::close(fd);  // nothing listens on this port now
  SendInfo info;
  auto refused = sendKeepAlive(post("http://127.0.0.1:" + std::to_string(ntohs(a.sin_port)) + "/"),
                               nullptr, &info);
  EXPECT_EQ(refused.status().code(), StatusCode::kUnavailable);
  EXPECT_TRUE(info.connect_failed);
  OutboundRequest loopback = post("http://127.0.0.1:9/");
  loopback.allow_private = false;
  SendInfo none;
  EXPECT_EQ(sendKeepAlive(loopback, nullptr, &none).status().code(), StatusCode::kPermissionDenied);
  EXPECT_FALSE(none.sent);
  OutboundRequest bad = post("http://127.0.0.1:9/");
  bad.headers.push_back({"X-Bad", "a\r\nInjected: 1"});
  EXPECT_EQ(sendKeepAlive(bad).status().code(), StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace ward::net
