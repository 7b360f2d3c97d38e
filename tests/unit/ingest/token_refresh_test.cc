// Token refresh under a lock (docs/design/ingest.md, "Google Drive" and "GitHub", "App
// authentication"): many callers sharing one token cache, against a real local token endpoint,
// cause one refresh when they ask at once, and one when a 401 refuses them all at once.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "../../../src/ingest/connectors/gdrive/gdrive_auth.h"
#include "../../../src/ingest/connectors/github/github_app.h"
#include "../../../src/ingest/service_client.h"
#include "ward/common/clock.h"

namespace ward::ingest {
namespace {

constexpr int kThreads = 16;

// A one-connection-at-a-time HTTP endpoint on 127.0.0.1 that answers every POST with
// `status` and `body(n)`, n counting the POSTs from 1. Each answer waits a little first, so that
// callers that are not serialized would overlap.
class TokenServer {
 public:
  TokenServer(int status, std::function<std::string(int)> body)
      : status_(status), body_(std::move(body)) {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = 0;
    int one = 1;
    ::setsockopt(fd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
    if (::bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0 ||
        ::listen(fd_, 64) != 0) {
      ADD_FAILURE() << "cannot listen";
      return;
    }
    socklen_t len = sizeof(addr);
    ::getsockname(fd_, reinterpret_cast<sockaddr*>(&addr), &len);
    port_ = ntohs(addr.sin_port);
    thread_ = std::thread([this] { serve(); });
  }
  ~TokenServer() {
    stop_ = true;
    ::shutdown(fd_, SHUT_RDWR);
    ::close(fd_);
    if (thread_.joinable()) thread_.join();
  }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }
  int posts() const { return posts_; }

 private:
  void serve() {
    while (!stop_) {
      int c = ::accept(fd_, nullptr, nullptr);
      if (c < 0) return;
      std::string in;
      char buf[4096];
      size_t head = std::string::npos;
      size_t want = 0;
      for (;;) {
        ssize_t n = ::recv(c, buf, sizeof(buf), 0);
        if (n <= 0) break;
        in.append(buf, static_cast<size_t>(n));
        if (head == std::string::npos && (head = in.find("\r\n\r\n")) != std::string::npos) {
          size_t cl = in.find("Content-Length:");
          if (cl == std::string::npos) cl = in.find("content-length:");
          want = head + 4 +
                 (cl != std::string::npos && cl < head ? std::stoul(in.substr(cl + 15)) : 0);
        }
        if (head != std::string::npos && in.size() >= want) break;
      }
      std::string body = "{}";
      int status = 404;
      if (in.rfind("POST ", 0) == 0) {
        status = status_;
        body = body_(++posts_);
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
      }
      const std::string out =
          "HTTP/1.1 " + std::to_string(status) +
          " X\r\nContent-Type: application/json\r\nContent-Length: " + std::to_string(body.size()) +
          "\r\nConnection: close\r\n\r\n" + body;
      ::send(c, out.data(), out.size(), MSG_NOSIGNAL);
      ::close(c);
    }
  }

