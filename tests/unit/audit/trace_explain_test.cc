// audit: the explain account (JSON sections, record links, the text form), model-call parsing
// and recording, and the prompt store.
#include "ward/audit/trace_explain.h"

#include <gtest/gtest.h>

#include "ward/audit/model_call.h"
#include "ward/audit/prompt_store.h"
#include "ward/common/hash.h"
#include "ward/io/mem_file_system.h"

namespace ward::audit {
namespace {

const std::string kTrace = "4bf92f3577b34da6a3ce929d0e0e4736";

TraceRecord rec(uint64_t index, const std::string& kind, const std::string& principal, Json attrs) {
  TraceRecord r;
  r.index = index;
  r.leaf.fill(static_cast<uint8_t>(index));
  r.event.context.trace_id = kTrace;
  r.event.context.span_id = "00f067aa0ba902b7";
  r.event.kind = kind;
  r.event.tenant = "acme";
  r.event.principal = principal;
  r.event.time_us = 1700000000000000 + static_cast<int64_t>(index) * 1000000;
  r.event.attributes = std::move(attrs);
  return r;
}

TraceEvents sampleTrace() {
  TraceEvents t;
  t.trace_id = kTrace;
  t.events.push_back(
      rec(7, "search", "alice",
          {{"query", "refund policy"},
           {"k", 5},
           {"total_matches", 3},
           {"hits", {{{"doc_id", "handbook"}, {"version", 2}, {"chunk_id", 41}, {"score", 1.5}}}},
           {"acl", {{"rule", "document_acl"}, {"candidates_removed", 2}}}}));
  t.events.push_back(
      rec(8, "tool_call", "alice",
          {{"tool", "refund@1.0.0"},
           {"agent", "helper"},
           {"decision", "pending"},
           {"stage", "approval"},
           {"grants", {3}},
           {"approval_id", "ap1"},
           {"stages",
            {{{"stage", "authorize"}, {"verdict", "continue"}, {"policy", {"grant:3"}}},
             {{"stage", "approval"}, {"verdict", "stop"}, {"policy", "approval:ap1"}}}}}));
  t.events.push_back(rec(9, "tool_decision", "rita",
                         {{"decision", "approved"},
                          {"approval_id", "ap1"},
                          {"reviewer", "rita"},
                          {"comment", "fine"},
                          {"tool", "refund@1.0.0"}}));
  t.events.push_back(
      rec(10, "model_call", "svc",
          {{"provider", "openai"},
           {"model", "gpt-4o"},
           {"parameters", {{"temperature", 0.5}}},
           {"tools_offered", {"refund@1.0.0"}},
           {"prompt", {{"template_id", "answer@3"}, {"sha256", "ab"}, {"stored", true}}}}));
  t.events.push_back(
      rec(11, "feedback", "rita", {{"override", true}, {"rating", 2}, {"reason", "wrong doc"}}));
  return t;
}

TEST(TraceExplainTest, SectionsCarryTheirRecords) {
  Json x = explainTrace(sampleTrace());
  EXPECT_EQ(x["trace_id"], kTrace);
  EXPECT_EQ(x["tenant"], "acme");
  // The reviewer acted on the trace but did not ask; the model service did take part.
  ASSERT_EQ(x["asked_by"].size(), 2u);
  EXPECT_EQ(x["asked_by"][0], (Json{{"principal", "alice"}, {"record", 7}}));
  EXPECT_EQ(x["asked_by"][1]["principal"], "svc");
  EXPECT_EQ(x["retrieval"][0]["citations"][0], (Json{{"doc_id", "handbook"},
                                                     {"version", 2},
                                                     {"chunk_id", 41},
                                                     {"score", 1.5},
                                                     {"record", 7}}));
  EXPECT_EQ(x["retrieval"][0]["acl"]["candidates_removed"], 2);
  EXPECT_EQ(x["tool_calls"][0]["record"], 8);
  EXPECT_EQ(x["tool_calls"][0]["stages"][0]["policy"][0], "grant:3");
  EXPECT_EQ(x["approvals"][0]["reviewer"], "rita");
  EXPECT_EQ(x["model_calls"][0]["prompt"]["template_id"], "answer@3");
  EXPECT_EQ(x["feedback"][0]["reviewer"], "rita");
  EXPECT_EQ(x["feedback"][0]["override"], true);
  ASSERT_EQ(x["records"].size(), 5u);
  std::string sevens;
  for (int i = 0; i < 32; ++i) sevens += "07";
  EXPECT_EQ(x["records"][0]["leaf_hash"], sevens);
  EXPECT_EQ(x["records"][4]["leaf_hash"], hashHex(sampleTrace().events[4].leaf));
  EXPECT_TRUE(x["denials"].empty());
  EXPECT_TRUE(x["other"].empty());
}

TEST(TraceExplainTest, TextNamesEveryFactWithItsRecord) {
  std::string text = formatExplanation(explainTrace(sampleTrace()));
  const std::string expected =
      "Trace 4bf92f3577b34da6a3ce929d0e0e4736 (tenant acme), 2023-11-14T22:13:27.000Z .. "
      "2023-11-14T22:13:31.000Z, 5 records\n"
      "Who asked:\n"
      "  alice [#7]\n"
      "  svc [#10]\n"
      "Retrieved:\n"
      "  query \"refund policy\" by alice (k=5, 3 matches) [#7]\n"
      "    1. doc handbook v2 chunk 41 score 1.5 [#7]\n"
      "    ACL removed 2 candidates (rule document_acl) [#7]\n"
      "Tool calls:\n"
      "  refund@1.0.0 by alice via agent helper: pending at stage approval [#8]\n"
      "    stages: authorize=continue(grant:3) approval=stop(approval:ap1) [#8]\n"
      "    grants: 3 [#8]\n"
      "    approval ap1, reviewer none [#8]\n"
      "Approvals:\n"
      "  ap1 approved by rita for refund@1.0.0: fine [#9]\n"
      "Model calls:\n"
      "  openai gpt-4o parameters {\"temperature\":0.5} [#10]\n"
      "    tools offered: [\"refund@1.0.0\"]\n"
      "    prompt template answer@3, sha256 ab (rendered prompt in the prompt store) [#10]\n"
      "Feedback:\n"
      "  override by rita at 2023-11-14T22:13:31.000Z: rating 2, reason wrong doc [#11]\n"
      "Records (verify with `ward audit verify`):\n";
  ASSERT_EQ(text.substr(0, expected.size()), expected) << text;
  EXPECT_NE(text.find("  #11 feedback leaf 0b0b"), std::string::npos) << text;
}

TEST(TraceExplainTest, EmptySectionsSaySo) {
  TraceEvents t;
  t.trace_id = kTrace;
  t.events.push_back(rec(0, "auth_failure", "", {{"reason", "invalid_key"}}));
  std::string text = formatExplanation(explainTrace(t));
  EXPECT_NE(text.find("Who asked: nobody recorded\n"), std::string::npos) << text;
  EXPECT_NE(text.find("Retrieved: nothing\n"), std::string::npos);
  EXPECT_NE(text.find("Model calls: none recorded\n"), std::string::npos);
  EXPECT_NE(text.find("Denied: auth_failure {\"reason\":\"invalid_key\"} [#0]\n"),
            std::string::npos);
}

// --- model calls ---

TEST(ModelCallTest, ParsesAndNamesBadFields) {
  Json ok = {
      {"provider", "anthropic"},
      {"model", "claude"},
      {"parameters", {{"temperature", 0.7}, {"top_p", 0.9}, {"max_tokens", 100}, {"seed", -3}}},
      {"tools_offered", {"a", "b@1"}},
      {"prompt", {{"template_id", "t"}, {"rendered", "r"}}}};
  auto c = parseModelCall(ok);
  ASSERT_TRUE(c.ok()) << c.status().toString();
  EXPECT_EQ(*c->seed, -3);
  EXPECT_EQ(c->tools_offered.size(), 2u);
  auto fails = [&](Json body, const std::string& field) {
    auto r = parseModelCall(body);
    ASSERT_EQ(r.status().code(), StatusCode::kInvalidArgument) << body.dump();
    EXPECT_NE(r.status().message().find(field), std::string::npos) << r.status().message();
  };
  Json b = ok;
  b.erase("provider");
  fails(b, "provider");
  b = ok;
  b["parameters"]["top_p"] = 1.5;
  fails(b, "top_p");
  b = ok;
  b["parameters"]["max_tokens"] = 0;
  fails(b, "max_tokens");
  b = ok;
  b["parameters"]["frequency"] = 1;
  fails(b, "frequency");
  b = ok;
  b["tools_offered"] = Json::array();
  for (size_t i = 0; i <= kMaxToolsOffered; ++i) b["tools_offered"].push_back("t");
  fails(b, "tools_offered");
  b = ok;
  b["model"] = std::string(kMaxModelFieldBytes + 1, 'm');
  fails(b, "model");
  fails(Json::array(), "object");
}

class RecordingSink final : public trace::TraceSink {
 public:
  Status record(const trace::TraceEvent& e) override {
    events.push_back(e);
    return Status();
  }
  std::vector<trace::TraceEvent> events;
};

class UpperRedactor final : public trace::Redactor {
 public:
  std::string redactText(std::string_view text, trace::RedactionStats*) const override {
    std::string s(text);
    size_t at = s.find("s3cret");
    if (at != std::string::npos) s.replace(at, 6, "[REDACTED:test]");
    return s;
  }
  void redactJson(Json&, trace::RedactionStats*) const override {}
};

TEST(ModelCallTest, SpanCarriesOnlyTheHashOfTheRedactedPrompt) {
  auto fs = io::newMemFileSystem();
  PromptStore prompts("/p", fs.get());
  RecordingSink sink;
  UpperRedactor redactor;
  ModelCallRecording where;
  where.sink = &sink;
  where.prompts = &prompts;
  where.redactor = &redactor;
  where.context.trace_id = kTrace;
  where.context.span_id = "00f067aa0ba902b7";
  where.tenant = "acme";
  where.principal = "svc";
  where.time_us = 5;
  ModelCall call;
  call.provider = "openai";
  call.model = "m";
  call.temperature = 0.0;
  call.prompt_template_id = "answer@1";
  call.rendered_prompt = "use s3cret here";
  auto attrs = recordModelCall(where, call);
  ASSERT_TRUE(attrs.ok()) << attrs.status().toString();
  ASSERT_EQ(sink.events.size(), 1u);
  const trace::TraceEvent& e = sink.events[0];
  EXPECT_EQ(e.kind, "model_call");
  EXPECT_EQ(e.context.parent_span_id, "00f067aa0ba902b7");
  EXPECT_NE(e.context.span_id, "00f067aa0ba902b7");
  EXPECT_EQ(e.attributes["parameters"], (Json{{"temperature", 0.0}}));
  const std::string redacted = "use [REDACTED:test] here";
  EXPECT_EQ(e.attributes["prompt"],
            (Json{{"template_id", "answer@1"}, {"stored", true}, {"sha256", sha256Hex(redacted)}}));
  EXPECT_EQ(e.attributes.dump().find("s3cret"), std::string::npos);
  auto stored = prompts.get("acme", sha256Hex(redacted));
  ASSERT_TRUE(stored.ok()) << stored.status().toString();
  EXPECT_EQ(stored->text, redacted);
  EXPECT_EQ(stored->template_id, "answer@1");
}

// --- prompt store ---

TEST(PromptStoreTest, ContentAddressedAndChecked) {
  auto fs = io::newMemFileSystem();
  PromptStore store("/p", fs.get());
  auto sha = store.put("acme", "t@1", "hello", 1);
  ASSERT_TRUE(sha.ok());
  EXPECT_EQ(*sha, sha256Hex("hello"));
  EXPECT_EQ(*store.put("acme", "t@1", "hello", 2), *sha);  // kept, not rewritten
  EXPECT_EQ(store.get("acme", *sha)->created_us, 1);
  EXPECT_EQ(store.get("other", *sha).status().code(), StatusCode::kNotFound);
  EXPECT_EQ(store.get("acme", "nothex").status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(store.put("acme", "t", std::string(kMaxPromptBytes + 1, 'x'), 1).status().code(),
            StatusCode::kInvalidArgument);
  // A file whose text no longer matches its name is Corruption, not a silent answer.
  auto other = store.put("acme", "t@1", "other", 1);
  ASSERT_TRUE(other.ok());
  auto text = io::readFile(*fs, "/p/acme/" + *other + ".json");
  ASSERT_TRUE(text.ok());
  ASSERT_TRUE(io::writeFileAtomic(*fs, "/p/acme/" + *sha + ".json", *text).ok());
  EXPECT_EQ(store.get("acme", *sha).status().code(), StatusCode::kCorruption);
}

}  // namespace
}  // namespace ward::audit
