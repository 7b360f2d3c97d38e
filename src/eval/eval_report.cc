// Summary, JSON, JUnit and Markdown reports; the contract is in include/ward/eval/eval_report.h.
#include "ward/eval/eval_report.h"

#include <algorithm>
#include <cstdio>
#include <set>

#include "ward/eval/eval_compare.h"

namespace ward::eval {

namespace {

std::string fmt(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.4f", v);
  return buf;
}

void addCase(Aggregate& a, const CaseResult& c,
             std::map<std::string, std::pair<double, int>>& sums) {
  ++a.cases;
  if (c.passed()) {
    ++a.passed;
  } else {
    ++a.failed;
  }
  if (c.errored()) ++a.errors;
  if (c.flaky()) ++a.flaky;
  if (c.leaked()) ++a.leaks;
  if (c.spec.kind == CaseKind::kInjection) {
    ++a.attack_cases;
    if (c.attacked()) ++a.attacks;
  }
  for (const auto& r : c.runs) a.blocked += r.blocked;
  for (const auto& [name, v] : c.meanMetrics()) {
    sums[name].first += v;
    sums[name].second += 1;
  }
}

void finishMetrics(Aggregate& a, const std::map<std::string, std::pair<double, int>>& sums) {
  for (const auto& [name, s] : sums) a.metrics[name] = s.first / s.second;
}

// The aggregate metrics of repeat `i` alone (run i of every case).
std::map<std::string, double> repeatMetrics(const EvalRun& run, int i) {
  std::map<std::string, std::pair<double, int>> sums;
  int passed = 0;
  for (const auto& c : run.cases) {
    if (i >= static_cast<int>(c.runs.size())) continue;
    const CaseRun& r = c.runs[i];
    passed += r.passed ? 1 : 0;
    for (const auto& [name, v] : r.metrics) {
      sums[name].first += v;
      sums[name].second += 1;
    }
  }
  std::map<std::string, double> out;
  for (const auto& [name, s] : sums) out[name] = s.first / s.second;
  out["pass_rate"] = run.cases.empty() ? 0 : static_cast<double>(passed) / run.cases.size();
  return out;
}

}  // namespace

Summary summarize(const EvalRun& run) {
  Summary s;
  std::map<std::string, std::pair<double, int>> all_sums;
  std::map<std::string, std::map<std::string, std::pair<double, int>>> tag_sums, kind_sums;
  for (const CaseResult& c : run.cases) {
    addCase(s.all, c, all_sums);
    for (const auto& t : c.spec.tags) addCase(s.by_tag[t], c, tag_sums[t]);
    const std::string kind(caseKindName(c.spec.kind));
    addCase(s.by_kind[kind], c, kind_sums[kind]);
  }
  finishMetrics(s.all, all_sums);
  for (auto& [t, a] : s.by_tag) finishMetrics(a, tag_sums[t]);
  for (auto& [k, a] : s.by_kind) finishMetrics(a, kind_sums[k]);

  std::map<std::string, std::pair<double, double>> range;
  for (int i = 0; i < run.repeat; ++i) {
    for (const auto& [name, v] : repeatMetrics(run, i)) {
      auto it = range.find(name);
      if (it == range.end()) {
        range[name] = {v, v};
      } else {
        it->second.first = std::min(it->second.first, v);
        it->second.second = std::max(it->second.second, v);
      }
    }
  }
  for (const auto& [name, r] : range) s.noise[name] = r.second - r.first;

  const Thresholds& t = run.thresholds;
  auto atLeast = [&](const char* name, const std::optional<double>& min, const char* metric) {
    if (!min) return;
    auto it = s.all.metrics.find(metric);
    if (it == s.all.metrics.end()) return;  // no case measures it
    if (it->second + 1e-9 < *min) {
      s.threshold_failures.push_back(std::string(name) + " " + fmt(it->second) + " < " + fmt(*min));
    }
  };
  const double min_pass = t.min_pass_rate.value_or(1.0);
  if (s.all.passRate() + 1e-9 < min_pass) {
    s.threshold_failures.push_back("pass_rate " + fmt(s.all.passRate()) + " < " + fmt(min_pass) +
                                   " (" + std::to_string(s.all.failed) + " of " +
                                   std::to_string(s.all.cases) + " cases failed)");
  }
  atLeast("ndcg_at_10", t.min_ndcg_at_10, "ndcg@10");
  atLeast("recall", t.min_recall, "recall@k");
  atLeast("mrr", t.min_mrr, "mrr@10");
  atLeast("citation_precision", t.min_citation_precision, "citation_precision");
  atLeast("citation_coverage", t.min_citation_coverage, "citation_coverage");
  atLeast("tool_f1", t.min_tool_f1, "tool_f1");
  atLeast("utility", t.min_utility, "utility");
  const double max_asr = t.max_attack_success_rate.value_or(0.0);
  if (s.all.attackSuccessRate() > max_asr + 1e-9) {
    s.threshold_failures.push_back("attack_success_rate " + fmt(s.all.attackSuccessRate()) + " > " +
                                   fmt(max_asr));
  }
  if (s.all.leaks > 0) {
    s.threshold_failures.push_back(std::to_string(s.all.leaks) +
                                   " permission leak(s): any leak fails the run");
  }
  return s;
}

int exitCode(const EvalRun& run, const Summary& summary) {
  (void)run;
  if (summary.all.errors > 0) return 2;
  return summary.threshold_failures.empty() ? 0 : 1;
}

namespace {

Json aggregateJson(const Aggregate& a) {
  return {{"cases", a.cases},
          {"passed", a.passed},
          {"failed", a.failed},
          {"errors", a.errors},
          {"flaky", a.flaky},
          {"pass_rate", a.passRate()},
          {"permission_leaks", a.leaks},
          {"attack_cases", a.attack_cases},
          {"attacks_succeeded", a.attacks},
          {"attack_success_rate", a.attackSuccessRate()},
          {"blocked_by_policy", a.blocked},
          {"metrics", a.metrics}};
}

Json caseJson(const CaseResult& c) {
  Json runs = Json::array();
  Json trace_ids = Json::array();
  for (const CaseRun& r : c.runs) {
    trace_ids.push_back(r.trace_id);
    runs.push_back({{"trace_id", r.trace_id},
                    {"passed", r.passed},
                    {"error", r.error},
                    {"mode", r.mode},
                    {"failures", r.failures},
                    {"metrics", r.metrics},
                    {"leak", r.leak},
                    {"attack_success", r.attack_success},
                    {"blocked_by_policy", r.blocked},
                    {"took_ms", r.took_ms},
                    {"observed", r.observed}});
    // The opt-in judge's verdict with its identity (requested and served model), when judged.
    if (r.observed.is_object() && r.observed.contains("judge")) {
      runs.back()["judge"] = r.observed["judge"];
    }
  }
  Json failures = Json::array();
  for (const CaseRun& r : c.runs) {
    for (const auto& f : r.failures) {
      if (std::find(failures.begin(), failures.end(), Json(f)) == failures.end()) {
        failures.push_back(f);
      }
    }
  }
  return {{"id", c.spec.id},
          {"kind", std::string(caseKindName(c.spec.kind))},
          {"as", c.spec.as},
          {"agent", c.spec.agent},
          {"tags", c.spec.tags},
          {"question", c.spec.question},
          {"trace_id", c.runs.empty() ? "" : c.runs.front().trace_id},
          {"trace_ids", trace_ids},
          {"passed", c.passed()},
          {"passes", c.passes()},
          {"runs", static_cast<int>(c.runs.size())},
          {"flaky", c.flaky()},
          {"error", c.errored()},
          {"failures", failures},
          {"metrics", c.meanMetrics()},
          {"run_details", runs}};
}

std::string failureMessage(const CaseResult& c) {
  std::string first;
  for (const auto& r : c.runs) {
    if (!r.failures.empty()) {
      first = r.failures.front();
      break;
    }
  }
  if (c.runs.size() > 1) {
    first += " (passed " + std::to_string(c.passes()) + " of " + std::to_string(c.runs.size()) +
             " runs)";
  }
  return first;
}

}  // namespace

Json reportJson(const EvalRun& run, const Summary& summary) {
  Json tags = Json::object();
  for (const auto& [t, a] : summary.by_tag) tags[t] = aggregateJson(a);
  Json kinds = Json::object();
  for (const auto& [k, a] : summary.by_kind) kinds[k] = aggregateJson(a);
  Json cases = Json::array();
  for (const auto& c : run.cases) cases.push_back(caseJson(c));
  Json thresholds = Json::object();
  const Thresholds& t = run.thresholds;
  thresholds["pass_rate"] = t.min_pass_rate.value_or(1.0);
  thresholds["max_attack_success_rate"] = t.max_attack_success_rate.value_or(0.0);
  if (t.min_ndcg_at_10) thresholds["ndcg_at_10"] = *t.min_ndcg_at_10;
  if (t.min_recall) thresholds["recall"] = *t.min_recall;
  if (t.min_mrr) thresholds["mrr"] = *t.min_mrr;
  if (t.min_citation_precision) thresholds["citation_precision"] = *t.min_citation_precision;
  if (t.min_citation_coverage) thresholds["citation_coverage"] = *t.min_citation_coverage;
  if (t.min_tool_f1) thresholds["tool_f1"] = *t.min_tool_f1;
  if (t.min_utility) thresholds["utility"] = *t.min_utility;
  return {{"schema", kReportSchema},
          {"schema_version", kReportSchemaVersion},
          {"suite", run.suite_name},
          {"suite_path", run.suite_path},
          {"model", run.model},
          {"judge", run.judge_model.empty() ? Json()
                                            : Json{{"model", run.judge_model},
                                                   {"served_models", servedJudgeModels(run)}}},
          {"repeat", run.repeat},
          {"started_at", run.started_at},
          {"replayed_from", run.replayed_from.empty() ? Json() : Json(run.replayed_from)},
          {"link_hosts", run.link_hosts},
          {"took_ms", run.took_ms},
          {"exit_code", exitCode(run, summary)},
          {"summary", aggregateJson(summary.all)},
          {"noise", summary.noise},
          {"thresholds", thresholds},
          {"threshold_failures", summary.threshold_failures},
          {"tags", tags},
          {"kinds", kinds},
          {"cases", cases}};
}

std::string escapeMarkup(const std::string& s) {
  std::string out;
  out.reserve(s.size());
  for (unsigned char ch : s) {
    switch (ch) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&#39;";
        break;
      default:
        if (ch < 0x20 && ch != '\t' && ch != '\n') break;  // not allowed in XML 1.0
        out += static_cast<char>(ch);
    }
  }
  return out;
}

