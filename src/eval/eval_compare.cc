// Model comparison: JSON and Markdown; the contract is in include/ward/eval/eval_compare.h (the
// HTML section is in eval_html.cc, the JUnit file in eval_report.cc).
#include "ward/eval/eval_compare.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>
#include <set>

namespace ward::eval {

namespace {

std::string fmt(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.4f", v);
  return buf;
}

// Every aggregate metric of one model's run, with pass_rate and attack_success_rate.
std::map<std::string, double> runMetrics(const ModelRun& m) {
  std::map<std::string, double> out = m.summary->all.metrics;
  out["pass_rate"] = m.summary->all.passRate();
  out["attack_success_rate"] = m.summary->all.attackSuccessRate();
  return out;
}

const CaseResult* findCase(const EvalRun& run, const std::string& id) {
  for (const auto& c : run.cases) {
    if (c.spec.id == id) return &c;
  }
  return nullptr;
}

std::vector<std::string> failuresOf(const CaseResult& c) {
  std::vector<std::string> out;
  for (const auto& r : c.runs) {
    for (const auto& f : r.failures) {
      if (std::find(out.begin(), out.end(), f) == out.end()) out.push_back(f);
    }
  }
  return out;
}

bool sameMetrics(const std::map<std::string, double>& a, const std::map<std::string, double>& b) {
  if (a.size() != b.size()) return false;
  for (const auto& [k, v] : a) {
    auto it = b.find(k);
    if (it == b.end() || std::fabs(it->second - v) > 1e-9) return false;
  }
  return true;
}

// Whether the case's result differs between any two models.
bool differs(const std::vector<const CaseResult*>& results) {
  const CaseResult* first = results[0];
  for (const CaseResult* c : results) {
    if (c == nullptr || first == nullptr) return c != first;
    if (c->passed() != first->passed() || failuresOf(*c) != failuresOf(*first) ||
        !sameMetrics(c->meanMetrics(), first->meanMetrics())) {
      return true;
    }
  }
  return false;
}

std::vector<const CaseResult*> resultsFor(const std::vector<ModelRun>& runs,
                                          const std::string& id) {
  std::vector<const CaseResult*> out;
  for (const ModelRun& m : runs) out.push_back(findCase(*m.run, id));
  return out;
}

}  // namespace

Json comparisonJson(const std::vector<ModelRun>& runs) {
  Json models = Json::array();
  Json summary = Json::object();
  Json metrics = Json::object();
  for (const ModelRun& m : runs) {
    const std::string& name = m.run->model;
    models.push_back(name);
    const Aggregate& a = m.summary->all;
    summary[name] = {{"cases", a.cases},
                     {"passed", a.passed},
                     {"pass_rate", a.passRate()},
                     {"permission_leaks", a.leaks},
                     {"attack_success_rate", a.attackSuccessRate()},
                     {"blocked_by_policy", a.blocked},
                     {"exit_code", exitCode(*m.run, *m.summary)},
                     {"threshold_failures", m.summary->threshold_failures},
                     {"metrics", a.metrics}};
    for (const auto& [k, v] : runMetrics(m)) metrics[k][name] = v;
  }
  Json cases = Json::array();
  int differing = 0;
  if (!runs.empty()) {
    for (const CaseResult& c0 : runs[0].run->cases) {
      const auto results = resultsFor(runs, c0.spec.id);
      const bool diff = differs(results);
      differing += diff ? 1 : 0;
      Json per = Json::object();
      Json deltas = Json::object();
      const auto base = c0.meanMetrics();
      for (size_t i = 0; i < runs.size(); ++i) {
        const CaseResult* c = results[i];
        if (c == nullptr) continue;
        Json traces = Json::array();
        for (const auto& r : c->runs) traces.push_back(r.trace_id);
        per[runs[i].run->model] = {{"passed", c->passed()},
                                   {"error", c->errored()},
                                   {"failures", failuresOf(*c)},
                                   {"metrics", c->meanMetrics()},
                                   {"trace_ids", traces}};
        if (i == 0) continue;
        Json d = Json::object();
        for (const auto& [k, v] : c->meanMetrics()) {
          auto it = base.find(k);
          if (it != base.end()) d[k] = v - it->second;
        }
        deltas[runs[i].run->model] = d;
      }
      cases.push_back({{"id", c0.spec.id},
                       {"kind", std::string(caseKindName(c0.spec.kind))},
                       {"differs", diff},
                       {"results", per},
                       {"deltas", deltas}});
    }
  }
  return {{"models", models},
          {"summary", summary},
          {"metrics", metrics},
          {"differing_cases", differing},
          {"cases", cases}};
}

std::string comparisonMarkdown(const std::vector<ModelRun>& runs) {
  if (runs.empty()) return "";
  std::string m = "\n### Models compared\n\n| metric |";
  std::string rule = "|---|";
  for (const ModelRun& r : runs) {
    m += " " + markdownCell(r.run->model) + " |";
    rule += "---|";
  }
  m += "\n" + rule + "\n";
  std::set<std::string> names;
  std::vector<std::map<std::string, double>> all;
  for (const ModelRun& r : runs) {
    all.push_back(runMetrics(r));
    for (const auto& [k, v] : all.back()) names.insert(k);
  }
  for (const auto& name : names) {
    m += "| " + name + " |";
    for (const auto& mm : all) {
      auto it = mm.find(name);
      m += " " + (it == mm.end() ? std::string("—") : fmt(it->second)) + " |";
    }
    m += "\n";
  }
  std::string rows;
  int differing = 0;
  for (const CaseResult& c0 : runs[0].run->cases) {
    const auto results = resultsFor(runs, c0.spec.id);
    if (!differs(results)) continue;
    ++differing;
    rows += "| " + markdownCell(c0.spec.id) + " |";
    for (const CaseResult* c : results) {
      if (c == nullptr) {
        rows += " — |";
        continue;
      }
      const auto f = failuresOf(*c);
      rows += std::string(" ") + (c->passed() ? "pass" : (c->errored() ? "error" : "fail")) +
              (f.empty() ? "" : ": " + markdownCell(f[0].substr(0, 120))) + " `" +
              (c->runs.empty() ? "" : c->runs[0].trace_id) + "` |";
    }
    rows += "\n";
  }
  m += "\n" + std::to_string(differing) + " of " + std::to_string(runs[0].run->cases.size()) +
       " cases differ between the models.\n";
  if (!rows.empty()) {
    m += "\n| case |";
    for (const ModelRun& r : runs) m += " " + markdownCell(r.run->model) + " (trace) |";
    m += "\n" + rule + "\n" + rows;
  }
  return m;
}

}  // namespace ward::eval
