// The answer loop through a scripted AnswerLoopIo (no model, no gateway): what each round sends,
// what the record keeps of each tool call (for replay), the round bound, the reply cap.
#include <gtest/gtest.h>

#include "model_answerer.h"
#include "ward/answer/prompt_templates.h"
#include "ward/common/hash.h"
#include "ward/models/cassette.h"
#include "ward/models/model_service.h"

namespace ward::answer {
namespace {

models::ChatResponse toolCallReply(const std::string& id, const std::string& args) {
  models::ChatResponse r;
  r.message.role = models::Role::kAssistant;
  r.message.content_null = true;
  r.message.tool_calls.push_back(models::ToolCall{id, "search", args, nullptr});
  r.finish = models::FinishReason::kToolCalls;
  return r;
}

models::ChatResponse textReply(const std::string& text) {
  models::ChatResponse r;
  r.message.role = models::Role::kAssistant;
  models::ContentPart part;
  part.text = text;
  r.message.content.push_back(part);
  return r;
}

struct Fixture {
  identity::Principal who;
  trace::TraceContext trace;
  std::string model = "m";
  std::string question = "How long is the warranty?";
  std::vector<Passage> passages = {
      Passage{"hb", 1, 7, 0, 1, 1.0, "Handbook", "The warranty lasts 24 months."}};
  ModelDraftInput input() { return ModelDraftInput{who, trace, model, question, passages}; }
};

TEST(AnswerLoop, RecordsEachToolCallWithItsReplyForReplay) {
  Fixture f;
  std::vector<models::ToolSpec> tools = {models::ToolSpec{"search", "Search", Json::object(), {}}};
  auto call = buildAnswerCall(f.input(), "ward-data 0123456789abcdef", tools);
  ASSERT_TRUE(call.ok());
  std::vector<size_t> sent_messages;
  AnswerLoopIo io;
  io.chat = [&](const models::ChatCall& c, int step) -> Result<models::ChatResponse> {
    sent_messages.push_back(c.request.messages.size());
    if (step == 0) return toolCallReply("call_1", R"({"query":"warranty"})");
    return textReply(R"({"answer":"24 months.","claims":[]})");
  };
  io.tool = [](const models::ToolCall&, int) { return ToolReply{"ok", R"({"hits":[]})"}; };
  auto out = runAnswerLoop(*call, io, ModelDraft{});
  ASSERT_TRUE(out.ok());
  EXPECT_EQ(out->steps, 2);
  EXPECT_EQ(out->draft.answer, "24 months.");
  // Step 1 saw the assistant's tool call and the tool message after the system and user ones.
  EXPECT_EQ(sent_messages, (std::vector<size_t>{2, 4}));
  ASSERT_EQ(out->tool_calls.size(), 1u);
  const Json& t = out->tool_calls[0];
  EXPECT_EQ(t["step"], 0);
  EXPECT_EQ(t["id"], "call_1");
  EXPECT_EQ(t["tool"], "search");
  EXPECT_EQ(t["arguments"], R"({"query":"warranty"})");
  EXPECT_EQ(t["outcome"], "ok");
  EXPECT_EQ(t["reply"], R"({"hits":[]})");
  EXPECT_EQ(t["reply_sha256"], sha256Hex(R"({"hits":[]})"));
}

TEST(AnswerLoop, ALargeReplyKeepsOnlyItsHash) {
  Fixture f;
  std::vector<models::ToolSpec> tools = {models::ToolSpec{"search", "Search", Json::object(), {}}};
  auto call = buildAnswerCall(f.input(), "ward-data 0123456789abcdef", tools);
  ASSERT_TRUE(call.ok());
  const std::string big(kMaxRecordedToolReplyBytes + 1, 'x');
  AnswerLoopIo io;
  io.chat = [&](const models::ChatCall&, int step) -> Result<models::ChatResponse> {
    if (step == 0) return toolCallReply("c", "{}");
    return textReply("{}");
  };
  io.tool = [&](const models::ToolCall&, int) { return ToolReply{"ok", big}; };
  auto out = runAnswerLoop(*call, io, ModelDraft{});
  ASSERT_TRUE(out.ok());
  ASSERT_EQ(out->tool_calls.size(), 1u);
  EXPECT_FALSE(out->tool_calls[0].contains("reply"));
  EXPECT_EQ(out->tool_calls[0]["reply_sha256"], sha256Hex(big));
}

TEST(AnswerLoop, ToolRoundsAreBoundedAndTheLastCallOffersNoTools) {
  Fixture f;
  std::vector<models::ToolSpec> tools = {models::ToolSpec{"search", "Search", Json::object(), {}}};
  auto call = buildAnswerCall(f.input(), "ward-data 0123456789abcdef", tools);
  ASSERT_TRUE(call.ok());
  std::vector<size_t> offered;
  AnswerLoopIo io;
  io.chat = [&](const models::ChatCall& c, int) -> Result<models::ChatResponse> {
    offered.push_back(c.request.tools.size());
    return toolCallReply("c", "{}");  // always asks for more
  };
  io.tool = [](const models::ToolCall&, int) { return ToolReply{"ok", "{}"}; };
  auto out = runAnswerLoop(*call, io, ModelDraft{});
  ASSERT_TRUE(out.ok());
  EXPECT_EQ(out->steps, kMaxToolSteps + 1);
  ASSERT_EQ(offered.size(), static_cast<size_t>(kMaxToolSteps + 1));
  EXPECT_EQ(offered.back(), 0u);
  EXPECT_EQ(out->tool_calls.size(), static_cast<size_t>(kMaxToolSteps));
}

TEST(AnswerLoop, TheRecordedMarkerRendersTheSamePrompt) {
  Fixture f;
  auto a = buildAnswerCall(f.input(), "ward-data 0123456789abcdef", {});
  auto b = buildAnswerCall(f.input(), "ward-data 0123456789abcdef", {});
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_EQ(models::canonicalRequestJson(a->request), models::canonicalRequestJson(b->request));
  EXPECT_NE(a->request.messages[1].text().find("<<<ward-data 0123456789abcdef>>>"),
            std::string::npos);
}

TEST(AnswerLoop, ATemplateOverrideIsTheSystemMessageRenderedAlike) {
  Fixture f;
  PromptTemplate t{"answer", 0, "Only the fence: <<<{{marker}}>>>.", "sha"};
  ModelDraftInput in = f.input();
  in.template_override = &t;
  auto call = buildAnswerCall(in, "ward-data 0123456789abcdef", {});
  ASSERT_TRUE(call.ok());
  EXPECT_EQ(call->request.messages[0].text(), "Only the fence: <<<ward-data 0123456789abcdef>>>.");
  // The user message (the fenced passages) and the reply schema are the loop's own.
  auto plain = buildAnswerCall(f.input(), "ward-data 0123456789abcdef", {});
  ASSERT_TRUE(plain.ok());
  EXPECT_EQ(call->request.messages[1].text(), plain->request.messages[1].text());
  EXPECT_EQ(call->request.sampling.response_format, plain->request.sampling.response_format);
  EXPECT_NE(call->request.messages[0].text(), plain->request.messages[0].text());
}

TEST(NativeCitations, SearchResultBlocksCarryTheSourceAndTheQuestionComesLast) {
  Fixture f;
  ModelDraftInput in = f.input();
  in.native_citations = true;
  auto call = buildAnswerCall(in, "", {});
  ASSERT_TRUE(call.ok());
  EXPECT_FALSE(call->request.sampling.response_format.is_object());
  const Json req = models::canonicalRequestJson(call->request);
  const Json& user = req["messages"][1]["content"];
  ASSERT_EQ(user.size(), 2u);
  EXPECT_EQ(user[0]["type"], "search_result");
  EXPECT_EQ(user[0]["source"], "ward://doc/hb@1#chunk=0");
  EXPECT_EQ(user[0]["citations"], (Json{{"enabled", true}}));
  EXPECT_EQ(user[0]["content"][0]["text"], "The warranty lasts 24 months.");
  EXPECT_EQ(user[1]["text"], "Question: How long is the warranty?");
}

TEST(NativeCitations, CitedBlocksBecomeSentencesWithWardCitations) {
  Fixture f;
  models::Message m;
  m.opaque = Json::parse(R"({"anthropic":{"text_blocks":[
    {"text":"The warranty lasts 24 months.","citations":[{"type":"search_result_location",
     "source":"ward://doc/hb@1#chunk=0","title":"Handbook","search_result_index":0,
     "start_block_index":0,"end_block_index":1,"cited_text":"The warranty lasts 24 months."}]},
    {"text":" See ","citations":[]},
    {"text":"the handbook.","citations":[{"type":"search_result_location",
     "source":"not a ward source","search_result_index":0,"cited_text":"lasts 24 months"}]},
    {"text":" Odd.","citations":[{"type":"search_result_location","source":"x",
     "search_result_index":9,"cited_text":"x"}]}]}})");
  ModelDraft d = parseNativeReply(m, f.passages);
  EXPECT_EQ(d.draft.answer, "The warranty lasts 24 months. See the handbook. Odd.");
  ASSERT_EQ(d.draft.sentences.size(), 4u);
  const Citation& a = d.draft.sentences[0].citations.at(0);
  EXPECT_EQ(a.doc_id, "hb");
  EXPECT_EQ(a.version, 1);
  EXPECT_EQ(a.chunk, 0);
  EXPECT_EQ(a.quote, "The warranty lasts 24 months.");
  EXPECT_TRUE(d.draft.sentences[1].citations.empty());  // "See": unsupported
  // Not a Ward source: the search_result_index names the passage.
  EXPECT_EQ(d.draft.sentences[2].citations.at(0).doc_id, "hb");
  // Neither: a chunk that never matches (dropped by the retrieved rule).
  EXPECT_EQ(d.draft.sentences[3].citations.at(0).chunk, -1);
  EXPECT_FALSE(d.format_error);
}

TEST(NativeCitations, AReplyWithoutCitationsIsOneUnsupportedSentence) {
  Fixture f;
  models::Message m;
  models::ContentPart part;
  part.text = "I cannot tell.";
  m.content.push_back(part);
  ModelDraft d = parseNativeReply(m, f.passages);
  EXPECT_EQ(d.draft.answer, "I cannot tell.");
  ASSERT_EQ(d.draft.sentences.size(), 1u);
  EXPECT_TRUE(d.draft.sentences[0].citations.empty());
}

}  // namespace
}  // namespace ward::answer
