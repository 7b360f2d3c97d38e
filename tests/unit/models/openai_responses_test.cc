// The Responses dialect: the /v1/responses front door's parsing and output, the
// "openai-responses" adapter's request, answer and stream, provider state refused.
#include <gtest/gtest.h>

#include "ward/models/openai_chat_format.h"
#include "ward/models/openai_responses_format.h"

namespace ward::models {
namespace {

ChatRequest responsesRequest(const std::string& body,
                             ProviderStateMode mode = ProviderStateMode::kRefuse) {
  auto r = parseResponsesRequest(*parseJson(body), mode);
  EXPECT_TRUE(r.ok()) << r.status().toString();
  return r.ok() ? *r : ChatRequest{};
}

TEST(ResponsesClient, ItemsBecomeWardsForm) {
  ChatRequest r = responsesRequest(R"({"model":"m","instructions":"be brief",
    "max_output_tokens":50,"temperature":0.2,"reasoning":{"effort":"low"},
    "text":{"format":{"type":"json_schema","name":"w","schema":{"type":"object"},"strict":true}},
    "tools":[{"type":"function","name":"get_weather","parameters":{"type":"object"}}],
    "tool_choice":{"type":"function","name":"get_weather"},"metadata":{"app":"x"},
    "input":[{"role":"user","content":"weather?"},
      {"type":"reasoning","id":"rs_1","encrypted_content":"enc"},
      {"type":"function_call","call_id":"call_a","name":"get_weather","arguments":"{}"},
      {"type":"function_call","call_id":"call_b","name":"get_weather","arguments":"{\"city\":\"Oslo\"}"},
      {"type":"function_call_output","call_id":"call_a","output":"sunny"},
      {"type":"message","role":"user","content":[{"type":"input_text","text":"and?"}]}]})");
  ASSERT_EQ(r.messages.size(), 5u);
  EXPECT_EQ(r.messages[0].role, Role::kSystem);
  EXPECT_EQ(r.messages[0].text(), "be brief");
  EXPECT_EQ(r.messages[2].role, Role::kAssistant);
  ASSERT_EQ(r.messages[2].tool_calls.size(), 2u);  // consecutive calls: one assistant turn
  EXPECT_EQ(r.messages[2].tool_calls[0].opaque["extra_content"]["openai"]["reasoning"][0]
                                              ["encrypted_content"],
            "enc");
  EXPECT_EQ(r.messages[3].role, Role::kTool);
  EXPECT_EQ(r.messages[3].tool_call_id, "call_a");
  EXPECT_EQ(r.messages[4].text(), "and?");
  EXPECT_EQ(r.sampling.max_tokens, 50);
  EXPECT_EQ(r.sampling.reasoning_effort, "low");
  EXPECT_EQ(r.sampling.response_format["json_schema"]["name"], "w");
  EXPECT_EQ(r.tools[0].name, "get_weather");
  EXPECT_EQ(r.tool_choice["function"]["name"], "get_weather");
  EXPECT_EQ(r.claims["metadata"]["app"], "x");
  EXPECT_TRUE(r.include_usage);
  EXPECT_EQ(responsesRequest(R"({"model":"m","input":"Hi"})").messages[0].text(), "Hi");
}

TEST(ResponsesClient, ProviderStateAndUnknownFieldsAreRefusedByName) {
  auto refused = [](const std::string& body, const std::string& needle,
                    ProviderStateMode mode = ProviderStateMode::kRefuse) {
    auto r = parseResponsesRequest(*parseJson(body), mode);
    ASSERT_FALSE(r.ok()) << needle;
    EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
    EXPECT_NE(r.status().message().find(needle), std::string::npos) << r.status().message();
  };
  refused(R"({"model":"m","input":"x","store":true})", "'store'");
  refused(R"({"model":"m","input":"x","previous_response_id":"resp_1"})", "'previous_response_id'",
          ProviderStateMode::kRecord);
  refused(R"({"model":"m","input":"x","background":true})", "'background'");
  refused(
      R"({"model":"m","input":[{"role":"user","content":"x"},{"type":"item_reference","id":"fc_1"}]})",
      "'input[1] (item_reference)'", ProviderStateMode::kRecord);
  refused(R"({"model":"m","input":"x","frobnicate":1})", "'frobnicate'");
  refused(R"({"model":"m","input":[{"type":"web_search_call"}]})", "web_search_call");
  refused(R"({"model":"m","input":"x","tools":[{"type":"web_search"}]})", "hosted tools");
  refused(R"({"model":"m","input":"x","max_output_tokens":0})", "'max_output_tokens'");
  refused(R"({"model":"m"})", "'input'");
  // kRecord: store is accepted, recorded as a claim, never forwarded.
  ChatRequest r =
      responsesRequest(R"({"model":"m","input":"x","store":true})", ProviderStateMode::kRecord);
  EXPECT_EQ(r.claims["store"], true);
  EXPECT_EQ(providerStateField(*parseJson(R"({"store":false})"), ProviderStateMode::kRefuse), "");
  EXPECT_EQ(*responsesRequestJson(r, "up").value().find("store"), false);
}

TEST(ResponsesClient, OutputObjectAndEventStream) {
  ChatRequest req = responsesRequest(R"({"model":"m","input":"x",
    "tools":[{"type":"function","name":"f","parameters":{"type":"object"}}]})");
  ChatResponse r;
  r.model = "up-1";
  r.message.role = Role::kAssistant;
  r.message.content.push_back({ContentPart::Kind::kText, "Hi", nullptr});
  ToolCall c{"call_1", "f", "{\"a\":1}", nullptr};
  c.opaque = {
      {"extra_content", {{"openai", {{"reasoning", {{{"type", "reasoning"}, {"id", "rs"}}}}}}}}};
  r.message.tool_calls.push_back(c);
  r.finish = FinishReason::kToolCalls;
  r.usage = {true, 10, 4, 2, 1};
  const Json echo = responsesEcho(req);
  const ResponsesIdentity id{"resp_0123456789abcdef01234567", 1700000000};
  Json j = responsesJson(r, echo, id);
  EXPECT_EQ(j["id"], id.id);
  EXPECT_EQ(j["created_at"], 1700000000);  // the provider reported no creation time
  EXPECT_EQ(j["object"], "response");
  EXPECT_EQ(j["status"], "completed");
  ASSERT_EQ(j["output"].size(), 3u);
  EXPECT_EQ(j["output"][0]["type"], "reasoning");
  EXPECT_EQ(j["output"][1]["content"][0]["text"], "Hi");
  EXPECT_EQ(j["output"][1]["id"], "msg_0123456789abcdef01234567");
  EXPECT_EQ(j["output"][2]["call_id"], "call_1");
  EXPECT_EQ(j["output"][2]["arguments"], "{\"a\":1}");
  EXPECT_EQ(j["usage"]["input_tokens_details"]["cached_tokens"], 2);
  EXPECT_EQ(j["tools"][0]["name"], "f");
  EXPECT_EQ(j["model"], "up-1");
  EXPECT_EQ(dumpJson(responsesJson(r, echo, id)),
            dumpJson(j));  // deterministic: replay relies on it
  r.finish = FinishReason::kLength;
  EXPECT_EQ(responsesJson(r, echo, id)["incomplete_details"]["reason"], "max_output_tokens");

