// The Chat Completions dialect both ways: client requests in, upstream bodies out, answers back.
#include <gtest/gtest.h>

#include "ward/models/openai_chat_format.h"

namespace ward::models {
namespace {

Json parse(const std::string& s) { return *parseJson(s); }

TEST(OpenAiChatRequest, ParsesMessagesToolsSamplingAndClaims) {
  auto r = parseChatCompletionRequest(parse(R"({
    "model": "m", "temperature": 0.2, "max_tokens": 50, "seed": 7, "stop": ["x"],
    "user": "mallory", "metadata": {"team": "a"},
    "tools": [{"type": "function", "function": {"name": "f", "parameters": {"type": "object"}}}],
    "messages": [
      {"role": "system", "content": "be brief"},
      {"role": "user", "content": [{"type": "text", "text": "hi"},
                                   {"type": "image_url", "image_url": {"url": "data:x"}}]},
      {"role": "assistant", "content": null, "tool_calls": [{"id": "call_1", "type": "function",
        "function": {"name": "f", "arguments": "{}"},
        "extra_content": {"google": {"thought_signature": "sig"}}}]},
      {"role": "tool", "tool_call_id": "call_1", "content": "42"}]})"));
  ASSERT_TRUE(r.ok()) << r.status().toString();
  EXPECT_EQ(r->messages.size(), 4u);
  EXPECT_EQ(r->messages[1].content.size(), 2u);
  EXPECT_EQ(r->messages[1].content[1].kind, ContentPart::Kind::kOther);
  EXPECT_EQ(r->messages[2].tool_calls[0].opaque["extra_content"]["google"]["thought_signature"],
            "sig");
  EXPECT_EQ(r->messages[3].tool_call_id, "call_1");
  EXPECT_EQ(*r->sampling.max_tokens, 50);
  EXPECT_TRUE(r->sampling.legacy_max_tokens);
  EXPECT_EQ(r->claims["user"], "mallory");

  // Upstream: the provider's model id, opaque state back verbatim, no claims, max_tokens kept.
  Json up = chatCompletionRequestJson(*r, "gpt-x");
  EXPECT_EQ(up["model"], "gpt-x");
  EXPECT_EQ(up["messages"][2]["tool_calls"][0]["extra_content"]["google"]["thought_signature"],
            "sig");
  EXPECT_EQ(up["messages"][2]["content"], nullptr);
  EXPECT_EQ(up["messages"][1]["content"][1]["type"], "image_url");
  EXPECT_EQ(up["max_tokens"], 50);
  EXPECT_FALSE(up.contains("user"));
  EXPECT_FALSE(up.contains("metadata"));
}

TEST(OpenAiChatRequest, StreamsAlwaysAskForUsage) {
  auto r = parseChatCompletionRequest(
      parse(R"({"model":"m","stream":true,"messages":[{"role":"user","content":"x"}]})"));
  ASSERT_TRUE(r.ok());
  Json up = chatCompletionRequestJson(*r, "m");
  EXPECT_EQ(up["stream_options"]["include_usage"], true);
  EXPECT_FALSE(r->include_usage);
}

TEST(OpenAiChatRequest, BadInputNamesTheField) {
  const std::pair<const char*, const char*> cases[] = {
      {R"([])", "JSON object"},
      {R"({"messages":[{"role":"user","content":"x"}]})", "'model'"},
      {R"({"model":"m","messages":[]})", "'messages'"},
      {R"({"model":"m","messages":[{"role":"robot","content":"x"}]})", "messages[0].role"},
      {R"({"model":"m","messages":[{"role":"user"}]})", "messages[0].content"},
      {R"({"model":"m","messages":[{"role":"tool","content":"x"}]})", "tool_call_id"},
      {R"({"model":"m","messages":[{"role":"user","content":"x"}],"top_p":2})", "'top_p'"},
      {R"({"model":"m","messages":[{"role":"user","content":"x"}],"n":2})", "'n'"},
      {R"({"model":"m","messages":[{"role":"user","content":"x"}],"store":true})", "'store'"},
      {R"({"model":"m","messages":[{"role":"user","content":"x"}],"bogus":1})", "'bogus'"},
      {R"({"model":"m","messages":[{"role":"user","content":"x"}],
          "tools":[{"type":"function","function":{"name":"bad name"}}]})",
       "tools[0].function.name"},
      {R"({"model":"m","messages":[{"role":"user","content":"x"}],"metadata":{"a":1}})",
       "metadata.a"},
  };
  for (const auto& [body, field] : cases) {
    auto r = parseChatCompletionRequest(parse(body));
    ASSERT_FALSE(r.ok()) << body;
    EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument) << body;
    EXPECT_NE(r.status().message().find(field), std::string::npos)
        << body << " -> " << r.status().message();
  }
}

TEST(OpenAiChatResponse, ParsesAndRendersToolCallsAndUsage) {
  auto r = parseChatCompletion(parse(R"({"id":"c1","object":"chat.completion","created":5,
    "model":"gpt-x-2026","choices":[{"index":0,"finish_reason":"tool_calls","message":{
      "role":"assistant","content":null,"tool_calls":[
        {"id":"call_a","type":"function","function":{"name":"f","arguments":""}},
        {"id":"call_b","type":"function","function":{"name":"g","arguments":{"x":1}}}]}}],
    "usage":{"prompt_tokens":10,"completion_tokens":3,"total_tokens":13,
             "prompt_tokens_details":{"cached_tokens":4}}})"));
  ASSERT_TRUE(r.ok()) << r.status().toString();
  EXPECT_EQ(r->finish, FinishReason::kToolCalls);
  EXPECT_EQ(r->message.tool_calls[0].arguments, "");
  EXPECT_EQ(r->message.tool_calls[1].arguments, R"({"x":1})");
  EXPECT_EQ(r->usage.cached_input_tokens, 4);
  Json out = chatCompletionJson(*r);
  EXPECT_EQ(out["object"], "chat.completion");
  EXPECT_EQ(out["model"], "gpt-x-2026");
  EXPECT_EQ(out["choices"][0]["message"]["content"], nullptr);
  EXPECT_EQ(out["choices"][0]["message"]["tool_calls"][1]["function"]["name"], "g");
  EXPECT_EQ(out["usage"]["total_tokens"], 13);
}

TEST(OpenAiChatResponse, RefusesWhatIsNotAChatCompletion) {
  for (const char* body :
       {R"({})", R"({"choices":[]})", R"({"choices":[{"message":1}]})",
        R"({"choices":[{"message":{"content":1}}]})",
        R"({"choices":[{"finish_reason":"weird","message":{"content":"x"}}]})"}) {
    auto r = parseChatCompletion(parse(body));
    EXPECT_FALSE(r.ok()) << body;
    EXPECT_EQ(r.status().code(), StatusCode::kUnavailable) << body;
  }
}

TEST(OpenAiChatError, ReadsTheErrorObject) {
  ProviderError e = parseChatError(
      429,
      R"({"error":{"message":"quota","type":"insufficient_quota","code":"insufficient_quota"}})");
  EXPECT_EQ(e.http_status, 429);
  EXPECT_EQ(e.message, "quota");
  EXPECT_EQ(e.code, "insufficient_quota");
  EXPECT_EQ(parseChatError(502, "<html>bad gateway</html>").message, "<html>bad gateway</html>");
}

}  // namespace
}  // namespace ward::models
