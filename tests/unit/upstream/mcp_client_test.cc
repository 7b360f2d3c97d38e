// McpClient against fake_mcp_server.py over stdio and Streamable HTTP, in both protocol eras.
#include "ward/upstream/mcp_client.h"

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
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

// The fake server's tools that report what they got answer with JSON in their text.
Json textJson(const Json& result) { return Json::parse(firstText(result)); }

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

TEST(McpClientStdioTest, ToolsRunAsTasksWhereTheServerAndTheToolOfferThem) {
  McpClient client(stdioConfig({"--tasks"}), nullptr);
  // Before a listing nothing is known: every call is synchronous.
  EXPECT_EQ(client.toolTaskSupport("echo"), McpClient::TaskSupport::kNone);
  ASSERT_TRUE(client.listTools().ok());
  EXPECT_EQ(client.toolTaskSupport("echo"), McpClient::TaskSupport::kOptional);
  EXPECT_EQ(client.toolTaskSupport("hang"), McpClient::TaskSupport::kRequired);
  EXPECT_EQ(client.toolTaskSupport("crash"), McpClient::TaskSupport::kNone);
  auto task = client.createToolTask("echo", Json{{"text", "later"}}, 60000);
  ASSERT_TRUE(task.ok()) << task.status().toString();
  EXPECT_EQ((*task)["status"], "working");
  EXPECT_EQ((*task)["ttl"], 60000);
  EXPECT_EQ((*task)["taskId"].get<std::string>().rfind("up-", 0), 0u);
}

TEST(McpClientStdioTest, NoTasksWithoutTheServersCapability) {
  // The tools say taskSupport, the server never declared tasks: nothing runs as a task, and a
  // tools/call with `task` to it creates none.
  McpClient plain(stdioConfig(), nullptr);
  ASSERT_TRUE(plain.listTools().ok());
  EXPECT_EQ(plain.toolTaskSupport("echo"), McpClient::TaskSupport::kNone);
  auto none = plain.createToolTask("echo", Json{{"text", "x"}}, 1000);
  EXPECT_EQ(none.status().code(), StatusCode::kUnavailable);
  EXPECT_NE(none.status().message().find("without creating a task"), std::string::npos)
      << none.status().message();
  // The stateless era: Ward uses no upstream tasks there.
  McpClient modern(stdioConfig({"--era", "modern", "--tasks"}), nullptr);
  ASSERT_TRUE(modern.listTools().ok());
  EXPECT_EQ(modern.toolTaskSupport("echo"), McpClient::TaskSupport::kNone);
}

TEST(McpClientStdioTest, SpeaksTheStatelessEraWhenTheServerDiscoversIt) {
  McpClient client(stdioConfig({"--era", "modern"}), nullptr);
  auto r = client.callTool("echo", Json{{"text", "hi"}});
  ASSERT_TRUE(r.ok()) << r.status().toString();
  EXPECT_EQ(firstText(*r), "hi");
  EXPECT_EQ(client.describe()["era"], "stateless");
  EXPECT_EQ(client.describe()["server_info"]["name"], "fake");
}