  ResponsesEventWriter w(echo, id);
  std::string s = w.start(r);
  s += w.event(r, StreamEvent{StreamEvent::Kind::kText, "Hel", {}, FinishReason::kStop, {}});
  s += w.event(r, StreamEvent{StreamEvent::Kind::kText, "lo", {}, FinishReason::kStop, {}});
  s += w.event(r, StreamEvent{StreamEvent::Kind::kToolCalls, "", {c}, FinishReason::kStop, {}});
  s += w.event(r, StreamEvent{StreamEvent::Kind::kFinish, "", {}, FinishReason::kToolCalls, {}});
  s += w.finish(r, r.usage);
  std::vector<std::string> types;
  int64_t seq = 0;
  Json done;
  for (size_t at = 0; (at = s.find("data: ", at)) != std::string::npos;) {
    size_t end = s.find('\n', at);
    Json e = *parseJson(s.substr(at + 6, end - at - 6));
    EXPECT_EQ(e["sequence_number"], seq++);
    types.push_back(e["type"]);
    if (e["type"] == "response.completed") done = e["response"];
    at = end;
  }
  EXPECT_EQ(
      types,
      (std::vector<std::string>{
          "response.created", "response.in_progress", "response.output_item.added",
          "response.content_part.added", "response.output_text.delta", "response.output_text.delta",
          "response.output_text.done", "response.content_part.done", "response.output_item.done",
          "response.output_item.added", "response.output_item.done", "response.output_item.added",
          "response.function_call_arguments.delta", "response.function_call_arguments.done",
          "response.output_item.done", "response.completed"}));
  ASSERT_EQ(done["output"].size(), 3u);
  EXPECT_EQ(done["output"][0]["content"][0]["text"], "Hello");
  EXPECT_EQ(done["usage"]["output_tokens"], 4);
  EXPECT_EQ(done["id"], id.id);
  EXPECT_EQ(done["output"][0]["id"], "msg_0123456789abcdef01234567");
}

