// Prompt-template ablations; the contract is in include/ward/eval/eval_stability.h.
#include "ward/eval/eval_stability.h"

#include <algorithm>
#include <cstdio>
#include <set>
#include <tuple>

#include "ward/common/clock.h"
#include "ward/eval/eval_metrics.h"
#include "ward/eval/eval_report.h"

namespace ward::eval {

namespace {

constexpr double kEpsilon = 1e-9;

std::string fmt(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.3f", v);
  return buf;
}

// The tool calls of one observation as a set of "name arguments" (arguments canonical JSON).
std::set<std::string> toolCallSet(const Json& obs) {
  std::set<std::string> out;
  for (const Json& call : obs.value("tool_calls", Json::array())) {
    Json args = call.value("arguments", Json::object());
    if (args.is_string()) {  // the model's JSON text, as the answer loop records it
      auto parsed = parseJson(args.get<std::string>());
      if (parsed.ok()) args = std::move(*parsed);
    }
    out.insert(call.value("tool", "") + " " + dumpJson(args));
  }
  return out;
}

// Whether the reply is the structured output asked for (and matches the case's json_schema).
bool structuredValid(const EvalCase& c, const Json& obs) {
  if (obs.value("format_error", false)) return false;
  if (!c.json_schema) return true;
  return structuredAnswerFailure(*c.json_schema, obs.value("answer", "")).empty();
}

std::set<std::string> citedSet(const Json& obs) {
  std::set<std::string> out;
  for (const Json& s : obs.value(obs.contains("chunks") ? "chunks" : "cited", Json::array())) {
    if (s.is_string()) out.insert(s.get<std::string>());
  }
  return out;
}

double jaccard(const std::set<std::string>& a, const std::set<std::string>& b) {
  if (a.empty() && b.empty()) return 1;
  size_t both = 0;
  for (const auto& x : a) both += b.count(x);
  return static_cast<double>(both) / static_cast<double>(a.size() + b.size() - both);
}

// Mean agreement over pairs; `pairs` empty = 1 on every measure (nothing differed).
Agreement meanOf(const std::vector<Agreement>& pairs) {
  Agreement m;
  if (pairs.empty()) return m;
  m = Agreement{0, 0, 0};
  for (const Agreement& a : pairs) {
    m.tool_calls += a.tool_calls;
    m.structured += a.structured;
    m.cited += a.cited;
  }
  const double n = static_cast<double>(pairs.size());
  return Agreement{m.tool_calls / n, m.structured / n, m.cited / n};
}

std::vector<const Json*> observations(const CaseResult& c) {
  std::vector<const Json*> out;
  for (const CaseRun& r : c.runs) {
    if (!r.error && r.observed.is_object()) out.push_back(&r.observed);
  }
  return out;
}

const char* verdictOf(const StabilityVariant& v) {
  if (v.dropped.empty()) return "baseline";
  if (v.errors > 0) return "error";
  return v.removable ? "removable" : "needed";
}

int64_t templateTokens(const SectionedTemplate& t, const std::set<std::string>& drop) {
  return estimateTokens(renderedForEstimate(t.text(drop)));
}

}  // namespace

bool reachesTemplate(const EvalCase& c, TargetVia via) {
  switch (c.kind) {
    case CaseKind::kAnswer:
    case CaseKind::kRefusal:
    case CaseKind::kInjection:
    case CaseKind::kStability:
      return true;
    case CaseKind::kTool:
      return via == TargetVia::kAsk;
    case CaseKind::kRetrieval:
    case CaseKind::kPermission:
    case CaseKind::kFreshness:
      return false;
  }
  return false;
}

Agreement agreementOf(const EvalCase& c, const Json& a, const Json& b) {
  Agreement out;
  out.tool_calls = toolCallSet(a) == toolCallSet(b) ? 1 : 0;
  out.structured = structuredValid(c, a) == structuredValid(c, b) ? 1 : 0;
  out.cited = jaccard(citedSet(a), citedSet(b));
  return out;
}

void compareVariants(StabilityReport& report) {
  if (report.variants.empty()) return;
  const EvalRun& full = report.variants[0].run;
  // Each case's noise floor: its full-template runs with each other.
  std::vector<Agreement> noise(full.cases.size());
  std::vector<Agreement> all_noise;
  for (size_t i = 0; i < full.cases.size(); ++i) {
    const auto obs = observations(full.cases[i]);
    std::vector<Agreement> pairs;
    for (size_t x = 0; x < obs.size(); ++x) {
      for (size_t y = x + 1; y < obs.size(); ++y) {
        pairs.push_back(agreementOf(full.cases[i].spec, *obs[x], *obs[y]));
      }
    }
    noise[i] = meanOf(pairs);
    all_noise.push_back(noise[i]);
  }
  report.noise_floor = meanOf(all_noise);
  report.expectation_failures.clear();
  for (StabilityVariant& v : report.variants) {
    v.errors = 0;
    v.unstable.clear();
    std::vector<Agreement> per_case;
    for (size_t i = 0; i < v.run.cases.size() && i < full.cases.size(); ++i) {
      const CaseResult& c = v.run.cases[i];
      for (const CaseRun& r : c.runs) v.errors += r.error ? 1 : 0;
      const auto base = observations(full.cases[i]);
      const auto mine = observations(c);
      std::vector<Agreement> pairs;
      for (const Json* a : base) {
        for (const Json* b : mine) pairs.push_back(agreementOf(c.spec, *a, *b));
      }
      const Agreement got = meanOf(pairs);
      per_case.push_back(got);
      if (v.dropped.empty()) continue;
      for (const auto& [measure, mine_v, floor_v] :
           {std::tuple{"tool_calls", got.tool_calls, noise[i].tool_calls},
            std::tuple{"structured", got.structured, noise[i].structured},
            std::tuple{"cited", got.cited, noise[i].cited}}) {
        if (mine_v + kEpsilon < floor_v) v.unstable.emplace_back(c.spec.id, measure);
      }
    }
    v.agreement = meanOf(per_case);
    v.removable = !v.dropped.empty() && v.errors == 0 && v.unstable.empty();
  }
  // The author's expectations, against the single-section ablations.
  for (const TemplateSection& s : report.tpl.sections) {
    if (s.expect == SectionExpect::kNone) continue;
    for (const StabilityVariant& v : report.variants) {
      if (v.dropped != std::vector<std::string>{s.id}) continue;
      const bool want = s.expect == SectionExpect::kRemovable;
      if (v.errors == 0 && v.removable != want) {
        std::string why;
        for (const auto& [id, measure] : v.unstable) {
          why += (why.empty() ? "" : ", ") + id + " (" + measure + ")";
        }
        report.expectation_failures.push_back("section '" + s.id + "' is expected " +
                                              (want ? "removable" : "needed") + " but is " +
                                              (want ? "needed: unstable " + why : "removable"));
      }
    }
  }
}

Result<StabilityReport> runStability(const EvalSuite& suite, const SectionedTemplate& tpl,
                                     RunOptions options) {
  StabilityReport report;
  report.tpl = tpl;
  report.suite_name = suite.name;
  report.suite_path = suite.path;
  report.model = options.model;
  report.repeat = options.repeat;
  report.started_at = formatRfc3339(SystemClock::instance().nowMicros());
  const int64_t start = SystemClock::instance().monotonicNanos();
  EvalSuite reached = suite;
  reached.cases.clear();
  for (const EvalCase& c : suite.cases) {
    if (reachesTemplate(c, suite.via)) {
      reached.cases.push_back(c);
    } else {
      report.skipped.push_back(c.id);
    }
  }
  if (reached.cases.empty()) {
    return Status::invalidArgument(
        "no case of the suite goes through the answer loop (answer, refusal, injection, tool or "
        "stability): the template shapes none of them");
  }
  const int64_t full_tokens = templateTokens(tpl, {});
  auto runVariant = [&](std::vector<std::string> dropped) -> Result<StabilityVariant> {
    const std::set<std::string> drop(dropped.begin(), dropped.end());
    StabilityVariant v;
    v.id = "full";
    if (!dropped.empty()) {
      v.id.clear();
      for (const auto& d : dropped) v.id += "-" + d;
    }
    v.dropped = std::move(dropped);
    options.template_override = tpl.variant(drop);
    v.template_sha256 = options.template_override->sha256;
    v.tokens = templateTokens(tpl, drop);
    v.tokens_saved = full_tokens - v.tokens;
    WARD_ASSIGN_OR_RETURN(v.run, runSuite(reached, options));
    return v;
  };
  WARD_ASSIGN_OR_RETURN(StabilityVariant full, runVariant({}));
  const bool drafted = std::any_of(full.run.cases.begin(), full.run.cases.end(), [](const auto& c) {
    return std::any_of(c.runs.begin(), c.runs.end(),
                       [](const CaseRun& r) { return r.mode == "model"; });
  });
  if (!drafted) {
    return Status::failedPrecondition(
        "no answer of the full template was drafted by a model (extractive answers use no "
        "template): name a model with --model or target.model, and cases whose principal reads "
        "a passage");
  }
  report.variants.push_back(std::move(full));
  for (const TemplateSection& s : tpl.sections) {
    WARD_ASSIGN_OR_RETURN(StabilityVariant v, runVariant({s.id}));
    report.variants.push_back(std::move(v));
  }
  compareVariants(report);
  std::vector<std::string> removable;
  for (const StabilityVariant& v : report.variants) {
    if (v.removable && v.dropped.size() == 1) removable.push_back(v.dropped[0]);
  }
  if (removable.size() >= 2) {
    WARD_ASSIGN_OR_RETURN(StabilityVariant v, runVariant(removable));
    report.variants.push_back(std::move(v));
    compareVariants(report);
  }
  report.took_ms = static_cast<double>(SystemClock::instance().monotonicNanos() - start) / 1e6;
  return report;
}

int stabilityExitCode(const StabilityReport& r) {
  for (const StabilityVariant& v : r.variants) {
    if (v.errors > 0) return 2;
  }
  return r.expectation_failures.empty() ? 0 : 1;
}

namespace {

Json agreementJson(const Agreement& a) {
  return {{"tool_calls", a.tool_calls}, {"structured", a.structured}, {"cited_jaccard", a.cited}};
}

}  // namespace

Json stabilityJson(const StabilityReport& r) {
  Json sections = Json::array();
  for (const TemplateSection& s : r.tpl.sections) {
    sections.push_back({{"id", s.id},
                        {"tokens", estimateTokens(renderedForEstimate(s.text))},
                        {"expect", s.expect == SectionExpect::kNone        ? Json()
                                   : s.expect == SectionExpect::kRemovable ? Json("removable")
                                                                           : Json("needed")}});
  }
  const int64_t full_tokens = r.variants.empty() ? 0 : r.variants[0].tokens;
  Json variants = Json::array();
  for (const StabilityVariant& v : r.variants) {
    Json unstable = Json::array();
    for (const auto& [id, measure] : v.unstable) {
      unstable.push_back({{"id", id}, {"measure", measure}});
    }
    Json cases = Json::array();
    for (const CaseResult& c : v.run.cases) {
      Json ids = Json::array();
      for (const CaseRun& run : c.runs) ids.push_back(run.trace_id);
      cases.push_back({{"id", c.spec.id}, {"trace_ids", ids}});
    }
    variants.push_back({{"id", v.id},
                        {"dropped", v.dropped},
                        {"template_sha256", v.template_sha256},
                        {"tokens", v.tokens},
                        {"tokens_saved", v.tokens_saved},
                        {"tokens_saved_fraction",
                         full_tokens > 0 ? static_cast<double>(v.tokens_saved) / full_tokens : 0.0},
                        {"agreement", agreementJson(v.agreement)},
                        {"verdict", verdictOf(v)},
                        {"unstable_cases", unstable},
                        {"errors", v.errors},
                        {"pass_rate", summarize(v.run).all.passRate()},
                        {"cases", cases}});
  }
  return {{"schema", kStabilitySchema},
          {"schema_version", kStabilitySchemaVersion},
          {"suite", r.suite_name},
          {"suite_path", r.suite_path},
          {"model", r.model},
          {"repeat", r.repeat},
          {"started_at", r.started_at},
          {"took_ms", r.took_ms},
          {"exit_code", stabilityExitCode(r)},
          {"template",
           {{"base", r.tpl.base},
            {"source", r.tpl.source},
            {"sha256", r.variants.empty() ? "" : r.variants[0].template_sha256},
            {"tokens", full_tokens},
            {"sections", sections}}},
          {"noise_floor", agreementJson(r.noise_floor)},
          {"skipped_cases", r.skipped},
          {"expectation_failures", r.expectation_failures},
          {"variants", variants}};
}

std::string stabilityMarkdown(const StabilityReport& r) {
  const int code = stabilityExitCode(r);
  const size_t cases = r.variants.empty() ? 0 : r.variants[0].run.cases.size();
  std::string md = "## Ward stability: " + markdownCell(r.suite_name) + ", template `" +
                   r.tpl.base + "` (" + markdownCell(r.tpl.source) + ")\n\n";
  md += std::string(code == 0 ? "**PASS**" : (code == 1 ? "**FAIL**" : "**ERROR**")) + ": model `" +
        markdownCell(r.model) + "`, " + std::to_string(r.repeat) + " run(s) per variant, " +
        std::to_string(cases) + " case(s) (" + std::to_string(r.skipped.size()) +
        " skipped: the template does not reach them).\n\n";
  md += "Noise floor (the full template's runs with each other): tool calls " +
        fmt(r.noise_floor.tool_calls) + ", structured output " + fmt(r.noise_floor.structured) +
        ", cited-chunk Jaccard " + fmt(r.noise_floor.cited) + ".\n\n";
  md +=
      "| variant | tokens | saved | tool calls | structured | cited Jaccard | verdict |\n"
      "|---|---|---|---|---|---|---|\n";
  const int64_t full_tokens = r.variants.empty() ? 0 : r.variants[0].tokens;
  for (const StabilityVariant& v : r.variants) {
    char saved[64];
    std::snprintf(saved, sizeof saved, "%lld (%.1f%%)", static_cast<long long>(v.tokens_saved),
                  full_tokens > 0 ? 100.0 * v.tokens_saved / full_tokens : 0.0);
    std::string verdict = verdictOf(v);
    if (!v.unstable.empty()) {
      verdict += ":";
      for (const auto& [id, measure] : v.unstable) verdict += " " + id + " (" + measure + ")";
    }
    md += "| " + markdownCell(v.id) + " | " + std::to_string(v.tokens) + " | " +
          (v.dropped.empty() ? std::string("—") : std::string(saved)) + " | " +
          fmt(v.agreement.tool_calls) + " | " + fmt(v.agreement.structured) + " | " +
          fmt(v.agreement.cited) + " | " + markdownCell(verdict) + " |\n";
  }
  for (const auto& f : r.expectation_failures) md += "\n- expectation failed: " + markdownCell(f);
  if (!r.expectation_failures.empty()) md += "\n";
  return md;
}

}  // namespace ward::eval
