// The Gemini dialect: roles, function names on results, minted ids, thought signatures, schema
// reduction, finish reasons, usage, errors with RetryInfo, streams.
#include <gtest/gtest.h>

#include "gemini_format.h"
#include "retry_policy.h"
#include "ward/models/openai_chat_format.h"

namespace ward::models {
namespace {

ChatRequest request(const std::string& body) {
  auto r = parseChatCompletionRequest(*parseJson(body));
  EXPECT_TRUE(r.ok()) << r.status().toString();
  return r.ok() ? *r : ChatRequest{};
}

TEST(GeminiFormat, RequestMapping) {
  ChatRequest r = request(R"({"model":"m","max_tokens":100,"stop":"END","temperature":0.5,
    "tool_choice":{"type":"function","function":{"name":"get_weather"}},
    "tools":[{"type":"function","function":{"name":"get_weather","description":"d",
      "parameters":{"$schema":"x","type":"object","additionalProperties":false,
        "properties":{"city":{"type":["string","null"]},"unit":{"const":"C"}},"required":["city"]}}},
      {"type":"function","function":{"name":"get_time","parameters":{"type":"object","properties":{}}}}],
    "messages":[{"role":"system","content":"be brief"},{"role":"developer","content":"no lies"},
      {"role":"user","content":"weather?"},
      {"role":"assistant","content":null,"tool_calls":[
        {"id":"call_1","type":"function","function":{"name":"get_weather","arguments":"{\"city\":\"Oslo\"}"},
         "extra_content":{"google":{"thought_signature":"sig-1"}}},
        {"id":"call.b:2","type":"function","function":{"name":"get_time","arguments":""}}]},
      {"role":"tool","tool_call_id":"call.b:2","content":"noon"},
      {"role":"tool","tool_call_id":"call_1","content":"sunny"}]})");
  auto body = geminiRequestJson(r);
  ASSERT_TRUE(body.ok()) << body.status().toString();
  const Json& b = *body;
  EXPECT_EQ(b["systemInstruction"]["parts"][0]["text"], "be brief\n\nno lies");
  EXPECT_EQ(b["generationConfig"]["maxOutputTokens"], 100);
  EXPECT_EQ(b["generationConfig"]["stopSequences"], Json::array({"END"}));
  EXPECT_EQ(b["generationConfig"]["temperature"], 0.5);
  EXPECT_EQ(b["toolConfig"]["functionCallingConfig"],
            (Json{{"mode", "ANY"}, {"allowedFunctionNames", {"get_weather"}}}));
  const Json& decl = b["tools"][0]["functionDeclarations"];
  EXPECT_EQ(
      decl[0]["parameters"],
      (Json{{"type", "object"},
            {"properties",
             {{"city", {{"type", "string"}, {"nullable", true}}}, {"unit", {{"enum", {"C"}}}}}},
            {"required", {"city"}}}));
  EXPECT_FALSE(decl[1].contains("parameters"));  // no properties: no parameters
  ASSERT_EQ(b["contents"].size(), 3u);           // user, model, user (both results merged)
  EXPECT_EQ(b["contents"][1]["role"], "model");
  const Json& calls = b["contents"][1]["parts"];
  EXPECT_EQ(calls[0]["functionCall"]["args"]["city"], "Oslo");
  EXPECT_EQ(calls[0]["thoughtSignature"], "sig-1");  // verbatim
  EXPECT_EQ(calls[1]["functionCall"]["args"], Json::object());
  EXPECT_FALSE(calls[1].contains("thoughtSignature"));  // only the first call of a turn
  const Json& results = b["contents"][2]["parts"];
  EXPECT_EQ(results[0]["functionResponse"]["name"], "get_time");  // looked up by id
  EXPECT_EQ(results[0]["functionResponse"]["response"]["output"], "noon");
  EXPECT_EQ(results[1]["functionResponse"]["name"], "get_weather");
}

TEST(GeminiFormat, ForeignCallsGetThePlaceholderSignature) {
  ChatRequest r = request(R"({"model":"m","messages":[{"role":"user","content":"x"},
    {"role":"assistant","content":null,"tool_calls":[
      {"id":"toolu_a","type":"function","function":{"name":"f","arguments":"{}"}}]},
    {"role":"tool","tool_call_id":"toolu_a","content":"r"}]})");
  auto body = geminiRequestJson(r);
  ASSERT_TRUE(body.ok()) << body.status().toString();
  EXPECT_EQ((*body)["contents"][1]["parts"][0]["thoughtSignature"], kGeminiSkipSignature);
}