TEST(ResponsesUpstream, RequestCarriesItemsAndReasoningVerbatim) {
  auto chat = parseChatCompletionRequest(*parseJson(R"({"model":"m","max_tokens":9,
    "tools":[{"type":"function","function":{"name":"f"}}],"tool_choice":{"type":"function","function":{"name":"f"}},
    "messages":[{"role":"system","content":"s"},{"role":"user","content":"u"},
      {"role":"assistant","content":null,"tool_calls":[{"id":"call_a","type":"function",
        "function":{"name":"f","arguments":"{}"},
        "extra_content":{"openai":{"reasoning":[{"type":"reasoning","encrypted_content":"e"}]}}}]},
      {"role":"tool","tool_call_id":"call_a","content":"r"}]})"));
  ASSERT_TRUE(chat.ok());
  auto body = responsesRequestJson(*chat, "gpt-x");
  ASSERT_TRUE(body.ok()) << body.status().toString();
  const Json& in = (*body)["input"];
  ASSERT_EQ(in.size(), 5u);
  EXPECT_EQ(in[0]["role"], "system");
  EXPECT_EQ(in[2], (Json{{"type", "reasoning"}, {"encrypted_content", "e"}}));
  EXPECT_EQ(in[3]["type"], "function_call");
  EXPECT_EQ(in[3]["call_id"], "call_a");
  EXPECT_EQ(in[4],
            (Json{{"type", "function_call_output"}, {"call_id", "call_a"}, {"output", "r"}}));
  EXPECT_EQ((*body)["tools"][0],
            (Json{{"type", "function"}, {"name", "f"}, {"parameters", {{"type", "object"}}}}));
  EXPECT_EQ((*body)["tool_choice"], (Json{{"type", "function"}, {"name", "f"}}));
  EXPECT_EQ((*body)["max_output_tokens"], 9);
  EXPECT_EQ((*body)["store"], false);
  auto stop = parseChatCompletionRequest(
      *parseJson(R"({"model":"m","stop":"x","messages":[{"role":"user","content":"u"}]})"));
  EXPECT_FALSE(responsesRequestJson(*stop, "g").ok());
}

TEST(ResponsesUpstream, StreamHoldsCallsAndKeepsReasoning) {
  auto ev = [](const std::string& type, const std::string& data) {
    return "event: " + type + "\ndata: " + data + "\n\n";
  };
  const std::string s =
      ev("response.created",
         R"({"type":"response.created","response":{"id":"resp_1","model":"g-1","output":[]}})") +
      ev("response.output_item.added",
         R"({"type":"response.output_item.added","output_index":0,"item":{"type":"reasoning","id":"rs","encrypted_content":"enc"}})") +
      ev("response.output_item.added",
         R"({"type":"response.output_item.added","output_index":1,"item":{"type":"function_call","call_id":"c1","name":"f","arguments":""}})") +
      ev("response.output_item.added",
         R"({"type":"response.output_item.added","output_index":2,"item":{"type":"function_call","call_id":"c2","name":"g","arguments":""}})") +
      ev("response.function_call_arguments.delta",
         R"({"type":"response.function_call_arguments.delta","output_index":1,"delta":"{\"a\""})") +
      ev("response.function_call_arguments.delta",
         R"({"type":"response.function_call_arguments.delta","output_index":2,"delta":"{}"})") +
      ev("response.function_call_arguments.delta",
         R"({"type":"response.function_call_arguments.delta","output_index":1,"delta":":1}"})") +
      ev("response.completed",
         R"({"type":"response.completed","response":{"status":"completed","output":[],"usage":{"input_tokens":7,"output_tokens":3}}})");
  for (size_t piece : {1u, 23u, 100000u}) {
    auto d = makeResponsesStreamDecoder();
    std::vector<StreamEvent> events;
    for (size_t i = 0; i < s.size(); i += piece) {
      ASSERT_TRUE(d->feed(std::string_view(s).substr(i, piece), events).ok());
    }
    ASSERT_EQ(events.size(), 3u) << piece;
    ASSERT_EQ(events[0].tool_calls.size(), 2u);
    EXPECT_EQ(events[0].tool_calls[0].arguments, R"({"a":1})");
    EXPECT_EQ(events[0].tool_calls[1].arguments, "{}");
    EXPECT_EQ(events[0].tool_calls[0].opaque["extra_content"]["openai"]["reasoning"][0]["id"],
              "rs");
    EXPECT_EQ(events[1].finish, FinishReason::kToolCalls);
    EXPECT_EQ(events[2].usage.input_tokens, 7);
    EXPECT_TRUE(d->ended());
    EXPECT_EQ(d->response().model, "g-1");
  }
  auto d = makeResponsesStreamDecoder();
  std::vector<StreamEvent> events;
  Status st =
      d->feed(ev("error", R"({"type":"error","code":"server_error","message":"boom"})"), events);
  EXPECT_EQ(st.code(), StatusCode::kUnavailable);
  EXPECT_EQ(d->error().code, "server_error");
  auto parsed = parseResponsesResponse(*parseJson(R"({"id":"r","model":"g","status":"incomplete",
    "incomplete_details":{"reason":"max_output_tokens"},
    "output":[{"type":"message","content":[{"type":"output_text","text":"Hi"}]}]})"));
  ASSERT_TRUE(parsed.ok());
  EXPECT_EQ(parsed->finish, FinishReason::kLength);
  EXPECT_EQ(parsed->message.text(), "Hi");
}

}  // namespace
}  // namespace ward::models
