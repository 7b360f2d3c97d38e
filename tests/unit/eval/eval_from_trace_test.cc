// Cases made from recorded traces (eval_from_trace.h): what each kind takes from the events, and
// every refusal names what is missing. The produced cases are read back by parseCase.
#include <gtest/gtest.h>

#include <vector>

#include "ward/eval/eval_from_trace.h"
#include "ward/eval/eval_suite.h"

namespace ward::eval {
namespace {

// A vector, not a Json: a braced list of one Json would be that element, not an array.
Json traceOf(const std::vector<Json>& events) {
  return Json{{"trace_id", "90c6b1a7de7ffe34187ddb06b17263a0"}, {"events", events}};
}

const Json kSearch = Json::parse(R"({"kind":"search","principal":"dave","attributes":{
  "query":"termination notice","hits":[{"doc_id":"msa"},{"doc_id":"msa"},{"doc_id":"leave"},
  {"doc_id":"nda"},{"doc_id":"expenses"}]}})");
const Json kAnswer = Json::parse(R"({"kind":"answer","principal":"dave","attributes":{
  "question":"How much notice?","agent":"helper","sentences":[
  {"citations":[{"doc_id":"msa","verified":true},{"doc_id":"fake","verified":false}]},
  {"citations":[{"doc_id":"nda","verified":true},{"doc_id":"msa","verified":true}]}]}})");

TEST(EvalFromTrace, AnAnswerBecomesAnAnswerCaseCitingItsVerifiedDocs) {
  auto c = caseFromTrace(traceOf({kSearch, kAnswer}), FromTraceKind::kAuto);
  ASSERT_TRUE(c.ok()) << c.status().message();
  EXPECT_EQ((*c)["id"], "trace-90c6b1a7de7f");
  EXPECT_EQ((*c)["kind"], "answer");
  EXPECT_EQ((*c)["as"], "dave");
  EXPECT_EQ((*c)["agent"], "helper");
  EXPECT_EQ((*c)["question"], "How much notice?");
  EXPECT_EQ((*c)["must_cite"], Json::array({"msa", "nda"})) << "verified only, each once";
  auto parsed = parseCase(*c, "from-trace:1");
  EXPECT_TRUE(parsed.ok()) << parsed.status().message();
}

TEST(EvalFromTrace, ASearchBecomesARetrievalCaseExpectingItsFirstDistinctHits) {
  auto c = caseFromTrace(traceOf({kSearch, kAnswer}), FromTraceKind::kRetrieval);
  ASSERT_TRUE(c.ok()) << c.status().message();
  EXPECT_EQ((*c)["kind"], "retrieval");
  EXPECT_EQ((*c)["question"], "termination notice");
  EXPECT_EQ((*c)["expected"], Json::array({"msa", "leave", "nda"}));
  EXPECT_FALSE(c->contains("agent"));
  EXPECT_TRUE(parseCase(*c, "from-trace:1").ok());
  c = caseFromTrace(traceOf({kSearch}), FromTraceKind::kAuto);
  ASSERT_TRUE(c.ok());
  EXPECT_EQ((*c)["kind"], "retrieval") << "auto without an answer";
}

TEST(EvalFromTrace, WhatIsMissingIsNamed) {
  auto message = [](const Json& trace, FromTraceKind k) {
    auto c = caseFromTrace(trace, k);
    EXPECT_FALSE(c.ok());
    return c.ok() ? std::string() : c.status().message();
  };
  EXPECT_NE(message(traceOf({kSearch}), FromTraceKind::kAnswer).find("no answer event"),
            std::string::npos);
  EXPECT_NE(message(traceOf({}), FromTraceKind::kAuto).find("no search event"), std::string::npos);
  Json redacted = kAnswer;
  redacted["attributes"].erase("question");
  EXPECT_NE(message(traceOf({redacted}), FromTraceKind::kAnswer).find("no recorded question"),
            std::string::npos);
  Json uncited = kAnswer;
  uncited["attributes"]["sentences"] = Json::array();
  EXPECT_NE(message(traceOf({uncited}), FromTraceKind::kAnswer).find("no verified citation"),
            std::string::npos);
  Json empty = kSearch;
  empty["attributes"]["hits"] = Json::array();
  EXPECT_NE(message(traceOf({empty}), FromTraceKind::kRetrieval).find("no hit"), std::string::npos);
  EXPECT_NE(message(Json::object(), FromTraceKind::kAuto).find("not a trace"), std::string::npos);
}

