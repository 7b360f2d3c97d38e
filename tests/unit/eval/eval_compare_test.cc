// Model comparison over hand-made runs: metrics side by side, the differing cases with each
// model's trace ids and the deltas against the first model; Markdown, HTML and JUnit.
#include <gtest/gtest.h>

#include "ward/eval/eval_compare.h"

namespace ward::eval {
namespace {

EvalRun runFor(const std::string& model, bool second_passes, double precision,
               const std::string& trace) {
  EvalRun run;
  run.suite_name = "s";
  run.model = model;
  for (const std::string id : {"same", "differs"}) {
    CaseResult c;
    c.spec.id = id;
    c.spec.kind = CaseKind::kAnswer;
    CaseRun r;
    r.trace_id = trace;
    r.passed = id == "same" || second_passes;
    if (!r.passed) r.failures.push_back("citation precision 0.333 below 1.000");
    r.metrics["citation_precision"] = id == "same" ? 1.0 : precision;
    c.runs.push_back(r);
    run.cases.push_back(std::move(c));
  }
  return run;
}

TEST(EvalCompare, MetricsSideBySideAndTheCasesThatDiffer) {
  const EvalRun a = runFor("m-a", false, 1.0 / 3, std::string(32, 'a'));
  const EvalRun b = runFor("m<b>", true, 1.0, std::string(32, 'b'));
  const Summary sa = summarize(a), sb = summarize(b);
  const std::vector<ModelRun> runs = {{&a, &sa}, {&b, &sb}};
  const Json j = comparisonJson(runs);
  EXPECT_EQ(j["models"], Json({"m-a", "m<b>"}));
  EXPECT_EQ(j["metrics"]["pass_rate"]["m-a"], 0.5);
  EXPECT_EQ(j["metrics"]["pass_rate"]["m<b>"], 1.0);
  EXPECT_EQ(j["differing_cases"], 1);
  EXPECT_FALSE(j["cases"][0]["differs"]);
  const Json& d = j["cases"][1];
  EXPECT_TRUE(d["differs"]);
  EXPECT_FALSE(d["results"]["m-a"]["passed"]);
  EXPECT_EQ(d["results"]["m<b>"]["trace_ids"][0], std::string(32, 'b'));
  EXPECT_NEAR(d["deltas"]["m<b>"]["citation_precision"].get<double>(), 2.0 / 3, 1e-9);
  EXPECT_EQ(j["summary"]["m-a"]["exit_code"], 1);

  const std::string md = comparisonMarkdown(runs);
  EXPECT_NE(md.find("| metric | m-a | m<b> |"), std::string::npos) << md;
  EXPECT_NE(md.find("1 of 2 cases differ"), std::string::npos) << md;
  EXPECT_NE(md.find("| differs | fail: citation precision"), std::string::npos) << md;
  const std::string html = comparisonHtml(runs);
  EXPECT_EQ(html.find("m<b>"), std::string::npos) << "model names are escaped";
  EXPECT_NE(html.find("m&lt;b&gt;"), std::string::npos);
  const std::string xml = junitXmlModels(runs);
  EXPECT_NE(xml.find("<testsuite name=\"s[m-a]\""), std::string::npos) << xml;
  EXPECT_NE(xml.find("<testsuite name=\"s[m&lt;b&gt;]\""), std::string::npos) << xml;
  EXPECT_NE(xml.find("<testsuites name=\"s\" tests=\"4\" failures=\"1\""), std::string::npos)
      << xml;
}

}  // namespace
}  // namespace ward::eval
