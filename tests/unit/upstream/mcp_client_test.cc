// McpClient against fake_mcp_server.py over stdio and Streamable HTTP, in both protocol eras.
#include "ward/upstream/mcp_client.h"

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <thread>

namespace ward::upstream {
namespace {

UpstreamConfig stdioConfig(std::vector<std::string> extra = {}) {
  UpstreamConfig c;
  c.name = "fake";
  c.transport = "stdio";
  c.command = WARD_PYTHON;
  c.args = {WARD_FAKE_MCP_SERVER};
  for (auto& a : extra) c.args.push_back(a);
  c.timeout_ms = 20000;
  return c;
}

std::string firstText(const Json& result) { return result["content"][0]["text"]; }

TEST(McpClientStdioTest, FallsBackToInitializeForASessionEraServer) {
  McpClient client(stdioConfig(), nullptr);
  auto tools = client.listTools();
  ASSERT_TRUE(tools.ok()) << tools.status().toString();
  EXPECT_EQ(tools->size(), 5u);
  EXPECT_EQ(client.describe()["era"], "session");
  EXPECT_EQ(client.describe()["protocol_version"], "2025-11-25");
  auto r = client.callTool("echo", Json{{"text", "hello"}});
  ASSERT_TRUE(r.ok()) << r.status().toString();
  EXPECT_EQ(firstText(*r), "hello");
}

TEST(McpClientStdioTest, SpeaksTheStatelessEraWhenTheServerDiscoversIt) {
  McpClient client(stdioConfig({"--era", "modern"}), nullptr);
  auto r = client.callTool("echo", Json{{"text", "hi"}});
  ASSERT_TRUE(r.ok()) << r.status().toString();
  EXPECT_EQ(firstText(*r), "hi");
  EXPECT_EQ(client.describe()["era"], "stateless");
  EXPECT_EQ(client.describe()["server_info"]["name"], "fake");
}

TEST(McpClientStdioTest, PinnedModernProtocolRefusesALegacyServer) {
  UpstreamConfig c = stdioConfig();
  c.protocol = "2026-07-28";
  McpClient client(c, nullptr);
  Status st = client.ensureConnected();
  EXPECT_EQ(st.code(), StatusCode::kUnavailable);
  EXPECT_NE(st.message().find("does not speak 2026-07-28"), std::string::npos) << st.message();
}

TEST(McpClientStdioTest, ACrashedServerIsRestartedOnTheNextRequest) {
  McpClient client(stdioConfig(), nullptr);
  ASSERT_TRUE(client.ensureConnected().ok());
  EXPECT_EQ(client.connectionGeneration(), 1);
  auto crashed = client.callTool("crash", Json::object());
  EXPECT_EQ(crashed.status().code(), StatusCode::kUnavailable);
  EXPECT_NE(crashed.status().message().find("exited"), std::string::npos)
      << crashed.status().message();
  auto r = client.callTool("echo", Json{{"text", "back"}});
  ASSERT_TRUE(r.ok()) << r.status().toString();
  EXPECT_EQ(firstText(*r), "back");
  EXPECT_EQ(client.connectionGeneration(), 2);
  EXPECT_EQ(client.describe()["restarts"], 1);
}

TEST(McpClientStdioTest, FailedStartsBackOffExponentially) {
  UpstreamConfig c = stdioConfig();
  c.command = "/nonexistent/ward-no-such-server";
  FakeClock clock;
  McpClient client(c, nullptr, &clock);
  Status first = client.ensureConnected();
  EXPECT_NE(first.message().find("cannot start"), std::string::npos) << first.message();
  // Within the backoff nothing is attempted: the caller gets the reason at once.
  Status second = client.ensureConnected();
  EXPECT_NE(second.message().find("next attempt in 250 ms"), std::string::npos) << second.message();
  clock.advanceMicros(250000);
  (void)client.ensureConnected();  // second failure: the wait doubles
  Status fourth = client.ensureConnected();
  EXPECT_NE(fourth.message().find("next attempt in 500 ms"), std::string::npos) << fourth.message();
  EXPECT_EQ(client.describe()["consecutive_failures"], 2);
}

TEST(McpClientStdioTest, ACrashLoopingServerIsRestartedWithBackoff) {
  FakeClock clock;  // never advances: every exit is "soon after starting"
  McpClient client(stdioConfig(), nullptr, &clock);
  for (int i = 0; i < 3; ++i) {  // the first start and two immediate restarts
    auto r = client.callTool("crash", Json::object());
    EXPECT_NE(r.status().message().find("exited"), std::string::npos) << r.status().message();
  }
  Status st = client.ensureConnected();
  EXPECT_NE(st.message().find("exited 3 times within 10 s"), std::string::npos) << st.message();
  EXPECT_NE(st.message().find("next attempt in 250 ms"), std::string::npos) << st.message();
  clock.advanceMicros(250000);
  auto r = client.callTool("echo", Json{{"text", "recovered"}});
  ASSERT_TRUE(r.ok()) << r.status().toString();
}

TEST(McpClientStdioTest, ARequestThatGetsNoAnswerTimesOutAndOthersStillWork) {
  UpstreamConfig c = stdioConfig();
  c.timeout_ms = 300;
  McpClient client(c, nullptr);
  auto hung = client.callTool("hang", Json::object());
  EXPECT_EQ(hung.status().code(), StatusCode::kUnavailable);
  EXPECT_NE(hung.status().message().find("did not answer within 300 ms"), std::string::npos);
  auto r = client.callTool("echo", Json{{"text", "still here"}});
  ASSERT_TRUE(r.ok()) << r.status().toString();
}

TEST(McpClientStdioTest, ListChangedNotificationsAreRemembered) {
  McpClient client(stdioConfig(), nullptr);
  EXPECT_FALSE(client.takeListChanged());
  ASSERT_TRUE(client.callTool("notify", Json::object()).ok());
  EXPECT_TRUE(client.takeListChanged());
  EXPECT_FALSE(client.takeListChanged());
}

TEST(McpClientStdioTest, AMissingSecretIsNamedWithoutAValue) {
  UpstreamConfig c = stdioConfig();
  c.env["TOKEN"] = "${secret:api_token}";
  McpClient client(c, [](const std::string& name) -> Result<std::string> {
    return Status::notFound("no secret '" + name + "'");
  });
  Status st = client.ensureConnected();
  EXPECT_NE(st.message().find("secret 'api_token'"), std::string::npos) << st.message();
  McpClient ok(c, [](const std::string&) -> Result<std::string> { return std::string("s3"); });
  EXPECT_TRUE(ok.ensureConnected().ok());
}

// A fake server on Streamable HTTP, killed when the test ends.
class HttpServerProcess {
 public:
  explicit HttpServerProcess(std::vector<std::string> flags) {
    port_file_ = std::filesystem::temp_directory_path() /
                 ("ward_fake_mcp_" + std::to_string(::getpid()) + "_" + std::to_string(++count_));
    std::filesystem::remove(port_file_);
    pid_ = ::fork();
    if (pid_ == 0) {
      std::vector<std::string> argv_s = {WARD_PYTHON, WARD_FAKE_MCP_SERVER, "--http",
                                         port_file_.string()};
      for (auto& f : flags) argv_s.push_back(f);
      std::vector<char*> argv;
      for (auto& s : argv_s) argv.push_back(s.data());
      argv.push_back(nullptr);
      ::execv(argv[0], argv.data());
      ::_exit(127);
    }
    // Waits for the server to publish its port (a readiness handshake, not a timed assertion).
    for (int i = 0; i < 500 && !std::filesystem::exists(port_file_); ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    std::ifstream(port_file_) >> port_;
  }
  ~HttpServerProcess() {
    ::kill(pid_, SIGKILL);
    ::waitpid(pid_, nullptr, 0);
    std::filesystem::remove(port_file_);
  }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_) + "/mcp"; }

