// The Anthropic Messages dialect: ids, arguments, thinking signatures, usage, streams.
#include <gtest/gtest.h>

#include "anthropic_format.h"
#include "ward/models/openai_chat_format.h"

namespace ward::models {
namespace {

ChatRequest request(const std::string& body) {
  auto r = parseChatCompletionRequest(*parseJson(body));
  EXPECT_TRUE(r.ok()) << r.status().toString();
  return r.ok() ? *r : ChatRequest{};
}

TEST(AnthropicFormat, ToolIdsMatchTheDialectsPattern) {
  EXPECT_EQ(anthropicToolId("toolu_01A-b"), "toolu_01A-b");
  const std::string mapped = anthropicToolId("call.a:1");
  EXPECT_EQ(mapped.rfind("toolu_w", 0), 0u);
  EXPECT_EQ(mapped.size(), 7u + 24u);
  EXPECT_EQ(mapped.find_first_not_of("abcdefghijklmnopqrstuvwxyz0123456789_"), std::string::npos);
  EXPECT_EQ(anthropicToolId("call.a:1"), mapped);  // stable: tool_use and tool_result agree
  EXPECT_NE(anthropicToolId("call.a:2"), mapped);
}

TEST(AnthropicFormat, RequestMapping) {
  ChatRequest r = request(R"({"model":"m","max_tokens":100,"stop":"END","tool_choice":"required",
    "parallel_tool_calls":false,
    "tools":[{"type":"function","function":{"name":"get_weather","description":"d"}}],
    "messages":[{"role":"system","content":"be brief"},{"role":"developer","content":"no lies"},
      {"role":"user","content":"weather?"},
      {"role":"assistant","content":null,"tool_calls":[
        {"id":"call.a:1","type":"function","function":{"name":"get_weather","arguments":""},
         "extra_content":{"anthropic":{"thinking":[{"type":"thinking","thinking":"t","signature":"s"}]}}},
        {"id":"toolu_b","type":"function","function":{"name":"get_weather","arguments":"{\"city\":\"Oslo\"}"}}]},
      {"role":"tool","tool_call_id":"call.a:1","content":"sunny"},
      {"role":"tool","tool_call_id":"toolu_b","content":"snow"}]})");
  auto body = anthropicRequestJson(r, "claude-x");
  ASSERT_TRUE(body.ok()) << body.status().toString();
  const Json& b = *body;
  EXPECT_EQ(b["system"], "be brief\n\nno lies");
  EXPECT_EQ(b["max_tokens"], 100);
  EXPECT_EQ(b["stop_sequences"], Json::array({"END"}));
  EXPECT_EQ(b["tool_choice"], (Json{{"type", "any"}, {"disable_parallel_tool_use", true}}));
  EXPECT_EQ(b["tools"][0]["input_schema"], (Json{{"type", "object"}}));
  ASSERT_EQ(b["messages"].size(), 3u);  // user, assistant, user (both tool results merged)
  const Json& a = b["messages"][1]["content"];
  EXPECT_EQ(a[0]["type"], "thinking");  // verbatim, first
  EXPECT_EQ(a[0]["signature"], "s");
  EXPECT_EQ(a[1]["type"], "tool_use");
  EXPECT_EQ(a[1]["id"], anthropicToolId("call.a:1"));
  EXPECT_EQ(a[1]["input"], Json::object());  // empty arguments
  EXPECT_EQ(a[2]["input"]["city"], "Oslo");
  const Json& results = b["messages"][2]["content"];
  ASSERT_EQ(results.size(), 2u);
  EXPECT_EQ(results[0]["tool_use_id"], anthropicToolId("call.a:1"));
  EXPECT_EQ(results[1]["content"], "snow");
  EXPECT_EQ(
      request(R"({"model":"m","messages":[{"role":"user","content":"x"}]})").sampling.max_tokens,
      std::nullopt);
  EXPECT_EQ(
      (*anthropicRequestJson(request(R"({"model":"m","messages":[{"role":"user","content":"x"}]})"),
                             "c"))["max_tokens"],
      kAnthropicDefaultMaxTokens);
}

TEST(AnthropicFormat, MalformedArgumentsAreRefusedNamingTheCall) {
  ChatRequest r = request(R"({"model":"m","messages":[{"role":"assistant","content":null,
    "tool_calls":[{"id":"c1","type":"function","function":{"name":"f","arguments":"{\"a\":"}}]}]})");
  auto body = anthropicRequestJson(r, "c");
  ASSERT_FALSE(body.ok());
  EXPECT_EQ(body.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(body.status().message().find("'c1'"), std::string::npos);
}

