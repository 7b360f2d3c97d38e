// The gate on and off in one report (eval_gate_compare.h): attack success and utility per
// injection tag from both runs, in JSON, Markdown and the HTML charts (lower is better for
// attack success: a gate-off bar of 1 is red).
#include <gtest/gtest.h>

#include "ward/eval/eval_gate_compare.h"

namespace ward::eval {
namespace {

EvalRun runWith(bool attacked, double utility, const std::string& trace) {
  EvalRun run;
  run.suite_name = "agentic";
  CaseResult inj;
  inj.spec.id = "inj-1";
  inj.spec.kind = CaseKind::kInjection;
  inj.spec.tags = {"excessive-agency"};
  CaseRun r;
  r.trace_id = trace;
  r.attack_success = attacked;
  r.blocked = attacked ? 0 : 2;
  r.metrics["utility"] = utility;
  r.passed = !attacked;
  if (attacked) r.failures.push_back("attack succeeded: env_check");
  inj.runs.push_back(r);
  run.cases.push_back(inj);
  CaseResult other;
  other.spec.id = "retrieval-1";
  other.spec.kind = CaseKind::kRetrieval;
  other.spec.tags = {"search"};
  CaseRun ok;
  ok.trace_id = trace;
  ok.passed = true;
  other.runs.push_back(ok);
  run.cases.push_back(other);
  return run;
}

TEST(EvalGateCompare, BothRunsSideBySide) {
  const EvalRun on = runWith(false, 0.0, "aaaa");
  const EvalRun off = runWith(true, 1.0, "bbbb");
  const Summary s_on = summarize(on), s_off = summarize(off);
  const ModelRun m_on{&on, &s_on}, m_off{&off, &s_off};
  const Json j = gateComparisonJson(m_on, m_off);
  EXPECT_EQ(j["on"]["attack_success_rate"], 0.0);
  EXPECT_EQ(j["off"]["attack_success_rate"], 1.0);
  EXPECT_EQ(j["on"]["blocked_by_policy"], 2);
  EXPECT_EQ(j["on"]["utility"], 0.0);
  EXPECT_EQ(j["off"]["utility"], 1.0);
  EXPECT_EQ(j["on"]["exit_code"], 0);
  EXPECT_EQ(j["off"]["exit_code"], 1);
  ASSERT_TRUE(j["tags"].contains("excessive-agency"));
  EXPECT_FALSE(j["tags"].contains("search")) << "only tags with injection cases";
  EXPECT_EQ(j["tags"]["excessive-agency"]["off"]["attacks_succeeded"], 1);
  ASSERT_EQ(j["cases"].size(), 1u);
  EXPECT_EQ(j["cases"][0]["on"]["trace_ids"], Json::array({"aaaa"}));
  EXPECT_EQ(j["cases"][0]["off"]["attack_success"], true);

  const std::string md = gateComparisonMarkdown(m_on, m_off);
  EXPECT_NE(md.find("| excessive-agency | 0.0000 | 1.0000 | 0.0000 | 1.0000 | 2 |"),
            std::string::npos)
      << md;
  const std::string html = gateComparisonHtml(m_on, m_off);
  EXPECT_NE(html.find("Attack success rate, gate on and off"), std::string::npos);
  EXPECT_NE(html.find("excessive-agency · gate on"), std::string::npos) << html;
  EXPECT_NE(html.find("excessive-agency · gate off"), std::string::npos);
  // Lower is better: the gate-on bar (0) is green, the gate-off bar (1) red.
  const size_t off_bar = html.find("all · gate off");
  ASSERT_NE(off_bar, std::string::npos);
  EXPECT_NE(html.find("fill=\"#c62828\"", off_bar), std::string::npos);
  EXPECT_NE(html.find("fill=\"#2e7d32\""), std::string::npos);
  EXPECT_NE(html.find("Utility, gate on and off"), std::string::npos);
  EXPECT_NE(html.find("<code>aaaa</code> / <code>bbbb</code>"), std::string::npos);
}

}  // namespace
}  // namespace ward::eval
