// ModelService::chatStream's `end` event (model_service.h): a streamed call's model_call record
// and the front door's response_sent event go into one durable append (one sync), as a
// non-streamed answer's do; without `end` the model_call is recorded alone.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <functional>
#include <string>
#include <thread>
#include <vector>

#include "ward/audit/prompt_store.h"
#include "ward/audit/trace_batch.h"
#include "ward/common/hash.h"
#include "ward/models/model_service.h"

namespace ward::models {
namespace {

// One-connection-at-a-time loopback provider: answers every request with the same short
// Chat Completions stream (two chunks, usage, [DONE]) and closes the connection.
class FakeStreamProvider {
 public:
  // `before_answer` runs on the provider's thread once a request was read, before the answer.
  explicit FakeStreamProvider(std::function<void()> before_answer = nullptr)
      : before_answer_(std::move(before_answer)) {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ::bind(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a);
    ::listen(fd_, 4);
    socklen_t len = sizeof a;
    ::getsockname(fd_, reinterpret_cast<sockaddr*>(&a), &len);
    port_ = ntohs(a.sin_port);
    thread_ = std::thread([this] { serve(); });
  }
  ~FakeStreamProvider() {
    ::shutdown(fd_, SHUT_RDWR);
    ::close(fd_);
    thread_.join();
  }
  int port() const { return port_; }

 private:
  void serve() {
    for (;;) {
      int c = ::accept(fd_, nullptr, nullptr);
      if (c < 0) return;
      std::string in;
      char buf[4096];
      size_t body_at = std::string::npos, want = 0;
      while (body_at == std::string::npos || in.size() < body_at + want) {
        ssize_t n = ::read(c, buf, sizeof buf);
        if (n <= 0) break;
        in.append(buf, static_cast<size_t>(n));
        if (body_at == std::string::npos && (body_at = in.find("\r\n\r\n")) != std::string::npos) {
          body_at += 4;
          size_t cl = in.find("ontent-Length: ");
          if (cl == std::string::npos) cl = in.find("ontent-length: ");
          want = cl == std::string::npos ? 0 : std::stoul(in.substr(cl + 15));
        }
      }
      if (before_answer_) before_answer_();
      const std::string chunk =
          R"({"id":"c1","object":"chat.completion.chunk","created":1,"model":"m","choices":)";
      std::string body =
          "data: " + chunk + R"([{"index":0,"delta":{"role":"assistant","content":"Hi"}}]})" +
          "\n\n" + "data: " + chunk + R"([{"index":0,"delta":{},"finish_reason":"stop"}]})" +
          "\n\n" + "data: " + chunk + R"([],"usage":{"prompt_tokens":3,"completion_tokens":1}})" +
          "\n\n" + "data: [DONE]\n\n";
      std::string out =
          "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nConnection: close\r\n"
          "Content-Length: " +
          std::to_string(body.size()) + "\r\n\r\n" + body;
      ssize_t ignored = ::write(c, out.data(), out.size());
      (void)ignored;
      ::close(c);
    }
  }
  std::function<void()> before_answer_;
  int fd_ = -1;
  int port_ = 0;
  std::thread thread_;
};

// Remembers how events arrive: one by one (record) or as one durable batch (recordAll).
class CountingSink final : public trace::TraceSink, public audit::BatchTraceSink {
 public:
  Status record(const trace::TraceEvent& e) override {
    appends.push_back({e.kind});
    if (e.kind == "model_call") model_call = e.attributes;
    return Status();
  }
  Status recordAll(std::span<const trace::TraceEvent> events) override {
    std::vector<std::string> kinds;
    for (const trace::TraceEvent& e : events) {
      kinds.push_back(e.kind);
      if (e.kind == "model_call") model_call = e.attributes;
    }
    appends.push_back(std::move(kinds));
    return Status();
  }
  std::vector<std::vector<std::string>> appends;  // the kinds of each append, in order
  Json model_call;                                // the last model_call's attributes
};

class TextSink final : public ChatStreamSink {
 public:
  bool start(const ChatResponse&) override { return true; }
  bool event(const ChatResponse&, const StreamEvent& e) override {
    if (e.kind == StreamEvent::Kind::kText) text += e.text;
    return true;
  }
  std::string text;
};

class StreamRecordTest : public ::testing::Test {
 protected:
  StreamRecordTest() : StreamRecordTest(nullptr) {}
  StreamRecordTest(audit::PromptStore* prompts, std::function<void()> before_answer = nullptr)
      : provider_(std::move(before_answer)) {
    ModelConfig m;
    m.name = "m";
    m.provider = "openai";
    m.base_url = "http://127.0.0.1:" + std::to_string(provider_.port()) + "/v1";
    m.model = "m";
    m.allow = {"group:ml"};
    m.allow_private = true;
    m.max_retries = 0;
    ModelServiceOptions o;
    o.models = {m};
    o.traces = &sink_;
    o.prompts = prompts;
    service_ = std::make_unique<ModelService>(std::move(o));
    call_.principal.tenant = "default";
    call_.principal.name = "alice";
    call_.principal.groups = {"ml"};
    call_.trace = trace::TraceContext::generate();
    call_.request.model = "m";
    call_.request.stream = true;
    Message hi;
    hi.role = Role::kUser;
    ContentPart p;
    p.kind = ContentPart::Kind::kText;
    p.text = "Hi";
    hi.content.push_back(p);
    call_.request.messages.push_back(hi);
  }

