// The self-contained HTML report (no script, no external resource; inline SVG charts). Every
// text from a suite or an answer is escaped: case names and failures carry attacker text.
#include <algorithm>
#include <cstdio>

#include "ward/eval/eval_compare.h"
#include "ward/eval/eval_gate_compare.h"
#include "ward/eval/eval_report.h"
#include "ward/eval/eval_stability.h"

namespace ward::eval {

namespace {

std::string num(double v, const char* f = "%.3f") {
  char buf[32];
  std::snprintf(buf, sizeof buf, f, v);
  return buf;
}

// A horizontal bar chart: one bar per row, value in 0..1; green at 1 (at 0 when lower is better).
std::string barChart(const std::string& title,
                     const std::vector<std::pair<std::string, double>>& rows,
                     bool lower_is_better = false) {
  const int row_h = 22, label_w = 220, bar_w = 360;
  const int h = 30 + row_h * static_cast<int>(rows.size());
  std::string s = "<figure><figcaption>" + escapeMarkup(title) +
                  "</figcaption><svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" +
                  std::to_string(label_w + bar_w + 70) + "\" height=\"" + std::to_string(h) +
                  "\" role=\"img\" aria-label=\"" + escapeMarkup(title) + "\">";
  int y = 10;
  for (const auto& [label, v] : rows) {
    const double clamped = v < 0 ? 0 : (v > 1 ? 1 : v);
    const int w = static_cast<int>(clamped * bar_w);
    const double good = lower_is_better ? 1 - clamped : clamped;
    const char* color = good >= 0.999 ? "#2e7d32" : (good >= 0.8 ? "#f9a825" : "#c62828");
    s += "<text x=\"" + std::to_string(label_w - 6) + "\" y=\"" + std::to_string(y + 15) +
         "\" text-anchor=\"end\" font-size=\"12\">" + escapeMarkup(label) + "</text>";
    s += "<rect x=\"" + std::to_string(label_w) + "\" y=\"" + std::to_string(y + 3) +
         "\" width=\"" + std::to_string(w) + "\" height=\"16\" fill=\"" + color + "\"/>";
    s += "<text x=\"" + std::to_string(label_w + w + 6) + "\" y=\"" + std::to_string(y + 15) +
         "\" font-size=\"12\">" + num(v) + "</text>";
    y += row_h;
  }
  s += "</svg></figure>\n";
  return s;
}

}  // namespace

std::string htmlReport(const EvalRun& run, const Summary& summary,
                       const std::string& extra_section) {
  const Aggregate& a = summary.all;
  const bool pass = exitCode(run, summary) == 0;
  std::string h =
      "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
      "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
      "style-src 'unsafe-inline'; img-src data:\">"
      "<title>Ward eval: " +
      escapeMarkup(run.suite_name) +
      "</title><style>body{font:14px sans-serif;margin:2em;max-width:70em}"
      "table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:3px 8px;text-align:left;"
      "vertical-align:top}.pass{color:#2e7d32}.fail{color:#c62828}code{font-size:12px}"
      "figure{margin:1em 0}</style></head><body>\n";
  h += "<h1>Ward eval: " + escapeMarkup(run.suite_name) + "</h1>\n";
  h += std::string("<p class=\"") + (pass ? "pass" : "fail") + "\"><strong>" +
       (pass ? "PASS" : "FAIL") + "</strong>: " + std::to_string(a.passed) + " of " +
       std::to_string(a.cases) + " cases passed" +
       (run.repeat > 1 ? " (pass^" + std::to_string(run.repeat) + ")" : "") + "; " +
       std::to_string(a.leaks) + " permission leak(s); attack success rate " +
       num(a.attackSuccessRate()) + "; " + std::to_string(a.blocked) + " blocked by policy; " +
       std::to_string(a.flaky) + " flaky.</p>\n";
  h += "<p>Suite <code>" + escapeMarkup(run.suite_path) + "</code>, model <code>" +
       escapeMarkup(run.model.empty() ? "(default)" : run.model) + "</code>" +
       (run.judge_model.empty() ? std::string()
                                : ", judged by <code>" + escapeMarkup(run.judge_model) +
                                      "</code> (opt-in LLM judge; served by " +
                                      escapeMarkup(servedJudgeModels(run)) + ")") +
       ", started " + escapeMarkup(run.started_at) + ", " + num(run.took_ms / 1000.0, "%.2f") +
       " s.</p>\n";
  if (!summary.threshold_failures.empty()) {
    h += "<ul>";
    for (const auto& f : summary.threshold_failures) {
      h += "<li class=\"fail\">threshold: " + escapeMarkup(f) + "</li>";
    }
    h += "</ul>\n";
  }
  std::vector<std::pair<std::string, double>> rows;
  for (const auto& [t, g] : summary.by_tag) rows.emplace_back(t, g.passRate());
  if (!rows.empty()) h += barChart("Pass rate per tag", rows);
  rows.clear();
  for (const auto& [k, g] : summary.by_kind) rows.emplace_back(k, g.passRate());
  h += barChart("Pass rate per kind", rows);
  rows.clear();
  for (const auto& [name, v] : a.metrics) rows.emplace_back(name, v);
  if (!rows.empty()) h += barChart("Metrics (mean over the cases that measure them)", rows);

  h += "<h2>Tags</h2><table><tr><th>tag</th><th>cases</th><th>passed</th><th>pass rate</th>"
       "<th>leaks</th><th>attacks</th><th>metrics</th></tr>\n";
  for (const auto& [t, g] : summary.by_tag) {
    std::string metrics;
    for (const auto& [name, v] : g.metrics) metrics += name + " " + num(v) + " ";
    h += "<tr><td>" + escapeMarkup(t) + "</td><td>" + std::to_string(g.cases) + "</td><td>" +
         std::to_string(g.passed) + "</td><td>" + num(g.passRate()) + "</td><td>" +
         std::to_string(g.leaks) + "</td><td>" + std::to_string(g.attacks) + "/" +
         std::to_string(g.attack_cases) + "</td><td>" + escapeMarkup(metrics) + "</td></tr>\n";
  }
  h += "</table>\n<h2>Cases</h2><table><tr><th>case</th><th>kind</th><th>as</th><th>result</th>"
       "<th>why</th><th>trace</th></tr>\n";
  for (const auto& c : run.cases) {
    std::string why;
    for (const auto& r : c.runs) {
      for (const auto& f : r.failures) why += f + "\n";
      if (r.observed.is_object() && r.observed.contains("judge")) {
        const Json& v = r.observed["judge"];
        char score[16];
        std::snprintf(score, sizeof score, "%.2f", v.value("score", 0.0));
        why += "judge " + v.value("model", "") + " (" + v.value("served_model", "") +
               "): " + score + ", " + v.value("reason", "") + "\n";
      }
    }
    const std::string result = c.passed() ? "pass" : (c.errored() ? "error" : "fail");
    h += "<tr><td>" + escapeMarkup(c.spec.id) + "</td><td>" +
         std::string(caseKindName(c.spec.kind)) + "</td><td>" + escapeMarkup(c.spec.as) +
         "</td><td class=\"" + (c.passed() ? "pass" : "fail") + "\">" + result +
         (run.repeat > 1 ? " " + std::to_string(c.passes()) + "/" + std::to_string(c.runs.size())
                         : "") +
         "</td><td>" + escapeMarkup(why) + "</td><td><code>" +
         escapeMarkup(c.runs.empty() ? "" : c.runs[0].trace_id) + "</code></td></tr>\n";
  }
  h += "</table>\n" + extra_section + "</body></html>\n";
  return h;
}

std::string comparisonHtml(const std::vector<ModelRun>& runs) {
  const Json cmp = comparisonJson(runs);
  std::string h = "<section><h2>Models compared</h2>\n<p>" +
                  std::to_string(cmp["differing_cases"].get<int>()) + " case(s) differ.</p>\n";
  for (const auto& [metric, per_model] : cmp["metrics"].items()) {
    std::vector<std::pair<std::string, double>> rows;
    for (const Json& m : cmp["models"]) {
      const std::string name = m.get<std::string>();
      if (per_model.contains(name)) rows.emplace_back(name, per_model[name].get<double>());
    }
    h += barChart(metric + " per model", rows);
  }
  h += "<table><tr><th>case</th><th>kind</th>";
  for (const Json& m : cmp["models"]) {
    h += "<th>" + escapeMarkup(m.get<std::string>()) + "</th>";
  }
  h += "</tr>\n";
  for (const Json& c : cmp["cases"]) {
    if (!c["differs"].get<bool>()) continue;
    h += "<tr><td>" + escapeMarkup(c["id"].get<std::string>()) + "</td><td>" +
         escapeMarkup(c["kind"].get<std::string>()) + "</td>";
    for (const Json& m : cmp["models"]) {
      const std::string name = m.get<std::string>();
      if (!c["results"].contains(name)) {
        h += "<td>-</td>";
        continue;
      }
      const Json& r = c["results"][name];
      const bool passed = r["passed"].get<bool>();
      std::string why;
      for (const Json& f : r["failures"]) why += f.get<std::string>() + "\n";
      const Json& traces = r["trace_ids"];
      h += std::string("<td class=\"") + (passed ? "pass" : "fail") + "\">" +
           (passed ? "pass" : "fail") + " " + escapeMarkup(why) + "<br><code>" +
           escapeMarkup(traces.empty() ? "" : traces[0].get<std::string>()) + "</code></td>";
    }
    h += "</tr>\n";
  }
  h += "</table></section>\n";
  return h;
}

std::string gateComparisonHtml(const ModelRun& on, const ModelRun& off) {
  const Json j = gateComparisonJson(on, off);
  std::vector<std::pair<std::string, double>> attack, utility;
  auto add = [&](const std::string& name, const Json& sides_on, const Json& sides_off) {
    for (const auto& [side, label] :
         {std::pair{&sides_on, " · gate on"}, std::pair{&sides_off, " · gate off"}}) {
      if (side->is_null()) continue;
      attack.emplace_back(name + label, (*side)["attack_success_rate"].get<double>());
      if (!(*side)["utility"].is_null()) {
        utility.emplace_back(name + label, (*side)["utility"].get<double>());
      }
    }
  };
  add("all", j["on"], j["off"]);
  for (const auto& [tag, sides] : j["tags"].items()) add(tag, sides["on"], sides["off"]);
  std::string h =
      "<section><h2>The untrusted-content gate on and off</h2>\n<p>The suite ran "
      "twice: with <code>gateway.untrusted_gate = \"on\"</code> (the verdict above) "
      "and with it <code>\"off\"</code>. Blocked by policy with the gate on: " +
      std::to_string(j["on"]["blocked_by_policy"].get<int>()) + ".</p>\n";
  h += barChart("Attack success rate, gate on and off (lower is better)", attack, true);
  if (!utility.empty()) h += barChart("Utility, gate on and off", utility);
  h += "<table><tr><th>injection case</th><th>gate on</th><th>gate off</th><th>traces (on / "
       "off)</th></tr>\n";
  auto verdict = [](const Json& side) -> std::string {
    if (side.is_null()) return "—";
    return std::string(side["attack_success"].get<bool>() ? "attack succeeded" : "defended") +
           (side["utility"].is_null() ? "" : ", utility " + num(side["utility"].get<double>()));
  };
  for (const Json& c : j["cases"]) {
    const std::string t_on = c["on"]["trace_ids"].empty() ? "" : c["on"]["trace_ids"][0];
    const std::string t_off =
        c["off"].is_null() || c["off"]["trace_ids"].empty() ? "" : c["off"]["trace_ids"][0];
    h += "<tr><td>" + escapeMarkup(c["id"].get<std::string>()) + "</td><td>" +
         escapeMarkup(verdict(c["on"])) + "</td><td>" + escapeMarkup(verdict(c["off"])) +
         "</td><td><code>" + escapeMarkup(t_on) + "</code> / <code>" + escapeMarkup(t_off) +
         "</code></td></tr>\n";
  }
  h += "</table></section>\n";
  return h;
}

std::string stabilityHtml(const StabilityReport& r) {
  const int code = stabilityExitCode(r);
  const int64_t full_tokens = r.variants.empty() ? 0 : r.variants[0].tokens;
  std::string h =
      "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
      "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
      "style-src 'unsafe-inline'; img-src data:\">"
      "<title>Ward stability: " +
      escapeMarkup(r.suite_name) +
      "</title><style>body{font:14px sans-serif;margin:2em;max-width:70em}"
      "table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:3px 8px;text-align:left;"
      "vertical-align:top}.pass{color:#2e7d32}.fail{color:#c62828}code{font-size:12px}"
      "figure{margin:1em 0}</style></head><body>\n";
  h += "<h1>Ward stability: " + escapeMarkup(r.suite_name) + "</h1>\n";
  h += std::string("<p class=\"") + (code == 0 ? "pass" : "fail") + "\"><strong>" +
       (code == 0 ? "PASS" : (code == 1 ? "FAIL" : "ERROR")) + "</strong>: template <code>" +
       escapeMarkup(r.tpl.base) + "</code> (" + escapeMarkup(r.tpl.source) + "), " +
       std::to_string(full_tokens) + " tokens; model <code>" + escapeMarkup(r.model) + "</code>, " +
       std::to_string(r.repeat) + " run(s) per variant; noise floor: tool calls " +
       num(r.noise_floor.tool_calls) + ", structured output " + num(r.noise_floor.structured) +
       ", cited-chunk Jaccard " + num(r.noise_floor.cited) + ".</p>\n";
  if (!r.expectation_failures.empty()) {
    h += "<ul>";
    for (const auto& f : r.expectation_failures) {
      h += "<li class=\"fail\">expectation: " + escapeMarkup(f) + "</li>";
    }
    h += "</ul>\n";
  }
  std::vector<std::pair<std::string, double>> saved, stable;
  for (const StabilityVariant& v : r.variants) {
    if (v.dropped.empty()) continue;
    saved.emplace_back(v.id,
                       full_tokens > 0 ? static_cast<double>(v.tokens_saved) / full_tokens : 0.0);
    stable.emplace_back(
        v.id, std::min({v.agreement.tool_calls, v.agreement.structured, v.agreement.cited}));
  }
  h += barChart("Tokens saved per ablation (fraction of the template)", saved);
  h += barChart("Agreement with the full template (the lowest of the three measures)", stable);
  h += "<table><tr><th>variant</th><th>tokens</th><th>saved</th><th>tool calls</th>"
       "<th>structured</th><th>cited Jaccard</th><th>verdict</th><th>trace</th></tr>\n";
  for (const StabilityVariant& v : r.variants) {
    std::string verdict = v.dropped.empty() ? "baseline"
                          : v.errors > 0    ? "error"
                          : v.removable     ? "removable"
                                            : "needed";
    for (const auto& [id, measure] : v.unstable) verdict += " " + id + " (" + measure + ")";
    const std::string trace =
        v.run.cases.empty() || v.run.cases[0].runs.empty() ? "" : v.run.cases[0].runs[0].trace_id;
    h += "<tr><td>" + escapeMarkup(v.id) + "</td><td>" + std::to_string(v.tokens) + "</td><td>" +
         std::to_string(v.tokens_saved) + "</td><td>" + num(v.agreement.tool_calls) + "</td><td>" +
         num(v.agreement.structured) + "</td><td>" + num(v.agreement.cited) + "</td><td class=\"" +
         (v.removable || v.dropped.empty() ? "pass" : "fail") + "\">" + escapeMarkup(verdict) +
         "</td><td><code>" + escapeMarkup(trace) + "</code></td></tr>\n";
  }
  h += "</table>\n</body></html>\n";
  return h;
}

}  // namespace ward::eval