TEST(McpClientStdioTest, AServerThatStartsSlowerThanTheProbeIsStillDiscovered) {
  // The child reads nothing for 6 s, longer than one 5 s probe: it has written nothing, so it is
  // still starting, and the probe is asked again instead of falling back to initialize (which
  // this modern-only server would refuse).
  McpClient client(stdioConfig({"--era", "modern", "--start-delay", "6"}), nullptr);
  auto r = client.callTool("echo", Json{{"text", "late"}});
  ASSERT_TRUE(r.ok()) << r.status().toString();
  EXPECT_EQ(firstText(*r), "late");
  EXPECT_EQ(client.describe()["era"], "stateless");
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
  // timeout_ms bounds every round trip, the start-up handshake and the echo included: it must
  // be generous enough for a python start on a loaded machine, since only "hang" may run out.
  UpstreamConfig c = stdioConfig();
  c.timeout_ms = 5000;
  McpClient client(c, nullptr);
  ASSERT_TRUE(client.ensureConnected().ok());
  auto hung = client.callTool("hang", Json::object());
  EXPECT_EQ(hung.status().code(), StatusCode::kUnavailable);
  EXPECT_NE(hung.status().message().find("did not answer within 5000 ms"), std::string::npos)
      << hung.status().message();
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

TEST(McpClientStdioTest, ServerMessagesOfTheWrongTypesAreRefusedAndNothingBreaks) {
  McpClient client(stdioConfig(), nullptr);
  // A request whose method is a number, one whose params are a string, a notification with a
  // numeric method, an array, a ping with an object id: each is answered or dropped.
  auto r = client.callTool("malformed", Json::object());
  ASSERT_TRUE(r.ok()) << r.status().toString();
  Json replies = textJson(*r);
  EXPECT_EQ(replies["bad-method"]["error"]["code"], -32601) << replies.dump();
  EXPECT_NE(replies["bad-method"]["error"]["message"].get<std::string>().find("without a method"),
            std::string::npos);
  EXPECT_EQ(replies["bad-params"]["error"]["code"], -32601) << replies.dump();
  auto after = client.callTool("echo", Json{{"text", "still reading"}});
  ASSERT_TRUE(after.ok()) << after.status().toString();
  EXPECT_EQ(firstText(*after), "still reading");
  EXPECT_EQ(client.connectionGeneration(), 1);
}

TEST(McpClientStdioTest, AnInitializeResultOfTheWrongTypesIsRefused) {
  McpClient client(stdioConfig({"--bad-init"}), nullptr);
  Status st = client.ensureConnected();
  EXPECT_EQ(st.code(), StatusCode::kUnavailable);
  EXPECT_NE(st.message().find("protocol version ''"), std::string::npos) << st.message();
}

UpstreamConfig elicitingConfig(std::vector<std::string> extra = {}) {
  UpstreamConfig c = stdioConfig(std::move(extra));
  c.allow_elicitation = true;
  return c;
}

TEST(McpClientStdioTest, AListingInFlightDoesNotTakeACallsForwardedRequest) {
  // The server holds tools/list until its elicitation is answered, and asks only while the
  // listing is in flight: a listing has nobody to ask, so the request is the call's.
  McpClient client(elicitingConfig({"--list-waits"}), nullptr);
  ASSERT_TRUE(client.ensureConnected().ok());
  std::thread listing([&] { EXPECT_TRUE(client.listTools().ok()); });
  McpClient::ClientAsk ask = [](const std::string& method, const Json&) -> Result<Json> {
    EXPECT_EQ(method, "elicitation/create");
    return Json{{"action", "accept"}, {"content", Json::object()}};
  };
  auto r = client.callTool("elicit", Json::object(), ask);
  listing.join();
  ASSERT_TRUE(r.ok()) << r.status().toString();
  EXPECT_EQ(textJson(*r)["result"]["action"], "accept") << firstText(*r);
}

TEST(McpClientStdioTest, ForwardedRequestsInFlightAreCapped) {
  // 20 elicitations at once: 16 wait on the caller, 4 are refused at once. The server says so
  // (tools/list_changed) once it has the 4 refusals; only then are the waiting ones answered.
  McpClient client(elicitingConfig(), nullptr);
  std::atomic<int> asked{0};
  std::atomic<bool> released{false};
  McpClient::ClientAsk ask = [&](const std::string&, const Json&) -> Result<Json> {
    ++asked;
    // A bound that only stops a hung run; the release itself is event-driven.
    auto until = std::chrono::steady_clock::now() + std::chrono::seconds(120);
    while (!released && std::chrono::steady_clock::now() < until) {
      if (client.takeListChanged()) released = true;
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    return Json{{"action", "decline"}};
  };
  auto r = client.callTool("flood", Json{{"count", 20}, {"refused", 4}}, ask);
  ASSERT_TRUE(r.ok()) << r.status().toString();
  Json got = textJson(*r);
  EXPECT_EQ(got["refused"], 4) << got.dump();
  EXPECT_EQ(got["answered"], 16) << got.dump();
  EXPECT_EQ(asked.load(), 16);
  EXPECT_TRUE(released.load());
}

// A monotonic clock that moves `step` further every time it is read: a listing's deadline runs
// out after a fixed number of reads, however fast or slow the machine is.
class SteppingClock final : public Clock {
 public:
  explicit SteppingClock(int64_t step_ms) : step_ns_(step_ms * 1'000'000) {}
  int64_t nowMicros() const override { return SystemClock::instance().nowMicros(); }
  int64_t monotonicNanos() const override { return now_ns_.fetch_add(step_ns_) + step_ns_; }

 private:
  int64_t step_ns_;
  mutable std::atomic<int64_t> now_ns_{0};
};

TEST(McpClientStdioTest, AListingHasOneDeadlineForAllItsPages) {
  // Endless quick pages: a deadline per page would never run out, so the listing would end at
  // the 100-page bound (ResourceExhausted). One deadline for the whole listing ends it once its
  // clock has moved past timeout_ms -- after 20 s of stepping-clock time, a handful of pages.
  // Each round trip still gets what is left of the deadline (seconds) in real time.
  UpstreamConfig c = stdioConfig({"--slow-pages", "1"});
  SteppingClock clock(/*step_ms=*/4000);
  McpClient client(c, nullptr, &clock);
  ASSERT_TRUE(client.ensureConnected().ok());
  auto tools = client.listTools();
  EXPECT_EQ(tools.status().code(), StatusCode::kUnavailable) << tools.status().toString();
  EXPECT_NE(tools.status().message().find("did not finish within timeout_ms (20000 ms)"),
            std::string::npos)
      << tools.status().message();
}

TEST(McpClientStdioTest, AListingIsBoundedInBytes) {
  McpClient client(stdioConfig({"--big-pages"}), nullptr);  // endless pages of 1 MiB
  auto tools = client.listTools();
  EXPECT_EQ(tools.status().code(), StatusCode::kResourceExhausted);
  EXPECT_NE(tools.status().message().find("more than 16 MiB of tools"), std::string::npos)
      << tools.status().message();
}

TEST(McpClientStdioTest, InputRequestsAreRelayedAtMostEightPerRound) {
  McpClient client(elicitingConfig({"--era", "modern"}), nullptr);
  std::atomic<int> asked{0};
  McpClient::ClientAsk ask = [&](const std::string&, const Json&) -> Result<Json> {
    ++asked;
    return Json{{"action", "accept"}, {"content", Json::object()}};
  };
  auto two = client.callTool("ask_input", Json{{"n", 2}}, ask);
  ASSERT_TRUE(two.ok()) << two.status().toString();
  Json responses = textJson(*two);
  EXPECT_EQ(responses["r0"]["action"], "accept") << responses.dump();
  EXPECT_EQ(responses["r1"]["action"], "accept") << responses.dump();
  EXPECT_EQ(asked.load(), 2);
  auto nine = client.callTool("ask_input", Json{{"n", 9}}, ask);
  EXPECT_EQ(nine.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(nine.status().message().find("asked for 9 inputs in one round; Ward relays at most 8"),
            std::string::npos)
      << nine.status().message();
  EXPECT_EQ(asked.load(), 2);  // none of the nine was asked
  // An input request whose method is a number is refused, not a crash.
  auto bad = client.callTool("ask_bad_input", Json::object(), ask);
  EXPECT_EQ(bad.status().code(), StatusCode::kPermissionDenied) << bad.status().toString();
  EXPECT_EQ(asked.load(), 2);
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
    for (int i = 0; i < 6000 && !std::filesystem::exists(port_file_); ++i) {  // 120 s bound
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

TEST(McpClientHttpTest, ARequestInTheResponseToAReplyIsNotAnswered) {
  // The server pings on the call's stream, and answers each of Ward's replies with another ping
  // (5 deep at most, so that a regression fails instead of hanging): only the first is answered.
  HttpServerProcess server({"--era", "legacy"});
  McpClient client(httpConfig(server.url()), nullptr);
  auto r = client.callTool("loop", Json::object());
  ASSERT_TRUE(r.ok()) << r.status().toString();
  auto stats = client.callTool("stats", Json::object());
  ASSERT_TRUE(stats.ok()) << stats.status().toString();
  EXPECT_EQ(textJson(*stats)["reply_posts"], 1) << firstText(*stats);
}

TEST(McpClientHttpTest, McpNameIsBase64EncodedWhenItIsNotPlainAscii) {
  // The server decodes Mcp-Name and refuses a mismatch with the body (-32020), as the spec says.
  HttpServerProcess server({"--era", "modern"});
  McpClient client(httpConfig(server.url()), nullptr);
  for (const std::string name : {"caf\u00e9\r\nX-Injected: 1", " padded", "=?base64?abc?="}) {
    auto r = client.callTool(name, Json::object());  // no such tool: an isError result
    ASSERT_TRUE(r.ok()) << r.status().toString();
    EXPECT_EQ((*r)["isError"], true);
  }
  auto seen = client.callTool("seen_headers", Json::object());
  ASSERT_TRUE(seen.ok()) << seen.status().toString();
  Json got = textJson(*seen);
  ASSERT_EQ(got["mcp_names"].size(), 4u) << got.dump();
  EXPECT_EQ(got["mcp_names"][0], "=?base64?Y2Fmw6kNClgtSW5qZWN0ZWQ6IDE=?=");
  EXPECT_EQ(got["mcp_names"][1], "=?base64?IHBhZGRlZA==?=");
  EXPECT_EQ(got["mcp_names"][2], "=?base64?PT9iYXNlNjQ/YWJjPz0=?=");
  EXPECT_EQ(got["mcp_names"][3], "seen_headers");
  EXPECT_EQ(got["injected"], false);
}

TEST(McpClientHttpTest, AHeaderValueWithCrOrLfIsNotSent) {
  HttpServerProcess server({"--era", "legacy"});
  UpstreamConfig c = httpConfig(server.url());
  c.headers["X-Token"] = "${secret:token}";
  McpClient client(c, [](const std::string&) -> Result<std::string> {
    return std::string("t0ken\r\nX-Injected: 1");
  });
  Status st = client.ensureConnected();
  EXPECT_EQ(st.code(), StatusCode::kInvalidArgument) << st.toString();
  EXPECT_NE(st.message().find("header 'X-Token' contains CR, LF or NUL"), std::string::npos)
      << st.message();
  EXPECT_EQ(st.message().find("t0ken"), std::string::npos) << st.message();
}

}  // namespace
}  // namespace ward::upstream