TEST(GeminiFormat, RefusalsNameTheProblem) {
  auto refused = [](const std::string& body, const std::string& needle) {
    auto j = geminiRequestJson(request(body));
    ASSERT_FALSE(j.ok()) << needle;
    EXPECT_EQ(j.status().code(), StatusCode::kInvalidArgument);
    EXPECT_NE(j.status().message().find(needle), std::string::npos) << j.status().message();
  };
  refused(R"({"model":"m","messages":[{"role":"tool","tool_call_id":"nope","content":"x"}]})",
          "'nope' answers no earlier assistant tool call");
  refused(R"({"model":"m","messages":[{"role":"assistant","content":null,"tool_calls":[
    {"id":"c1","type":"function","function":{"name":"f","arguments":"{\"a\":"}}]}]})",
          "'c1'");
  refused(R"({"model":"m","messages":[{"role":"user","content":"x"}],"tools":[{"type":"function",
    "function":{"name":"f","parameters":{"type":"object","properties":{"a":{"$ref":"#/x"}}}}}]})",
          "tool 'f': its parameters schema uses $ref");
  refused(R"({"model":"m","messages":[{"role":"user","content":"x"}],"tools":[{"type":"function",
    "function":{"name":"f","parameters":{"type":"object","properties":{"a":{"type":["string","integer"]}}}}}]})",
          "type list");
  refused(R"({"model":"m","messages":[{"role":"user","content":"x"}],"tools":[{"type":"function",
    "function":{"name":"f","parameters":{"type":"string"}}}]})",
          "not an object schema");
  Json deep = {{"type", "string"}};
  for (int i = 0; i <= kMaxGeminiSchemaDepth; ++i) deep = {{"type", "array"}, {"items", deep}};
  EXPECT_FALSE(geminiSchema("f", {{"type", "object"}, {"properties", {{"a", deep}}}}).ok());
}

TEST(GeminiFormat, AnswerWithCallsSignatureAndUsage) {
  auto r = parseGeminiResponse(*parseJson(R"({"responseId":"r1","modelVersion":"gemini-x-001",
    "candidates":[{"content":{"role":"model","parts":[
       {"text":"thinking...","thought":true},{"text":"Let me check."},
       {"functionCall":{"name":"f","args":{"q":1}},"thoughtSignature":"sig"},
       {"functionCall":{"name":"g"}}]},"finishReason":"STOP"}],
    "usageMetadata":{"promptTokenCount":40,"cachedContentTokenCount":30,"candidatesTokenCount":7,
                     "thoughtsTokenCount":3,"totalTokenCount":50}})"));
  ASSERT_TRUE(r.ok()) << r.status().toString();
  EXPECT_EQ(r->model, "gemini-x-001");
  EXPECT_EQ(r->finish, FinishReason::kToolCalls);  // STOP with calls
  EXPECT_EQ(r->message.text(), "Let me check.");   // thought summaries are not the answer
  ASSERT_EQ(r->message.tool_calls.size(), 2u);
  const ToolCall& c = r->message.tool_calls[0];
  EXPECT_EQ(c.arguments, R"({"q":1})");
  EXPECT_EQ(c.opaque["extra_content"]["google"]["thought_signature"], "sig");
  EXPECT_EQ(c.id.rfind("call_", 0), 0u);  // minted by Ward
  EXPECT_EQ(c.id.size(), 5u + 24u);
  EXPECT_NE(c.id, r->message.tool_calls[1].id);
  EXPECT_EQ(r->message.tool_calls[1].arguments, "{}");
  EXPECT_EQ(r->usage.input_tokens, 40);
  EXPECT_EQ(r->usage.cached_input_tokens, 30);
  EXPECT_EQ(r->usage.output_tokens, 10);  // candidates + thoughts
  EXPECT_EQ(r->usage.reasoning_tokens, 3);
  EXPECT_EQ(geminiFinish("MAX_TOKENS"), FinishReason::kLength);
  EXPECT_EQ(geminiFinish("SAFETY"), FinishReason::kContentFilter);
  EXPECT_EQ(geminiFinish("RECITATION"), FinishReason::kContentFilter);
  auto blocked = parseGeminiResponse(*parseJson(R"({"promptFeedback":{"blockReason":"SAFETY"}})"));
  ASSERT_TRUE(blocked.ok());
  EXPECT_EQ(blocked->finish, FinishReason::kContentFilter);
  EXPECT_FALSE(parseGeminiResponse(*parseJson(R"({"candidates":[]})")).ok());
}