Json feedbackEvent(const std::string& reviewer, bool override_, const std::string& corrected) {
  Json attrs = {{"override", override_}, {"reviewer_roles", Json::array({"reviewer"})}};
  if (!corrected.empty()) attrs["corrected_answer"] = corrected;
  return {{"kind", "feedback"},
          {"principal", reviewer},
          {"time", "2026-12-07T05:00:00Z"},
          {"attributes", attrs}};
}

TEST(EvalFromTrace, AnOverrideSetsTheExpectationAndRecordsTheReviewer) {
  const Json trace = traceOf({kSearch, kAnswer, feedbackEvent("dave", false, "Notice is 30 days."),
                              feedbackEvent("rita", true, "Notice is 90 days under clause MSA-7."),
                              feedbackEvent("dave", false, "Notice is 60 days.")});
  auto c = caseFromOverride(trace);
  ASSERT_TRUE(c.ok()) << c.status().message();
  EXPECT_EQ((*c)["kind"], "answer");
  EXPECT_EQ((*c)["as"], "dave");
  EXPECT_EQ((*c)["question"], "How much notice?");
  // The override wins over plain feedback, even newer feedback.
  EXPECT_EQ((*c)["must_contain"], Json::array({"90", "MSA-7"})) << c->dump();
  EXPECT_FALSE(c->contains("must_cite")) << "the overridden answer's citations are not trusted";
  EXPECT_NE((*c)["rubric"].get<std::string>().find("clause MSA-7"), std::string::npos);
  EXPECT_EQ((*c)["tags"], Json::array({"from-trace", "override"}));
  EXPECT_EQ((*c)["provenance"]["reviewer"], "rita");
  EXPECT_EQ((*c)["provenance"]["override"], true);
  EXPECT_EQ((*c)["provenance"]["reviewer_roles"], Json::array({"reviewer"}));
  EXPECT_EQ((*c)["provenance"]["trace_id"], "90c6b1a7de7ffe34187ddb06b17263a0");
  auto parsed = parseCase(*c, "from-trace:1");
  EXPECT_TRUE(parsed.ok()) << parsed.status().message();
}

TEST(EvalFromTrace, ADecliningCorrectionMakesARefusalCase) {
  auto c = caseFromOverride(traceOf(
      {kAnswer, feedbackEvent("rita", true, "I cannot answer that: salaries are restricted.")}));
  ASSERT_TRUE(c.ok()) << c.status().message();
  EXPECT_EQ((*c)["kind"], "refusal");
  EXPECT_EQ((*c)["provenance"]["reviewer"], "rita");
  EXPECT_TRUE(parseCase(*c, "from-trace:1").ok());
}

TEST(EvalFromTrace, AnOverrideWithoutACheckableCorrectionIsRefused) {
  auto message = [](const Json& trace) {
    auto c = caseFromOverride(trace);
    EXPECT_FALSE(c.ok());
    return c.ok() ? std::string() : c.status().message();
  };
  EXPECT_NE(message(traceOf({kAnswer})).find("no feedback with a corrected answer"),
            std::string::npos);
  EXPECT_NE(message(traceOf({kAnswer, feedbackEvent("rita", true, "")}))
                .find("no feedback with a corrected answer"),
            std::string::npos);
  EXPECT_NE(message(traceOf({kAnswer, feedbackEvent("rita", true, "it is wrong, be nicer")}))
                .find("states no fact"),
            std::string::npos);
  EXPECT_NE(
      message(traceOf({kSearch, feedbackEvent("rita", true, "90 days")})).find("no answer event"),
      std::string::npos);
}

}  // namespace
}  // namespace ward::eval