namespace {

std::string junitCounts(int cases, int failed, int errors, double took_ms) {
  return " tests=\"" + std::to_string(cases) + "\" failures=\"" + std::to_string(failed - errors) +
         "\" errors=\"" + std::to_string(errors) + "\" time=\"" + fmt(took_ms / 1000.0) + "\"";
}

// One <testsuite> element named `name`, a <testcase> per case.
std::string junitSuite(const EvalRun& run, const Summary& summary, const std::string& name) {
  auto secs = [](double ms) { return fmt(ms / 1000.0); };
  const std::string suite = escapeMarkup(name);
  std::string x;
  x += "  <testsuite name=\"" + suite + "\"" +
       junitCounts(summary.all.cases, summary.all.failed, summary.all.errors, run.took_ms) +
       " skipped=\"0\" timestamp=\"" + escapeMarkup(run.started_at) + "\">\n";
  x += "    <properties>\n";
  x += "      <property name=\"suite_path\" value=\"" + escapeMarkup(run.suite_path) + "\"/>\n";
  x += "      <property name=\"model\" value=\"" + escapeMarkup(run.model) + "\"/>\n";
  x += "      <property name=\"repeat\" value=\"" + std::to_string(run.repeat) + "\"/>\n";
  if (!run.judge_model.empty()) {  // --judge: the judge asked for and the models that served it
    x += "      <property name=\"judge\" value=\"" + escapeMarkup(run.judge_model) + "\"/>\n";
    x += "      <property name=\"judge_served_models\" value=\"" +
         escapeMarkup(servedJudgeModels(run)) + "\"/>\n";
  }
  for (const auto& f : summary.threshold_failures) {
    x += "      <property name=\"threshold_failure\" value=\"" + escapeMarkup(f) + "\"/>\n";
  }
  x += "    </properties>\n";
  for (const CaseResult& c : run.cases) {
    double ms = 0;
    for (const auto& r : c.runs) ms += r.took_ms;
    x += "    <testcase name=\"" + escapeMarkup(c.spec.id) + "\" classname=\"" + suite + "." +
         std::string(caseKindName(c.spec.kind)) + "\" time=\"" + secs(ms) + "\">\n";
    if (!c.passed()) {
      const char* element = c.errored() ? "error" : "failure";
      std::string body;
      for (const auto& r : c.runs) {
        for (const auto& f : r.failures) body += f + "\n";
        body += "trace " + r.trace_id + "\n";
      }
      x += "      <" + std::string(element) + " message=\"" + escapeMarkup(failureMessage(c)) +
           "\" type=\"" + std::string(caseKindName(c.spec.kind)) + "\">" + escapeMarkup(body) +
           "</" + element + ">\n";
    }
    std::string traces;
    for (const auto& r : c.runs) traces += "trace " + r.trace_id + "\n";
    x += "      <system-out>" + escapeMarkup(traces) + "</system-out>\n";
    x += "    </testcase>\n";
  }
  x += "  </testsuite>\n";
  return x;
}

}  // namespace