 private:
  static inline int count_ = 0;
  std::filesystem::path port_file_;
  pid_t pid_ = -1;
  int port_ = 0;
};

UpstreamConfig httpConfig(const std::string& url) {
  UpstreamConfig c;
  c.name = "fakehttp";
  c.transport = "http";
  c.url = url;
  c.timeout_ms = 20000;
  return c;
}

TEST(McpClientHttpTest, SessionEraWithJsonResponsesAndExpiredSessions) {
  HttpServerProcess server({"--era", "legacy"});
  McpClient client(httpConfig(server.url()), nullptr);
  auto r = client.callTool("echo", Json{{"text", "over http"}});
  ASSERT_TRUE(r.ok()) << r.status().toString();
  EXPECT_EQ(firstText(*r), "over http");
  EXPECT_EQ(client.describe()["era"], "session");
  EXPECT_EQ(client.connectionGeneration(), 1);
  // The server forgets the session: the next request gets 404, is re-initialised and resent.
  ASSERT_TRUE(client.callTool("expire", Json::object()).ok());
  auto again = client.callTool("echo", Json{{"text", "after expiry"}});
  ASSERT_TRUE(again.ok()) << again.status().toString();
  EXPECT_EQ(firstText(*again), "after expiry");
  EXPECT_EQ(client.connectionGeneration(), 2);
}

TEST(McpClientHttpTest, StatelessEraWithSseResponses) {
  HttpServerProcess server({"--era", "modern", "--sse"});
  McpClient client(httpConfig(server.url()), nullptr);
  auto tools = client.listTools();
  ASSERT_TRUE(tools.ok()) << tools.status().toString();
  EXPECT_EQ(client.describe()["era"], "stateless");
  ASSERT_TRUE(client.callTool("notify", Json::object()).ok());
  EXPECT_TRUE(client.takeListChanged());  // the notification came before the response
  auto r = client.callTool("echo", Json{{"text", "sse"}});
  ASSERT_TRUE(r.ok()) << r.status().toString();
  EXPECT_EQ(firstText(*r), "sse");
}

TEST(McpClientHttpTest, AnUnreachableServerFailsWithoutBlockingAnother) {
  McpClient dead(httpConfig("http://127.0.0.1:1/mcp"), nullptr);
  HttpServerProcess server({"--era", "legacy", "--sse"});
  McpClient alive(httpConfig(server.url()), nullptr);
  EXPECT_EQ(dead.ensureConnected().code(), StatusCode::kUnavailable);
  auto r = alive.callTool("echo", Json{{"text", "fine"}});
  ASSERT_TRUE(r.ok()) << r.status().toString();
}

}  // namespace
}  // namespace ward::upstream
