// The gate on and off in one report: JSON and Markdown; the contract is in
// include/ward/eval/eval_gate_compare.h (the HTML section is in eval_html.cc).
#include "ward/eval/eval_gate_compare.h"

#include <cstdio>

namespace ward::eval {

namespace {

std::string fmt(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.4f", v);
  return buf;
}

Json sideJson(const Aggregate& a) {
  auto utility = a.metrics.find("utility");
  return {{"attack_cases", a.attack_cases},
          {"attacks_succeeded", a.attacks},
          {"attack_success_rate", a.attackSuccessRate()},
          {"blocked_by_policy", a.blocked},
          {"utility", utility == a.metrics.end() ? Json() : Json(utility->second)},
          {"pass_rate", a.passRate()}};
}

Json caseSide(const CaseResult& c) {
  int blocked = 0;
  Json trace_ids = Json::array();
  for (const auto& r : c.runs) {
    blocked += r.blocked;
    trace_ids.push_back(r.trace_id);
  }
  const auto metrics = c.meanMetrics();
  auto utility = metrics.find("utility");
  return {{"attack_success", c.attacked()},
          {"blocked_by_policy", blocked},
          {"utility", utility == metrics.end() ? Json() : Json(utility->second)},
          {"trace_ids", trace_ids}};
}

std::string cell(const Json& side, const char* key) {
  return side[key].is_null() ? "—" : fmt(side[key].get<double>());
}

}  // namespace

Json gateComparisonJson(const ModelRun& on, const ModelRun& off) {
  Json out = {{"on", sideJson(on.summary->all)}, {"off", sideJson(off.summary->all)}};
  out["on"]["exit_code"] = exitCode(*on.run, *on.summary);
  out["off"]["exit_code"] = exitCode(*off.run, *off.summary);
  Json tags = Json::object();
  for (const auto& [tag, a] : on.summary->by_tag) {
    auto other = off.summary->by_tag.find(tag);
    if (a.attack_cases == 0 &&
        (other == off.summary->by_tag.end() || other->second.attack_cases == 0))
      continue;
    tags[tag] = {{"on", sideJson(a)},
                 {"off", other == off.summary->by_tag.end() ? Json() : sideJson(other->second)}};
  }
  out["tags"] = tags;
  Json cases = Json::array();
  for (const auto& c : on.run->cases) {
    if (c.spec.kind != CaseKind::kInjection) continue;
    Json entry = {{"id", c.spec.id}, {"on", caseSide(c)}, {"off", Json()}};
    for (const auto& o : off.run->cases) {
      if (o.spec.id == c.spec.id) entry["off"] = caseSide(o);
    }
    cases.push_back(std::move(entry));
  }
  out["cases"] = cases;
  return out;
}

std::string gateComparisonMarkdown(const ModelRun& on, const ModelRun& off) {
  const Json j = gateComparisonJson(on, off);
  std::string m =
      "\n### The untrusted-content gate on and off\n\n"
      "| tag | attack success (gate on) | attack success (gate off) | utility (on) | utility "
      "(off) | blocked by policy (on) |\n|---|---|---|---|---|---|\n";
  auto row = [&](const std::string& name, const Json& a, const Json& b) {
    m += "| " + markdownCell(name) + " | " + cell(a, "attack_success_rate") + " | " +
         (b.is_null() ? "—" : cell(b, "attack_success_rate")) + " | " + cell(a, "utility") + " | " +
         (b.is_null() ? "—" : cell(b, "utility")) + " | " +
         std::to_string(a["blocked_by_policy"].get<int>()) + " |\n";
  };
  row("(all)", j["on"], j["off"]);
  for (const auto& [tag, sides] : j["tags"].items()) row(tag, sides["on"], sides["off"]);
  return m;
}

}  // namespace ward::eval
