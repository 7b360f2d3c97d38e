// Gemini function calls streamed in pieces (partialArgs, willContinue): assembled, released
// whole with the finish reason, refused when incomplete or malformed.
#include <gtest/gtest.h>

#include "gemini_format.h"

namespace ward::models {
namespace {

// One SSE event of a chunk (written over several lines here: one line on the wire).
std::string sse(const std::string& chunk) {
  std::string line;
  for (char c : chunk) {
    if (c != '\n') line += c;
  }
  return "data: " + line + "\r\n\r\n";
}

TEST(GeminiPartialCall, AssemblesPathsAndAppendsStrings) {
  GeminiPartialCall p;
  ASSERT_TRUE(p.add(*parseJson(R"({"functionCall":{"name":"f","id":"c1","willContinue":true,
      "partialArgs":[{"jsonPath":"$.q","stringValue":"he","willContinue":true},
                     {"jsonPath":"$.list[0].n","numberValue":1.5}]},"thoughtSignature":"s"})"))
                  .ok());
  EXPECT_TRUE(p.open());
  EXPECT_FALSE(p.complete());
  ASSERT_TRUE(p.add(*parseJson(R"({"functionCall":{"willContinue":true,"partialArgs":[
      {"jsonPath":"$.q","stringValue":"llo"},{"jsonPath":"$['a b'][\"c\"]","boolValue":true},
      {"jsonPath":"$.list[1]","nullValue":"NULL_VALUE"},{"jsonPath":"$.x","willContinue":true}]}})"))
                  .ok());
  ASSERT_TRUE(p.add(*parseJson(R"({"functionCall":{}})")).ok());
  ASSERT_TRUE(p.complete());
  const Json whole = p.take();
  EXPECT_FALSE(p.open());
  EXPECT_EQ(whole["functionCall"]["name"], "f");
  EXPECT_EQ(whole["functionCall"]["id"], "c1");
  EXPECT_EQ(whole["thoughtSignature"], "s");
  EXPECT_EQ(whole["functionCall"]["args"],
            *parseJson(R"({"q":"hello","list":[{"n":1.5},null],"a b":{"c":true}})"));
}

TEST(GeminiPartialCall, RefusesWhatCannotBeAssembled) {
  auto refused = [](const std::vector<std::string>& parts) {
    GeminiPartialCall p;
    for (const std::string& part : parts) {
      Status st = p.add(*parseJson(part));
      if (!st.ok()) return st.message();
    }
    return std::string();
  };
  auto piece = [](const std::string& path) {
    return R"({"functionCall":{"name":"f","willContinue":true,"partialArgs":[{"jsonPath":")" +
           path + R"(","numberValue":1}]}})";
  };
  EXPECT_NE(refused({R"({"functionCall":{"willContinue":true}})"}).find("names no function"),
            std::string::npos);
  EXPECT_NE(refused({piece("$.a"), R"({"functionCall":{"name":"g","willContinue":true}})"})
                .find("began before"),
            std::string::npos);
  EXPECT_NE(refused({piece("a.b")}).find("does not start"), std::string::npos);
  EXPECT_NE(refused({piece("$.l[2]")}).find("skips"), std::string::npos);
  EXPECT_NE(refused({piece("$.a"), piece("$.a.b")}).find("non-object"), std::string::npos);
  EXPECT_NE(refused({piece("$.a"), piece("$.a[0]")}).find("no array"), std::string::npos);
  std::string deep = "$";
  for (int i = 0; i <= kMaxPartialArgPathDepth; ++i) deep += ".k";
  EXPECT_NE(refused({piece(deep)}).find("deeper than"), std::string::npos);
  EXPECT_TRUE(refused({piece(deep.substr(0, 1 + 2 * kMaxPartialArgPathDepth))}).empty());
}

TEST(GeminiPartialCall, TheStreamReleasesTheCallWholeWithTheFinishReason) {
  auto d = makeGeminiStreamDecoder();
  std::vector<StreamEvent> events;
  ASSERT_TRUE(d->feed(sse(R"({"responseId":"r1","candidates":[{"content":{"role":"model",
      "parts":[{"functionCall":{"name":"get_weather","willContinue":true,"partialArgs":[
      {"jsonPath":"$.city","stringValue":"Pa","willContinue":true}]}}]}}]})"),
                      events)
                  .ok());
  ASSERT_TRUE(d->feed(sse(R"({"candidates":[{"content":{"role":"model","parts":[{"functionCall":{
      "partialArgs":[{"jsonPath":"$.city","stringValue":"ris"}]}}]}}]})"),
                      events)
                  .ok());
  EXPECT_TRUE(events.empty());  // nothing of the call leaves before the answer is complete
  ASSERT_TRUE(d->feed(sse(R"({"candidates":[{"finishReason":"STOP"}]})"), events).ok());
  ASSERT_EQ(events.size(), 2u);
  ASSERT_EQ(events[0].kind, StreamEvent::Kind::kToolCalls);
  ASSERT_EQ(events[0].tool_calls.size(), 1u);
  EXPECT_EQ(events[0].tool_calls[0].arguments, R"({"city":"Paris"})");
  EXPECT_EQ(events[1].finish, FinishReason::kToolCalls);

  auto cut = makeGeminiStreamDecoder();
  events.clear();
  ASSERT_TRUE(cut->feed(sse(R"({"candidates":[{"content":{"role":"model","parts":[{"functionCall":
      {"name":"f","willContinue":true,"partialArgs":[{"jsonPath":"$.a","numberValue":1}]}}]}}]})"),
                        events)
                  .ok());
  EXPECT_FALSE(cut->feed(sse(R"({"candidates":[{"finishReason":"STOP"}]})"), events).ok());
  EXPECT_TRUE(events.empty());
  EXPECT_NE(cut->error().message.find("inside a streamed function call"), std::string::npos);
}

}  // namespace
}  // namespace ward::models
