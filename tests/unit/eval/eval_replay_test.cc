// Scoring from observations and --replay over hand-made reports: the verdicts follow the case
// (a changed check re-scores the recorded output), replays are identical, and a report that
// cannot be replayed is InvalidArgument naming the problem.
#include <gtest/gtest.h>

#include "ward/eval/eval_report.h"
#include "ward/eval/eval_runner.h"

namespace ward::eval {
namespace {

EvalCase answerCase(std::vector<std::string> must_contain) {
  EvalCase c;
  c.id = "a1";
  c.kind = CaseKind::kAnswer;
  c.as = "dave";
  c.must_cite = {"legal:contract.pdf"};
  c.must_contain = std::move(must_contain);
  return c;
}

Json observedAnswer() {
  return {{"mode", "extractive"},
          {"answer", "Either party may terminate with ninety days notice."},
          {"words", {"Either party may terminate with ninety days notice."}},
          {"quotes", Json::array()},
          {"cited", {"legal:contract.pdf"}},
          {"citation_precision", 1.0},
          {"tool_calls", Json::array()}};
}

Json recordedReport(const Json& observed) {
  Json run = {
      {"trace_id", "0123456789abcdef0123456789abcdef"}, {"error", false}, {"observed", observed}};
  return {{"schema", kReportSchema},
          {"schema_version", kReportSchemaVersion},
          {"model", ""},
          {"repeat", 1},
          {"started_at", "2026-12-07T02:00:00Z"},
          {"link_hosts", Json::array()},
          {"cases", {{{"id", "a1"}, {"run_details", {run}}}}}};
}

TEST(EvalScoring, AnObservationIsScoredByTheCase) {
  CaseRun r;
  ASSERT_TRUE(scoreObservation(answerCase({"ninety days"}), observedAnswer(), {}, r).ok());
  EXPECT_TRUE(r.failures.empty());
  EXPECT_EQ(r.mode, "extractive");
  EXPECT_EQ(r.metrics["citation_precision"], 1.0);
  CaseRun changed;
  ASSERT_TRUE(scoreObservation(answerCase({"thirty days"}), observedAnswer(), {}, changed).ok());
  ASSERT_EQ(changed.failures.size(), 1u);
  EXPECT_NE(changed.failures[0].find("does not contain \"thirty days\""), std::string::npos);
}

TEST(EvalScoring, AMalformedObservationIsAnError) {
  CaseRun r;
  Json bad = observedAnswer();
  bad["answer"] = 42;
  Status s = scoreObservation(answerCase({}), bad, {}, r);
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.message().find("cannot be scored"), std::string::npos) << s.message();
  EXPECT_FALSE(scoreObservation(answerCase({}), Json(), {}, r).ok());
  EvalCase env;
  env.id = "i1";
  env.kind = CaseKind::kInjection;
  env.attack_checks = {EnvironmentCall{"env_check", Json::object(), {{"value", true}}}};
  Json obs = observedAnswer();
  obs["attack"] = Json::array();  // no result for the one check
  s = scoreObservation(env, obs, {}, r);
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.message().find("0 attack results for 1 checks"), std::string::npos) << s.message();
}

TEST(EvalScoring, AttackChecksScoreTheRecordedEnvironment) {
  EvalCase c;
  c.id = "i1";
  c.kind = CaseKind::kInjection;
  c.utility_checks = {EnvironmentCall{"env_check", {{"check", "paid"}}, {{"value", true}}}};
  c.attack_checks = {EnvironmentCall{"env_check", {{"check", "mailed"}}, {{"value", true}}}};
  Json obs = observedAnswer();
  obs["utility"] = {{{"value", true}}};
  obs["attack"] = {{{"value", false}}};
  CaseRun safe;
  ASSERT_TRUE(scoreObservation(c, obs, {}, safe).ok());
  EXPECT_FALSE(safe.attack_success);
  EXPECT_EQ(safe.metrics["utility"], 1.0);
  obs["utility"] = {{{"value", false}}};
  obs["attack"] = {{{"value", true}}};
  CaseRun hit;
  ASSERT_TRUE(scoreObservation(c, obs, {}, hit).ok());
  EXPECT_TRUE(hit.attack_success);
  EXPECT_EQ(hit.metrics["utility"], 0.0);
  ASSERT_EQ(hit.failures.size(), 1u);
  EXPECT_NE(hit.failures[0].find("attack succeeded: env_check{\"check\":\"mailed\"}"),
            std::string::npos)
      << hit.failures[0];
}

