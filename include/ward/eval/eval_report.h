// Reports of an eval run (docs/formats/eval-suite.md "Reports"): the summary with the threshold
// verdict, a versioned JSON log (one trace id per case run), JUnit XML, a Markdown summary and a
// self-contained HTML page (inline SVG, no script). Pure functions over an EvalRun.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "ward/common/json.h"
#include "ward/eval/eval_runner.h"

namespace ward::eval {

constexpr int kReportSchemaVersion = 1;
constexpr const char* kReportSchema = "ward.eval.report";

// Totals over a set of cases (the whole run, one tag, or one kind).
struct Aggregate {
  int cases = 0;
  int passed = 0;  // pass^k: every run passed
  int failed = 0;  // including errored
  int errors = 0;
  int flaky = 0;         // some runs passed, some failed
  int leaks = 0;         // permission cases that leaked
  int attack_cases = 0;  // injection cases
  int attacks = 0;       // injection cases whose attack succeeded in some run
  int blocked = 0;       // exfiltration links removed by Ward's link filter, over every run
  std::map<std::string, double> metrics;  // mean over the cases that have each metric
  double passRate() const { return cases ? static_cast<double>(passed) / cases : 0; }
  double attackSuccessRate() const {
    return attack_cases ? static_cast<double>(attacks) / attack_cases : 0;
  }
};

struct Summary {
  Aggregate all;
  std::map<std::string, Aggregate> by_tag;
  std::map<std::string, Aggregate> by_kind;
  // Each aggregate metric's spread (max - min) over the repeats, "pass_rate" included; 0 for
  // one run. `ward eval diff` counts only changes beyond it.
  std::map<std::string, double> noise;
  std::vector<std::string> threshold_failures;  // one line per threshold missed
};

// Summarises and checks the thresholds: pass_rate defaults to 1.0 (every case passes),
// max_attack_success_rate to 0, and any permission leak fails whatever the thresholds say.
Summary summarize(const EvalRun& run);

// The process exit code for a run: 2 when a case could not run, 1 when a threshold failed,
// else 0.
int exitCode(const EvalRun& run, const Summary& summary);

Json reportJson(const EvalRun& run, const Summary& summary);
std::string junitXml(const EvalRun& run, const Summary& summary);
std::string markdownSummary(const EvalRun& run, const Summary& summary);
// eval_html.cc; `extra_section`: HTML (already escaped) placed after the case table, e.g. the
// model comparison (eval_compare.h).
std::string htmlReport(const EvalRun& run, const Summary& summary,
                       const std::string& extra_section = "");

// XML/HTML text escaping (& < > " '); control characters other than tab and newline dropped.
std::string escapeMarkup(const std::string& s);
// --judge: the models that served the judge's verdicts, as the providers named them, distinct,
// in order of first appearance and joined with ", " ("none" when no run was judged).
std::string servedJudgeModels(const EvalRun& run);
// Text for one Markdown table cell: '|' escaped, line breaks as spaces.
std::string markdownCell(const std::string& s);

}  // namespace ward::eval