  int status_;
  std::function<std::string(int)> body_;
  int fd_ = -1;
  int port_ = 0;
  std::atomic<bool> stop_{false};
  std::atomic<int> posts_{0};
  std::thread thread_;
};

std::string rsaPem() {
  std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)> pkey(EVP_RSA_gen(2048), EVP_PKEY_free);
  std::unique_ptr<BIO, decltype(&BIO_free)> bio(BIO_new(BIO_s_mem()), BIO_free);
  PEM_write_bio_PrivateKey(bio.get(), pkey.get(), nullptr, nullptr, 0, nullptr, nullptr);
  char* pem = nullptr;
  long n = BIO_get_mem_data(bio.get(), &pem);
  return std::string(pem, static_cast<size_t>(n));
}

std::vector<std::unique_ptr<ServiceClient>> clientsOf(const TokenServer& server) {
  SourceConfig source;
  source.name = "svc";
  source.base_url = server.url();
  source.allowed_hosts = {"127.0.0.1"};
  source.allow_private = true;
  std::vector<std::unique_ptr<ServiceClient>> out;
  for (int i = 0; i < kThreads; ++i) {
    auto c = ServiceClient::open(source, ConnectorEnv{}, "");
    EXPECT_TRUE(c.ok()) << c.status().message();
    if (c.ok()) out.push_back(std::move(*c));
  }
  return out;
}

// Runs `call(i)` on kThreads threads released at once; the statuses, by thread.
std::vector<Status> atOnce(const std::function<Status(int)>& call) {
  std::vector<Status> out(kThreads);
  std::atomic<int> ready{0};
  std::atomic<bool> go{false};
  std::vector<std::thread> threads;
  for (int i = 0; i < kThreads; ++i) {
    threads.emplace_back([&, i] {
      ++ready;
      while (!go) std::this_thread::yield();
      out[i] = call(i);
    });
  }
  while (ready < kThreads) std::this_thread::yield();
  go = true;
  for (auto& t : threads) t.join();
  return out;
}

TEST(TokenRefreshTest, DriveCallersAskingAtOnceOrRefusedAtOnceRefreshOnce) {
  TokenServer server(200, [](int n) {
    return R"({"access_token": "ya29.tok)" + std::to_string(n) +
           R"(", "expires_in": 3600, "token_type": "Bearer"})";
  });
  DriveTokens tokens({"svc@proj.iam.gserviceaccount.com", rsaPem(), ""}, "admin@example.com",
                     server.url() + "/token", kDriveScope);
  auto clients = clientsOf(server);
  ASSERT_EQ(clients.size(), static_cast<size_t>(kThreads));

  for (const Status& s : atOnce([&](int i) { return tokens.authorize(*clients[i], false); })) {
    EXPECT_TRUE(s.ok()) << s.message();
  }
  EXPECT_EQ(server.posts(), 1);
  EXPECT_EQ(tokens.refreshes(), 1);
  for (const auto& c : clients) EXPECT_EQ(c->authorization(), "Bearer ya29.tok1");

  // A 401 for every caller at once (the token was revoked mid-run): one new token for all.
  for (const Status& s : atOnce([&](int i) { return tokens.authorize(*clients[i], true); })) {
    EXPECT_TRUE(s.ok()) << s.message();
  }
  EXPECT_EQ(server.posts(), 2);
  for (const auto& c : clients) EXPECT_EQ(c->authorization(), "Bearer ya29.tok2");

  // A later 401 with the current token refreshes again, once.
  ASSERT_TRUE(tokens.authorize(*clients[0], true).ok());
  EXPECT_EQ(server.posts(), 3);
  ASSERT_TRUE(tokens.authorize(*clients[1], false).ok());
  EXPECT_EQ(clients[1]->authorization(), "Bearer ya29.tok3");
  EXPECT_EQ(server.posts(), 3);
}

TEST(TokenRefreshTest, GithubAppCallersAskingAtOnceOrRefusedAtOnceRenewOnce) {
  const std::string expires = formatRfc3339(SystemClock::instance().nowMicros() + 3'600'000'000);
  TokenServer server(201, [expires](int n) {
    return R"({"token": "ghs_inst)" + std::to_string(n) + R"(", "expires_at": ")" + expires +
           R"("})";
  });
  GithubAppTokens tokens({7, 9, rsaPem(), "gh_key"});
  auto clients = clientsOf(server);
  ASSERT_EQ(clients.size(), static_cast<size_t>(kThreads));

  for (const Status& s : atOnce([&](int i) { return tokens.authorize(*clients[i], false); })) {
    EXPECT_TRUE(s.ok()) << s.message();
  }
  EXPECT_EQ(server.posts(), 1);
  EXPECT_EQ(tokens.refreshes(), 1);
  for (const auto& c : clients) EXPECT_EQ(c->authorization(), "Bearer ghs_inst1");

  for (const Status& s : atOnce([&](int i) { return tokens.authorize(*clients[i], true); })) {
    EXPECT_TRUE(s.ok()) << s.message();
  }
  EXPECT_EQ(server.posts(), 2);
  EXPECT_EQ(tokens.refreshes(), 2);
  for (const auto& c : clients) EXPECT_EQ(c->authorization(), "Bearer ghs_inst2");

  ASSERT_TRUE(tokens.authorize(*clients[0], true).ok());
  EXPECT_EQ(server.posts(), 3);
}

}  // namespace
}  // namespace ward::ingest