TEST(AnthropicFormat, AnswerWithThinkingToolUseAndCachedUsage) {
  auto r = parseAnthropicMessage(*parseJson(R"({"id":"msg_1","type":"message","model":"claude-x-1",
    "content":[{"type":"thinking","thinking":"hmm","signature":"sig"},
               {"type":"text","text":"Let me check."},
               {"type":"tool_use","id":"toolu_a","name":"f","input":{"q":1}}],
    "stop_reason":"tool_use",
    "usage":{"input_tokens":10,"cache_read_input_tokens":30,"cache_creation_input_tokens":5,
             "output_tokens":7}})"));
  ASSERT_TRUE(r.ok()) << r.status().toString();
  EXPECT_EQ(r->finish, FinishReason::kToolCalls);
  EXPECT_EQ(r->message.text(), "Let me check.");
  ASSERT_EQ(r->message.tool_calls.size(), 1u);
  EXPECT_EQ(r->message.tool_calls[0].arguments, R"({"q":1})");
  EXPECT_EQ(
      r->message.tool_calls[0].opaque["extra_content"]["anthropic"]["thinking"][0]["signature"],
      "sig");
  EXPECT_EQ(r->usage.input_tokens, 45);  // 10 + cache reads + cache writes
  EXPECT_EQ(r->usage.cached_input_tokens, 30);
  EXPECT_EQ(r->usage.output_tokens, 7);
  EXPECT_EQ(
      parseAnthropicError(
          529, R"({"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}})")
          .type,
      "overloaded_error");
}

std::string ev(const std::string& name, const std::string& data) {
  return "event: " + name + "\ndata: " + data + "\n\n";
}

TEST(AnthropicStream, ToolUseAndThinkingReleasedWholeWithTheStopReason) {
  const std::string s =
      ev("message_start",
         R"({"type":"message_start","message":{"id":"msg_1","model":"c-1","usage":{"input_tokens":10,"cache_read_input_tokens":2,"output_tokens":1}}})") +
      ev("ping", R"({"type":"ping"})") +
      ev("content_block_start",
         R"({"type":"content_block_start","index":0,"content_block":{"type":"thinking","thinking":""}})") +
      ev("content_block_delta",
         R"({"type":"content_block_delta","index":0,"delta":{"type":"thinking_delta","thinking":"hm"}})") +
      ev("content_block_delta",
         R"({"type":"content_block_delta","index":0,"delta":{"type":"signature_delta","signature":"sig"}})") +
      ev("content_block_start",
         R"({"type":"content_block_start","index":1,"content_block":{"type":"text","text":""}})") +
      ev("content_block_delta",
         R"({"type":"content_block_delta","index":1,"delta":{"type":"text_delta","text":"Hi"}})") +
      ev("content_block_start",
         R"({"type":"content_block_start","index":2,"content_block":{"type":"tool_use","id":"toolu_a","name":"f","input":{}}})") +
      ev("content_block_delta",
         R"({"type":"content_block_delta","index":2,"delta":{"type":"input_json_delta","partial_json":"{\"q\""}})") +
      ev("content_block_delta",
         R"({"type":"content_block_delta","index":2,"delta":{"type":"input_json_delta","partial_json":":1}"}})") +
      ev("message_delta",
         R"({"type":"message_delta","delta":{"stop_reason":"tool_use"},"usage":{"output_tokens":9}})") +
      ev("message_stop", R"({"type":"message_stop"})");
  for (size_t piece : {1u, 13u, 100000u}) {
    auto d = makeAnthropicStreamDecoder();
    std::vector<StreamEvent> events;
    for (size_t i = 0; i < s.size(); i += piece) {
      ASSERT_TRUE(d->feed(std::string_view(s).substr(i, piece), events).ok());
    }
    ASSERT_EQ(events.size(), 4u) << piece;
    EXPECT_EQ(events[0].kind, StreamEvent::Kind::kText);
    EXPECT_EQ(events[1].kind, StreamEvent::Kind::kToolCalls);
    EXPECT_EQ(events[1].tool_calls[0].arguments, R"({"q":1})");
    EXPECT_EQ(
        events[1].tool_calls[0].opaque["extra_content"]["anthropic"]["thinking"][0]["signature"],
        "sig");
    EXPECT_EQ(events[2].finish, FinishReason::kToolCalls);
    EXPECT_EQ(events[3].usage.input_tokens, 12);
    EXPECT_EQ(events[3].usage.output_tokens, 9);
    EXPECT_TRUE(d->ended());
  }
  auto d = makeAnthropicStreamDecoder();
  std::vector<StreamEvent> events;
  Status st = d->feed(
      ev("error", R"({"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}})"),
      events);
  EXPECT_EQ(st.code(), StatusCode::kUnavailable);
  EXPECT_EQ(d->error().type, "overloaded_error");
}

}  // namespace
}  // namespace ward::models
