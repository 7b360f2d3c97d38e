// The http backend against a real loopback server: error bodies redacted before they leave the
// gateway, backend failures recorded with decisions of their own (never `conflict`), a backend
// at an IPv6 literal, and URL templates that refuse dot segments.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <mutex>
#include <thread>
#include <vector>

#include "gateway_env.h"
#include "http_executor.h"
#include "ward/net/http_client.h"

namespace ward::testing {
namespace {

// Answers every request with one canned HTTP response and remembers the request lines.
class LoopbackBackend {
 public:
  LoopbackBackend(int family, std::string response) : response_(std::move(response)) {
    fd_ = ::socket(family, SOCK_STREAM, 0);
    if (family == AF_INET6) {
      sockaddr_in6 a{};
      a.sin6_family = AF_INET6;
      a.sin6_addr = in6addr_loopback;
      ok_ = ::bind(fd_, reinterpret_cast<sockaddr*>(&a), sizeof(a)) == 0;
    } else {
      sockaddr_in a{};
      a.sin_family = AF_INET;
      a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
      ok_ = ::bind(fd_, reinterpret_cast<sockaddr*>(&a), sizeof(a)) == 0;
    }
    ok_ = ok_ && ::listen(fd_, 16) == 0;
    sockaddr_storage bound{};
    socklen_t len = sizeof(bound);
    ::getsockname(fd_, reinterpret_cast<sockaddr*>(&bound), &len);
    port_ = ntohs(family == AF_INET6 ? reinterpret_cast<sockaddr_in6*>(&bound)->sin6_port
                                     : reinterpret_cast<sockaddr_in*>(&bound)->sin_port);
    if (ok_) thread_ = std::thread([this] { serve(); });
  }
  ~LoopbackBackend() {
    stop_ = true;
    if (thread_.joinable()) thread_.join();
    ::close(fd_);
  }

  bool ok() const { return ok_; }
  int port() const { return port_; }
  std::vector<std::string> requests() {
    std::lock_guard<std::mutex> lock(mu_);
    return requests_;
  }

 private:
  void serve() {
    while (!stop_) {
      pollfd p{fd_, POLLIN, 0};
      if (::poll(&p, 1, 50) <= 0) continue;
      int c = ::accept(fd_, nullptr, nullptr);
      if (c < 0) continue;
      std::string in;
      char buf[4096];
      while (in.find("\r\n\r\n") == std::string::npos && in.size() < (1 << 16)) {
        ssize_t n = ::recv(c, buf, sizeof(buf), 0);
        if (n <= 0) break;
        in.append(buf, static_cast<size_t>(n));
      }
      {
        std::lock_guard<std::mutex> lock(mu_);
        requests_.push_back(in.substr(0, in.find("\r\n")));
      }
      size_t sent = 0;
      while (sent < response_.size()) {
        ssize_t n = ::send(c, response_.data() + sent, response_.size() - sent, MSG_NOSIGNAL);
        if (n <= 0) break;
        sent += static_cast<size_t>(n);
      }
      ::close(c);
    }
  }

  std::string response_;
  int fd_ = -1;
  int port_ = 0;
  bool ok_ = false;
  std::atomic<bool> stop_{false};
  std::thread thread_;
  std::mutex mu_;
  std::vector<std::string> requests_;
};

std::string httpResponse(int code, const std::string& body) {
  return "HTTP/1.1 " + std::to_string(code) +
         " X\r\nContent-Type: application/json\r\nConnection: close\r\nContent-Length: " +
         std::to_string(body.size()) + "\r\n\r\n" + body;
}

// Replaces the word "hunter2" the way a real rule replaces a secret.
class WordRedactor final : public trace::Redactor {
 public:
  std::string redactText(std::string_view text, trace::RedactionStats*) const override {
    std::string out(text);
    for (size_t at; (at = out.find("hunter2")) != std::string::npos;) {
      out.replace(at, 7, "[REDACTED:test:000000000000]");
    }
    return out;
  }
  void redactJson(Json& value, trace::RedactionStats* stats) const override {
    if (value.is_string()) value = redactText(value.get<std::string>(), stats);
    if (value.is_structured()) {
      for (auto& v : value) redactJson(v, stats);
    }
  }
};

// A read tool at `url` (loopback allowed), granted to alice.
void httpTool(GatewayEnv& env, const std::string& name, const std::string& url) {
  Json d = {{"name", name},
            {"version", "1.0.0"},
            {"description", "http test tool"},
            {"risk", "read"},
            {"input_schema", {{"type", "object"}}},
            {"backend",
             {{"type", "http"},
              {"method", "GET"},
              {"url", url},
              {"allow_private", true},
              {"timeout_ms", 5000}}}};
  auto r = env.gateway->addTool(env.tenant, d, false);
  ASSERT_TRUE(r.ok()) << r.status().toString();
  ASSERT_TRUE(env.gateway
                  ->addGrant(env.tenant,
                             {{"subject_kind", "principal"}, {"subject", "alice"}, {"tool", name}},
                             "t")
                  .ok());
}

TEST(HttpBackend, ErrorBodiesAreRedactedBeforeTheyLeaveTheGateway) {
  WordRedactor redactor;
  GatewayEnv env(&redactor);
  env.user("alice");
  LoopbackBackend backend(AF_INET,
                          httpResponse(403, R"({"error":"token hunter2 is not allowed here"})"));
  ASSERT_TRUE(backend.ok());
  httpTool(env, "t", "http://127.0.0.1:" + std::to_string(backend.port()) + "/x");
  auto r = env.call("alice", "t", Json::object());
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message().find("hunter2"), std::string::npos) << r.status().message();
  EXPECT_NE(r.status().message().find("[REDACTED:test:"), std::string::npos);
  EXPECT_NE(r.status().message().find("HTTP 403"), std::string::npos);
  Json last = env.lastCall();
  EXPECT_EQ(last.dump().find("hunter2"), std::string::npos) << last.dump();
}

TEST(HttpBackend, ALongErrorBodyIsRedactedWholeBeforeItIsShortened) {
  WordRedactor redactor;
  GatewayEnv env(&redactor);
  env.user("alice");
  // The secret straddles the excerpt's end: cut first, it would show as "hunt".
  const std::string body = std::string(gateway::kMaxErrorExcerptBytes - 4, 'x') + "hunter2 tail";
  LoopbackBackend backend(AF_INET, httpResponse(400, body));
  ASSERT_TRUE(backend.ok());
  httpTool(env, "t", "http://127.0.0.1:" + std::to_string(backend.port()) + "/x");
  auto r = env.call("alice", "t", Json::object());
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message().find("xhunt"), std::string::npos) << r.status().message();
}

