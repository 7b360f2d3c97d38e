// Ward's tool-call ids: one rule for every provider, reversible without a store, valid in every
// dialect; Gemini's minted ids are deterministic (replay gives the same ids).
#include <gtest/gtest.h>

#include <regex>

#include "gemini_format.h"
#include "ward/models/tool_call_ids.h"

namespace ward::models {
namespace {

TEST(ToolCallIds, WardsIdCarriesTheProvidersIdAndMatchesEveryDialect) {
  const std::regex anthropic_pattern("^[a-zA-Z0-9_-]+$");
  for (const std::string provider_id :
       {"toolu_01A09q90qw90lq917835lq9", "call_a", "call.a:1", "fc_1/2 x", "call_w-"}) {
    const std::string ward = wardToolCallId(provider_id);
    EXPECT_EQ(ward.rfind(kWardToolCallIdPrefix, 0), 0u) << ward;
    EXPECT_NE(ward, provider_id);
    EXPECT_TRUE(std::regex_match(ward, anthropic_pattern)) << ward;
    EXPECT_EQ(providerToolCallId(ward), provider_id);
    EXPECT_EQ(wardToolCallId(provider_id), ward);  // deterministic
  }
  EXPECT_EQ(wardToolCallId(""), "");
}

TEST(ToolCallIds, IdsThatAreNotWardsGoToTheProviderUnchanged) {
  for (const std::string id : {"call_abc123", "toolu_a", "call.a:1", "call_w-", "call_w-!!",
                               "call_w-YQ=", "call_w-YR"}) {  // empty, not base64url, padded,
    EXPECT_EQ(providerToolCallId(id), id) << id;              // not canonical (unused bits)
  }
  EXPECT_EQ(providerToolCallId("call_w-YQ"), "a");
}

TEST(ToolCallIds, ARequestGoesOutWithTheProvidersOwnIds) {
  ChatRequest r;
  Message assistant;
  assistant.role = Role::kAssistant;
  assistant.tool_calls.push_back({wardToolCallId("toolu_a"), "get_weather", "{}", nullptr});
  assistant.tool_calls.push_back({"call.foreign:1", "get_time", "{}", nullptr});
  Message result_a;
  result_a.role = Role::kTool;
  result_a.tool_call_id = wardToolCallId("toolu_a");
  Message result_b;
  result_b.role = Role::kTool;
  result_b.tool_call_id = "call.foreign:1";
  r.messages = {assistant, result_a, result_b};
  const ChatRequest out = withProviderToolCallIds(r);
  EXPECT_EQ(out.messages[0].tool_calls[0].id, "toolu_a");
  EXPECT_EQ(out.messages[0].tool_calls[1].id, "call.foreign:1");
  EXPECT_EQ(out.messages[1].tool_call_id, "toolu_a");
  EXPECT_EQ(out.messages[2].tool_call_id, "call.foreign:1");

  std::vector<ToolCall> calls = {{"call_a", "f", "{}", nullptr}, {"call_b", "g", "{}", nullptr}};
  useWardToolCallIds(calls);
  EXPECT_EQ(calls[0].id, wardToolCallId("call_a"));
  EXPECT_EQ(calls[1].id, wardToolCallId("call_b"));
}

TEST(ToolCallIds, GeminisMintedIdsAreTheSameOnEveryParseAndDifferPerCall) {
  const std::string body = R"({"responseId":"r1","candidates":[{"content":{"role":"model",
    "parts":[{"functionCall":{"name":"f","args":{"q":1}}},{"functionCall":{"name":"f","args":{"q":1}}},
             {"functionCall":{"name":"g","id":"own-id"}}]},"finishReason":"STOP"}]})";
  auto a = parseGeminiResponse(*parseJson(body));
  auto b = parseGeminiResponse(*parseJson(body));
  ASSERT_TRUE(a.ok() && b.ok());
  ASSERT_EQ(a->message.tool_calls.size(), 3u);
  EXPECT_EQ(a->message.tool_calls[0].id, b->message.tool_calls[0].id);  // replay holds
  EXPECT_NE(a->message.tool_calls[0].id, a->message.tool_calls[1].id);  // same call twice
  EXPECT_TRUE(std::regex_match(a->message.tool_calls[0].id, std::regex("^call_[0-9a-f]{24}$")));
  EXPECT_EQ(a->message.tool_calls[2].id, "own-id");  // Gemini's own id is kept
  // Another answer (another response id) with the same call gets another id.
  auto other = parseGeminiResponse(*parseJson(std::string(body).replace(body.find("r1"), 2, "r2")));
  ASSERT_TRUE(other.ok());
  EXPECT_NE(other->message.tool_calls[0].id, a->message.tool_calls[0].id);
}

}  // namespace
}  // namespace ward::models
