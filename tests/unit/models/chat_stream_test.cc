// The Chat Completions stream decoder and the SSE framing under it.
#include <gtest/gtest.h>

#include "sse_parser.h"
#include "ward/models/openai_chat_format.h"

namespace ward::models {
namespace {

std::string data(const std::string& json) { return "data: " + json + "\n\n"; }

std::string chunk(const std::string& delta, const std::string& finish = "null") {
  return data(R"({"id":"c1","object":"chat.completion.chunk","created":1,"model":"m-1",)"
              R"("choices":[{"index":0,"delta":)" +
              delta + R"(,"finish_reason":)" + finish + "}]}");
}

// Two calls opened, their argument pieces interleaved, then the finish reason and usage.
std::string parallelToolStream() {
  return chunk(R"({"role":"assistant","content":""})") +
         chunk(
             R"({"tool_calls":[{"index":0,"id":"call_a","type":"function","function":{"name":"get_weather","arguments":""}}]})") +
         chunk(
             R"({"tool_calls":[{"index":1,"id":"call_b","type":"function","function":{"name":"get_time","arguments":""}}]})") +
         chunk(R"({"tool_calls":[{"index":0,"function":{"arguments":"{\"city\""}}]})") +
         chunk(R"({"tool_calls":[{"index":1,"function":{"arguments":"{\"tz\":"}}]})") +
         chunk(R"({"tool_calls":[{"index":0,"function":{"arguments":":\"Paris\"}"}}]})") +
         chunk(R"({"tool_calls":[{"index":1,"function":{"arguments":"\"CET\"}"}}]})") +
         chunk("{}", "\"tool_calls\"") +
         data(
             R"({"id":"c1","choices":[],"usage":{"prompt_tokens":8,"completion_tokens":2,"total_tokens":10}})") +
         "data: [DONE]\n\n";
}

std::vector<StreamEvent> decodeInPieces(const std::string& stream, size_t piece, StreamDecoder& d,
                                        Status* last) {
  std::vector<StreamEvent> events;
  for (size_t i = 0; i < stream.size(); i += piece) {
    *last = d.feed(std::string_view(stream).substr(i, piece), events);
    if (!last->ok()) break;
  }
  return events;
}

TEST(ChatStreamDecoder, ParallelToolCallsAreReleasedWholeAtTheFinish) {
  // Every split of the bytes gives the same events: framing does not depend on chunking.
  for (size_t piece : {1u, 3u, 7u, 64u, 100000u}) {
    auto d = makeChatStreamDecoder();
    Status st;
    auto events = decodeInPieces(parallelToolStream(), piece, *d, &st);
    ASSERT_TRUE(st.ok()) << st.toString();
    ASSERT_EQ(events.size(), 3u) << piece;
    EXPECT_EQ(events[0].kind, StreamEvent::Kind::kToolCalls);
    ASSERT_EQ(events[0].tool_calls.size(), 2u);
    EXPECT_EQ(events[0].tool_calls[0].id, "call_a");
    EXPECT_EQ(events[0].tool_calls[0].arguments, R"({"city":"Paris"})");
    EXPECT_EQ(events[0].tool_calls[1].name, "get_time");
    EXPECT_EQ(events[0].tool_calls[1].arguments, R"({"tz":"CET"})");
    EXPECT_EQ(events[1].kind, StreamEvent::Kind::kFinish);
    EXPECT_EQ(events[1].finish, FinishReason::kToolCalls);
    EXPECT_EQ(events[2].kind, StreamEvent::Kind::kUsage);
    EXPECT_EQ(events[2].usage.input_tokens, 8);
    EXPECT_TRUE(d->ended());
    EXPECT_EQ(d->response().model, "m-1");
    EXPECT_EQ(d->response().message.tool_calls.size(), 2u);
  }
}

TEST(ChatStreamDecoder, TextPiecesInOrder) {
  auto d = makeChatStreamDecoder();
  std::vector<StreamEvent> events;
  std::string s = chunk(R"({"role":"assistant","content":""})") + chunk(R"({"content":"Hel"})") +
                  ": keep-alive\n\n" + chunk(R"({"content":"lo"})") + chunk("{}", "\"stop\"") +
                  "data: [DONE]\n\n";
  ASSERT_TRUE(d->feed(s, events).ok());
  ASSERT_EQ(events.size(), 3u);
  EXPECT_EQ(events[0].text, "Hel");
  EXPECT_EQ(events[1].text, "lo");
  EXPECT_EQ(d->response().message.text(), "Hello");
  EXPECT_TRUE(d->finished());
  EXPECT_FALSE(d->response().usage.known);
}

TEST(ChatStreamDecoder, ErrorsAndBrokenStreams) {
  {
    auto d = makeChatStreamDecoder();
    std::vector<StreamEvent> events;
    Status st = d->feed(chunk(R"({"content":"Hel"})") +
                            data(R"({"error":{"message":"boom","type":"server_error"}})"),
                        events);
    EXPECT_EQ(st.code(), StatusCode::kUnavailable);
    EXPECT_EQ(d->error().message, "boom");
    EXPECT_EQ(d->error().type, "server_error");
  }
  {
    auto d = makeChatStreamDecoder();
    std::vector<StreamEvent> events;
    Status st = d->feed(
        chunk(
            R"({"tool_calls":[{"index":0,"id":"call_a","type":"function","function":{"name":"f","arguments":""}}]})") +
            chunk(R"({"tool_calls":[{"index":0,"id":"call_z","function":{"arguments":"{}"}}]})"),
        events);
    EXPECT_FALSE(st.ok());
    EXPECT_NE(st.message().find("changed its id"), std::string::npos) << st.message();
  }
  {
    auto d = makeChatStreamDecoder();
    std::vector<StreamEvent> events;
    EXPECT_FALSE(d->feed("data: {not json\n\n", events).ok());
  }
  {
    // A call that never got its name is refused at the finish, not forwarded half-made.
    auto d = makeChatStreamDecoder();
    std::vector<StreamEvent> events;
    Status st = d->feed(chunk(R"({"tool_calls":[{"index":0,"function":{"arguments":"{}"}}]})") +
                            chunk("{}", "\"tool_calls\""),
                        events);
    EXPECT_FALSE(st.ok());
    EXPECT_TRUE(events.empty());
  }
}

TEST(SseParser, JoinsDataLinesAndKeepsEventNames) {
  std::vector<std::pair<std::string, std::string>> got;
  SseParser p([&](const std::string& e, const std::string& d) {
    got.emplace_back(e, d);
    return Status();
  });
  ASSERT_TRUE(
      p.feed("event: message_start\r\ndata: {\"a\":\r\ndata: 1}\r\n\r\nid: 3\ndata:x\n\n").ok());
  ASSERT_EQ(got.size(), 2u);
  EXPECT_EQ(got[0].first, "message_start");
  EXPECT_EQ(got[0].second, "{\"a\":\n1}");
  EXPECT_EQ(got[1].first, "");
  EXPECT_EQ(got[1].second, "x");
}

}  // namespace
}  // namespace ward::models