TEST(HttpBackend, BackendFailuresHaveTheirOwnDecisions) {
  GatewayEnv env;
  env.user("alice");
  for (int code : {302, 403, 409, 404}) {
    LoopbackBackend backend(AF_INET, httpResponse(code, R"({"error":"no"})"));
    ASSERT_TRUE(backend.ok());
    const std::string name = "t" + std::to_string(code);
    httpTool(env, name, "http://127.0.0.1:" + std::to_string(backend.port()) + "/x");
    auto r = env.call("alice", name, Json::object());
    ASSERT_FALSE(r.ok()) << code;
    Json last = env.lastCall();
    EXPECT_EQ(last["decision"], "backend_error") << code << " " << last.dump();
    EXPECT_EQ(last["backend_status"], code);
  }
  // Nothing listens on the port any more: no answer at all.
  int closed_port = 0;
  {
    LoopbackBackend gone(AF_INET, httpResponse(200, "{}"));
    closed_port = gone.port();
  }
  httpTool(env, "tgone", "http://127.0.0.1:" + std::to_string(closed_port) + "/x");
  ASSERT_FALSE(env.call("alice", "tgone", Json::object()).ok());
  EXPECT_EQ(env.lastCall()["decision"], "backend_unavailable") << env.lastCall().dump();
}

TEST(HttpBackend, ReachesABackendAtAnIpv6Literal) {
  GatewayEnv env;
  env.user("alice");
  LoopbackBackend backend(AF_INET6, httpResponse(200, R"({"ok":true})"));
  if (!backend.ok()) GTEST_SKIP() << "no IPv6 loopback here";
  httpTool(env, "t6", "http://[::1]:" + std::to_string(backend.port()) + "/x");
  auto r = env.call("alice", "t6", Json::object());
  ASSERT_TRUE(r.ok()) << r.status().toString();
  EXPECT_EQ((*r)["result"]["ok"], true);
  EXPECT_EQ(net::pinEntry("::1", "8080", "::1"), "");
  EXPECT_EQ(net::pinEntry("api.example.com", "443", "2001:db8::1"),
            "api.example.com:443:[2001:db8::1]");
  EXPECT_EQ(net::pinEntry("api.example.com", "80", "93.184.216.34"),
            "api.example.com:80:93.184.216.34");
}

TEST(HttpBackend, UrlTemplatesRefuseDotSegments) {
  GatewayEnv env;
  env.user("alice");
  LoopbackBackend backend(AF_INET, httpResponse(200, "{}"));
  ASSERT_TRUE(backend.ok());
  Json d = {{"name", "repo"},
            {"version", "1.0.0"},
            {"description", "d"},
            {"risk", "read"},
            {"input_schema", {{"type", "object"}}},
            {"backend",
             {{"type", "http"},
              {"method", "GET"},
              {"url", "http://127.0.0.1:" + std::to_string(backend.port()) +
                          "/orgs/{org}/repos/{repo}?q={q}"},
              {"allow_private", true}}}};
  ASSERT_TRUE(env.gateway->addTool(env.tenant, d, false).ok());
  ASSERT_TRUE(
      env.gateway
          ->addGrant(env.tenant,
                     {{"subject_kind", "principal"}, {"subject", "alice"}, {"tool", "repo"}}, "t")
          .ok());
  for (const char* bad : {"..", "."}) {
    auto r = env.call("alice", "repo", {{"org", "acme"}, {"repo", bad}, {"q", "x"}});
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument) << r.status().toString();
    EXPECT_NE(r.status().message().find("'repo'"), std::string::npos) << r.status().message();
  }
  EXPECT_TRUE(backend.requests().empty());
  // Dots elsewhere are data: inside a segment, in the query, and '/' is encoded.
  ASSERT_TRUE(env.call("alice", "repo", {{"org", "a/../b"}, {"repo", "..."}, {"q", ".."}}).ok());
  ASSERT_EQ(backend.requests().size(), 1u);
  EXPECT_EQ(backend.requests()[0], "GET /orgs/a%2F..%2Fb/repos/...?q=.. HTTP/1.1");
  auto two = gateway::HttpExecutor::expandUrl("http://h/x/{a}{b}/y", {{"a", "."}, {"b", "."}});
  EXPECT_FALSE(two.ok());
}

}  // namespace
}  // namespace ward::testing