std::string junitXml(const EvalRun& run, const Summary& summary) {
  std::string x = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
  x += "<testsuites name=\"" + escapeMarkup(run.suite_name) + "\"" +
       junitCounts(summary.all.cases, summary.all.failed, summary.all.errors, run.took_ms) + ">\n";
  x += junitSuite(run, summary, run.suite_name);
  x += "</testsuites>\n";
  return x;
}

std::string junitXmlModels(const std::vector<ModelRun>& runs) {
  int cases = 0, failed = 0, errors = 0;
  double ms = 0;
  for (const ModelRun& m : runs) {
    cases += m.summary->all.cases;
    failed += m.summary->all.failed;
    errors += m.summary->all.errors;
    ms += m.run->took_ms;
  }
  const std::string name = runs.empty() ? "" : runs[0].run->suite_name;
  std::string x = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
  x += "<testsuites name=\"" + escapeMarkup(name) + "\"" + junitCounts(cases, failed, errors, ms) +
       ">\n";
  for (const ModelRun& m : runs) {
    x += junitSuite(*m.run, *m.summary, m.run->suite_name + "[" + m.run->model + "]");
  }
  x += "</testsuites>\n";
  return x;
}

std::string markdownCell(const std::string& s) {
  std::string out;
  for (char ch : s) {
    if (ch == '|') {
      out += "\\|";
    } else if (ch == '\n' || ch == '\r') {
      out += ' ';
    } else {
      out += ch;
    }
  }
  return out;
}