TEST(GeminiFormat, ErrorsAndRetryInfoDriveTheRetryPolicy) {
  const std::string body = R"({"error":{"code":429,"message":"Resource exhausted",
    "status":"RESOURCE_EXHAUSTED","details":[
      {"@type":"type.googleapis.com/google.rpc.RetryInfo","retryDelay":"1.5s"}]}})";
  ProviderError e = parseGeminiError(429, body);
  EXPECT_EQ(e.type, "RESOURCE_EXHAUSTED");
  EXPECT_EQ(e.message, "Resource exhausted");
  EXPECT_EQ(e.retry_after_ms, 1500);
  net::OutboundReply reply;
  reply.status = 429;
  reply.body = body;
  ModelConfig cfg;
  cfg.retry_base_ms = 100;
  RetryDecision d = retryAfterReply(reply, e, 0, cfg, 0);
  EXPECT_TRUE(d.retry);
  EXPECT_EQ(d.wait_ms, 1500);
  // The array form of the stream endpoint, and a per-day quota (not retried).
  ProviderError daily = parseGeminiError(429, R"([{"error":{"code":429,"message":"quota",
    "status":"RESOURCE_EXHAUSTED","details":[{"@type":"type.googleapis.com/google.rpc.QuotaFailure",
    "violations":[{"quotaId":"GenerateRequestsPerDayPerProjectPerModel-FreeTier"}]}]}}])");
  EXPECT_EQ(daily.code, "insufficient_quota");
  EXPECT_FALSE(retryAfterReply(reply, daily, 0, cfg, 0).retry);
}

// One SSE event of a JSON chunk (the literal's line breaks removed: a chunk is one line).
std::string data(const std::string& json) {
  std::string one;
  for (char c : json) {
    if (c != '\n') one.push_back(c);
  }
  return "data: " + one + "\r\n\r\n";
}

TEST(GeminiStream, TextAsItComesCallsWholeWithTheFinish) {
  const std::string s =
      data(
          R"({"candidates":[{"content":{"role":"model","parts":[{"text":"Hel"}]}}],"modelVersion":"g-1","responseId":"r1"})") +
      data(R"({"candidates":[{"content":{"role":"model","parts":[{"text":"lo"},
        {"functionCall":{"name":"f","args":{"a":1}},"thoughtSignature":"s1"}]}}]})") +
      data(
          R"({"candidates":[{"content":{"role":"model","parts":[{"functionCall":{"name":"g","args":{}}}]},
        "finishReason":"STOP"}],"usageMetadata":{"promptTokenCount":12,"candidatesTokenCount":5}})");
  for (size_t piece : {1u, 17u, 100000u}) {
    auto d = makeGeminiStreamDecoder();
    std::vector<StreamEvent> events;
    for (size_t i = 0; i < s.size(); i += piece) {
      ASSERT_TRUE(d->feed(std::string_view(s).substr(i, piece), events).ok());
    }
    ASSERT_EQ(events.size(), 5u) << piece;
    EXPECT_EQ(events[0].text, "Hel");
    EXPECT_EQ(events[1].text, "lo");
    ASSERT_EQ(events[2].kind, StreamEvent::Kind::kToolCalls);
    ASSERT_EQ(events[2].tool_calls.size(), 2u);
    EXPECT_EQ(events[2].tool_calls[0].opaque["extra_content"]["google"]["thought_signature"], "s1");
    EXPECT_EQ(events[3].finish, FinishReason::kToolCalls);
    EXPECT_EQ(events[4].usage.input_tokens, 12);
    EXPECT_TRUE(d->ended());
    EXPECT_EQ(d->response().model, "g-1");
  }
  auto d = makeGeminiStreamDecoder();
  std::vector<StreamEvent> events;
  Status st = d->feed(data(R"({"candidates":[{"content":{"parts":[{"text":"a"}]}}]})") +
                          data(R"({"error":{"code":500,"message":"boom","status":"INTERNAL"}})"),
                      events);
  EXPECT_EQ(st.code(), StatusCode::kUnavailable);
  EXPECT_EQ(d->error().type, "INTERNAL");
  EXPECT_FALSE(d->finished());
}

}  // namespace
}  // namespace ward::models