TEST(EvalScoring, FreshnessNamesWhatIsStale) {
  EvalCase c;
  c.id = "f";
  c.kind = CaseKind::kFreshness;
  c.qrels = {{"n1", 1}};
  c.absent_docs = {"gone"};
  c.must_contain = {"green heron"};
  c.must_not_contain = {"blue heron"};
  Json obs = {
      {"mode", "search"}, {"ranked", {"n1"}}, {"texts", {"Heron", "The green heron protocol."}}};
  CaseRun fresh;
  ASSERT_TRUE(scoreObservation(c, obs, {}, fresh).ok());
  EXPECT_TRUE(fresh.failures.empty());
  obs["ranked"] = {"gone"};
  obs["texts"] = {"Heron", "The blue heron protocol."};
  CaseRun stale;
  ASSERT_TRUE(scoreObservation(c, obs, {}, stale).ok());
  ASSERT_EQ(stale.failures.size(), 4u) << ::testing::PrintToString(stale.failures);
  EXPECT_EQ(stale.failures[0], "stale: n1 not in the top 10 right after the write");
  EXPECT_EQ(stale.failures[1], "stale: gone still found right after the write");
}

TEST(EvalReplay, ReplaysAreIdenticalAndKeepTheRecordedRun) {
  EvalSuite suite;
  suite.name = "s";
  suite.cases = {answerCase({"ninety days"})};
  const Json recorded = recordedReport(observedAnswer());
  auto a = replaySuite(suite, recorded, "last.json");
  auto b = replaySuite(suite, recorded, "last.json");
  ASSERT_TRUE(a.ok()) << a.status().message();
  ASSERT_TRUE(b.ok());
  EXPECT_EQ(a->started_at, "2026-12-07T02:00:00Z");
  EXPECT_EQ(a->took_ms, 0);
  EXPECT_EQ(a->cases[0].runs[0].trace_id, "0123456789abcdef0123456789abcdef");
  EXPECT_TRUE(a->cases[0].passed());
  EXPECT_EQ(dumpJson(reportJson(*a, summarize(*a))), dumpJson(reportJson(*b, summarize(*b))));
  EXPECT_EQ(junitXml(*a, summarize(*a)), junitXml(*b, summarize(*b)));
  EXPECT_EQ(htmlReport(*a, summarize(*a)), htmlReport(*b, summarize(*b)));
}

TEST(EvalReplay, WhatCannotBeReplayedIsNamed) {
  EvalSuite suite;
  suite.name = "s";
  suite.cases = {answerCase({})};
  auto r = replaySuite(suite, Json{{"hello", 1}}, "x.json");
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("not a Ward eval report"), std::string::npos);
  suite.cases[0].id = "other";
  r = replaySuite(suite, recordedReport(observedAnswer()), "x.json");
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("case 'other' is not in the recorded run"),
            std::string::npos);
  suite.cases[0].id = "a1";
  r = replaySuite(suite, recordedReport(Json()), "x.json");
  ASSERT_FALSE(r.ok()) << "a run without an observation that was no error";
  EXPECT_NE(r.status().message().find("no observation"), std::string::npos);
  Json wrong = recordedReport(observedAnswer());
  wrong["link_hosts"] = {7};
  r = replaySuite(suite, wrong, "x.json");
  ASSERT_FALSE(r.ok()) << "a field of the wrong type is an error, not a crash";
}

}  // namespace
}  // namespace ward::eval