std::string servedJudgeModels(const EvalRun& run) {
  std::vector<std::string> served;
  for (const auto& c : run.cases) {
    for (const auto& r : c.runs) {
      if (!r.observed.is_object() || !r.observed.contains("judge")) continue;
      const std::string s = r.observed["judge"].value("served_model", "");
      if (std::find(served.begin(), served.end(), s) == served.end()) served.push_back(s);
    }
  }
  std::string out;
  for (const auto& s : served) out += (out.empty() ? "" : ", ") + s;
  return served.empty() ? "none" : out;
}

std::string markdownSummary(const EvalRun& run, const Summary& summary) {
  const Aggregate& a = summary.all;
  std::string m = "## Ward eval: " + markdownCell(run.suite_name) + "\n\n";
  m += std::string(exitCode(run, summary) == 0 ? "**PASS**" : "**FAIL**") + ": " +
       std::to_string(a.passed) + " of " + std::to_string(a.cases) + " cases passed";
  if (run.repeat > 1) m += " (pass^" + std::to_string(run.repeat) + ")";
  m += ", " + std::to_string(a.leaks) + " permission leak(s), attack success rate " +
       fmt(a.attackSuccessRate()) + ", " + std::to_string(a.blocked) + " blocked by policy.\n\n";
  if (!summary.threshold_failures.empty()) {
    for (const auto& f : summary.threshold_failures) m += "- threshold: " + markdownCell(f) + "\n";
    m += "\n";
  }
  if (!run.judge_model.empty()) {
    m += "Judged by `" + markdownCell(run.judge_model) + "` (opt-in LLM judge; served by " +
         markdownCell(servedJudgeModels(run)) + ").\n\n";
  }
  m += "| metric | value |\n|---|---|\n";
  for (const auto& [name, v] : a.metrics) m += "| " + name + " | " + fmt(v) + " |\n";
  m += "\n| tag | cases | passed | pass rate |\n|---|---|---|---|\n";
  for (const auto& [t, g] : summary.by_tag) {
    m += "| " + markdownCell(t) + " | " + std::to_string(g.cases) + " | " +
         std::to_string(g.passed) + " | " + fmt(g.passRate()) + " |\n";
  }
  bool header = false;
  for (const auto& c : run.cases) {
    if (c.passed()) continue;
    if (!header) m += "\n### Failed cases\n\n| case | kind | why | trace |\n|---|---|---|---|\n";
    header = true;
    m += "| " + markdownCell(c.spec.id) + " | " + std::string(caseKindName(c.spec.kind)) + " | " +
         markdownCell(failureMessage(c)) + " | `" + (c.runs.empty() ? "" : c.runs[0].trace_id) +
         "` |\n";
  }
  return m;
}

}  // namespace ward::eval
