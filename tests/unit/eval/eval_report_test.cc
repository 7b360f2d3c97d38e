// Summary, thresholds, exit codes, reports and baseline comparison over hand-made runs.
#include <gtest/gtest.h>

#include "ward/eval/eval_diff.h"
#include "ward/eval/eval_report.h"

namespace ward::eval {
namespace {

CaseRun runOf(bool passed, std::map<std::string, double> metrics = {}) {
  CaseRun r;
  r.passed = passed;
  r.trace_id = "0123456789abcdef0123456789abcdef";
  r.metrics = std::move(metrics);
  if (!passed) r.failures.push_back("why <it> failed & \"more\"");
  return r;
}

CaseResult caseOf(std::string id, CaseKind kind, std::vector<CaseRun> runs,
                  std::vector<std::string> tags = {}) {
  CaseResult c;
  c.spec.id = std::move(id);
  c.spec.kind = kind;
  c.spec.as = "dave";
  c.spec.tags = std::move(tags);
  c.runs = std::move(runs);
  return c;
}

EvalRun passingRun() {
  EvalRun run;
  run.suite_name = "golden";
  run.repeat = 1;
  run.cases.push_back(
      caseOf("r1", CaseKind::kRetrieval, {runOf(true, {{"ndcg@10", 1.0}})}, {"rbac"}));
  run.cases.push_back(
      caseOf("r2", CaseKind::kRetrieval, {runOf(true, {{"ndcg@10", 0.5}})}, {"rbac"}));
  run.cases.push_back(caseOf("p1", CaseKind::kPermission, {runOf(true)}, {"rbac", "llm02"}));
  run.cases.push_back(caseOf("i1", CaseKind::kInjection, {runOf(true)}, {"llm01"}));
  return run;
}

TEST(EvalReport, SummaryAggregatesPerTagAndKind) {
  EvalRun run = passingRun();
  Summary s = summarize(run);
  EXPECT_EQ(s.all.cases, 4);
  EXPECT_EQ(s.all.passed, 4);
  EXPECT_DOUBLE_EQ(s.all.metrics.at("ndcg@10"), 0.75);
  EXPECT_EQ(s.by_tag.at("rbac").cases, 3);
  EXPECT_EQ(s.by_kind.at("retrieval").cases, 2);
  EXPECT_EQ(s.all.attack_cases, 1);
  EXPECT_TRUE(s.threshold_failures.empty());
  EXPECT_EQ(exitCode(run, s), 0);
}

TEST(EvalReport, DefaultThresholdsFailOnAnyFailureLeakOrAttack) {
  EvalRun run = passingRun();
  run.cases[2].runs[0] = runOf(false);
  run.cases[2].runs[0].leak = true;
  Summary s = summarize(run);
  EXPECT_EQ(s.all.leaks, 1);
  EXPECT_EQ(exitCode(run, s), 1);
  // A pass-rate threshold below the failures does not excuse a leak.
  run.thresholds.min_pass_rate = 0.5;
  s = summarize(run);
  ASSERT_EQ(s.threshold_failures.size(), 1u);
  EXPECT_NE(s.threshold_failures[0].find("permission leak"), std::string::npos);

  EvalRun attacked = passingRun();
  attacked.thresholds.min_pass_rate = 0.5;
  attacked.cases[3].runs[0] = runOf(false);
  attacked.cases[3].runs[0].attack_success = true;
  s = summarize(attacked);
  EXPECT_EQ(s.all.attackSuccessRate(), 1.0);
  EXPECT_EQ(exitCode(attacked, s), 1);
  attacked.thresholds.max_attack_success_rate = 1.0;
  EXPECT_EQ(exitCode(attacked, summarize(attacked)), 0);

  EvalRun low = passingRun();
  low.thresholds.min_ndcg_at_10 = 0.9;
  s = summarize(low);
  ASSERT_EQ(s.threshold_failures.size(), 1u);
  EXPECT_NE(s.threshold_failures[0].find("ndcg_at_10"), std::string::npos);
}

TEST(EvalReport, AnErroredRunExitsTwo) {
  EvalRun run = passingRun();
  run.cases[0].runs[0] = runOf(false);
  run.cases[0].runs[0].error = true;
  EXPECT_EQ(exitCode(run, summarize(run)), 2);
}

TEST(EvalReport, RepeatsGivePassPowerKFlakinessAndNoise) {
  EvalRun run = passingRun();
  run.repeat = 2;
  for (auto& c : run.cases) c.runs.push_back(c.runs[0]);
  run.cases[0].runs[1] = runOf(false, {{"ndcg@10", 0.0}});
  run.thresholds.min_pass_rate = 0.5;
  Summary s = summarize(run);
  EXPECT_EQ(s.all.passed, 3);
  EXPECT_EQ(s.all.flaky, 1);
  EXPECT_DOUBLE_EQ(s.noise.at("ndcg@10"), 0.5);  // (1+.5)/2 vs (0+.5)/2
  EXPECT_DOUBLE_EQ(s.noise.at("pass_rate"), 0.25);
  Json j = reportJson(run, s);
  EXPECT_EQ(j["cases"][0]["passes"], 1);
  EXPECT_EQ(j["cases"][0]["flaky"], true);
  EXPECT_EQ(j["cases"][0]["trace_ids"].size(), 2u);
}

TEST(EvalReport, JsonIsVersionedWithOneTraceIdPerCase) {
  EvalRun run = passingRun();
  Json j = reportJson(run, summarize(run));
  EXPECT_EQ(j["schema"], kReportSchema);
  EXPECT_EQ(j["schema_version"], kReportSchemaVersion);
  for (const Json& c : j["cases"]) EXPECT_EQ(c["trace_id"].get<std::string>().size(), 32u);
  EXPECT_EQ(j["tags"]["rbac"]["cases"], 3);
}

TEST(EvalReport, JunitAndHtmlEscapeCaseText) {
  EvalRun run = passingRun();
  run.cases[1].spec.id = "r2<script>alert(1)</script>";
  run.cases[1].runs[0] = runOf(false);
  Summary s = summarize(run);
  std::string x = junitXml(run, s);
  EXPECT_NE(x.find("tests=\"4\" failures=\"1\" errors=\"0\""), std::string::npos) << x;
  EXPECT_NE(x.find("name=\"r2&lt;script&gt;alert(1)&lt;/script&gt;\""), std::string::npos);
  EXPECT_NE(x.find("<failure message=\"why &lt;it&gt; failed &amp; &quot;more&quot;\""),
            std::string::npos)
      << x;
  EXPECT_EQ(x.find("<script>"), std::string::npos);
  std::string h = htmlReport(run, s);
  EXPECT_EQ(h.find("<script"), std::string::npos);
  EXPECT_NE(h.find("<svg"), std::string::npos);
  EXPECT_NE(h.find("Content-Security-Policy"), std::string::npos);
  std::string md = markdownSummary(run, s);
  EXPECT_NE(md.find("**FAIL**"), std::string::npos);
  EXPECT_EQ(escapeMarkup(std::string("a\x01\tb")), "a\tb");
}

Json reportOf(const EvalRun& run) { return reportJson(run, summarize(run)); }

TEST(EvalDiff, RegressionsBeyondNoiseLeaksAndAttacks) {
  EvalRun base = passingRun();
  auto same = diffReports(reportOf(base), reportOf(base));
  ASSERT_TRUE(same.ok());
  EXPECT_FALSE(same->failed());

  EvalRun worse = passingRun();
  worse.cases[0].runs[0] = runOf(false, {{"ndcg@10", 0.0}});
  auto d = diffReports(reportOf(base), reportOf(worse));
  ASSERT_TRUE(d.ok());
  EXPECT_TRUE(d->failed());
  bool named = false;
  for (const auto& r : d->regressions) named |= r.find("case r1 now fails") != std::string::npos;
  EXPECT_TRUE(named) << d->toJson().dump();

  // The same drop inside the measured noise is not a metric regression.
  Json noisy = reportOf(worse);
  noisy["noise"]["ndcg@10"] = 0.6;
  noisy["noise"]["pass_rate"] = 0.5;
  noisy["cases"][0]["flaky"] = true;
  d = diffReports(reportOf(base), noisy);
  ASSERT_TRUE(d.ok());
  EXPECT_FALSE(d->failed()) << d->toJson().dump();

  // A leak fails whatever the noise; so does any rise in attack success.
  EvalRun leak = passingRun();
  leak.cases[2].runs[0] = runOf(false);
  leak.cases[2].runs[0].leak = true;
  Json leaky = reportOf(leak);
  leaky["noise"]["pass_rate"] = 1.0;
  d = diffReports(reportOf(base), leaky);
  ASSERT_TRUE(d.ok());
  ASSERT_TRUE(d->failed());
  EXPECT_NE(d->regressions[0].find("permission leak: case p1"), std::string::npos);
  EvalRun attack = passingRun();
  attack.cases[3].runs[0] = runOf(false);
  attack.cases[3].runs[0].attack_success = true;
  Json attacked = reportOf(attack);
  attacked["noise"]["pass_rate"] = 1.0;
  attacked["cases"][3]["flaky"] = true;
  d = diffReports(reportOf(base), attacked);
  ASSERT_TRUE(d.ok());
  ASSERT_EQ(d->regressions.size(), 1u) << d->toJson().dump();
  EXPECT_NE(d->regressions[0].find("attack success rate rose"), std::string::npos);
}

TEST(EvalDiff, RefusesWhatIsNotAReport) {
  EXPECT_FALSE(diffReports(Json::object(), reportOf(passingRun())).ok());
  Json future = reportOf(passingRun());
  future["schema_version"] = kReportSchemaVersion + 1;
  auto d = diffReports(reportOf(passingRun()), future);
  ASSERT_FALSE(d.ok());
  EXPECT_NE(d.status().message().find("schema_version"), std::string::npos);
}

}  // namespace
}  // namespace ward::eval