  FakeStreamProvider provider_;
  CountingSink sink_;
  std::unique_ptr<ModelService> service_;
  ChatCall call_;
};

TEST_F(StreamRecordTest, TheEndEventSharesTheModelCallsDurableAppend) {
  TextSink out;
  int ends = 0;
  Status seen = Status::internal("not called");
  auto end = [&](const Status& outcome) -> std::optional<trace::TraceEvent> {
    ++ends;
    seen = outcome;
    trace::TraceEvent e;
    e.kind = "response_sent";
    e.context = call_.trace;
    return e;
  };
  Status st = service_->chatStream(call_, out, end);
  ASSERT_TRUE(st.ok()) << st.toString();
  EXPECT_EQ(out.text, "Hi");
  EXPECT_EQ(ends, 1);
  EXPECT_TRUE(seen.ok()) << seen.toString();
  // One append holding both records (one sync), not two appends.
  ASSERT_EQ(sink_.appends.size(), 1u);
  EXPECT_EQ(sink_.appends[0], (std::vector<std::string>{"model_call", "response_sent"}));
}

TEST_F(StreamRecordTest, WithoutAnEndEventTheModelCallIsRecordedAlone) {
  TextSink out;
  ASSERT_TRUE(service_->chatStream(call_, out).ok());
  ASSERT_EQ(sink_.appends.size(), 1u);
  EXPECT_EQ(sink_.appends[0], std::vector<std::string>{"model_call"});
  // An end that has nothing to add (the stream never started, say) leaves it alone too.
  sink_.appends.clear();
  ASSERT_TRUE(
      service_
          ->chatStream(call_, out, [](const Status&) { return std::optional<trace::TraceEvent>(); })
          .ok());
  ASSERT_EQ(sink_.appends.size(), 1u);
  EXPECT_EQ(sink_.appends[0], std::vector<std::string>{"model_call"});
}

// The prompt's part of the record is done while the provider works on the answer (after the
// request was sent, before the answer is read): the provider sees the stored prompt before it
// answers, and the record names it as before.
class PromptAheadTest : public StreamRecordTest {
 protected:
  PromptAheadTest()
      : StreamRecordTest(&store_, [this] { seen_before_answer_ = waitForPrompt(); }) {}
  ~PromptAheadTest() override {
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }

  static std::string makeDir() {
    char tmpl[] = "/tmp/ward_prompt_ahead_XXXXXX";
    return ::mkdtemp(tmpl) != nullptr ? tmpl : "";
  }
  // True once a prompt file is in the store (a wait for that event, not a timing check: it gives
  // up after 5 s, and then the request's work was not done ahead).
  bool waitForPrompt() const {
    for (int i = 0; i < 5000; ++i) {
      std::error_code ec;
      for (auto it = std::filesystem::recursive_directory_iterator(dir_, ec);
           !ec && it != std::filesystem::recursive_directory_iterator(); it.increment(ec)) {
        if (it->is_regular_file() && it->path().extension() == ".json") return true;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    return false;
  }

  std::string dir_ = makeDir();
  audit::PromptStore store_{dir_ + "/prompts"};
  std::atomic<bool> seen_before_answer_{false};
};

TEST_F(PromptAheadTest, ThePromptIsStoredWhileTheProviderAnswers) {
  ASSERT_FALSE(dir_.empty());
  TextSink out;
  Status st = service_->chatStream(call_, out);
  ASSERT_TRUE(st.ok()) << st.toString();
  EXPECT_EQ(out.text, "Hi");
  EXPECT_TRUE(seen_before_answer_.load());
  const Json& prompt = sink_.model_call["prompt"];
  ASSERT_TRUE(prompt.is_object()) << sink_.model_call.dump();
  EXPECT_EQ(prompt["stored"], true);
  const std::string sha = prompt["sha256"].get<std::string>();
  auto stored = store_.get("default", sha);
  ASSERT_TRUE(stored.ok()) << stored.status().toString();
  EXPECT_EQ(stored->text, "[user]\nHi\n");
  EXPECT_EQ(sha, sha256Hex(stored->text));
}

}  // namespace
}  // namespace ward::models
