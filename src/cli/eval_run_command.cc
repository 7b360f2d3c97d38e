// ward eval run SUITE [--junit F] [--json F] [--html F] [--md F] [--repeat K] [--model M]
//                     [--baseline F] [--replay [F]] [--judge MODEL]
// ward eval run SUITE --model A --model B ...   (a comparison: the suite once per model)
// ward eval run SUITE --gate-compare             (the suite with the untrusted gate on, then off)
// ward eval diff BASELINE.json CURRENT.json [--json]
// Exit codes (docs/formats/eval-suite.md): 0 pass, 1 threshold or regression, 2 run error.
#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <iostream>

#include "commands.h"
#include "eval_wiring.h"
#include "ward/eval/eval_compare.h"
#include "ward/eval/eval_diff.h"
#include "ward/eval/eval_gate_compare.h"
#include "ward/eval/eval_judge.h"
#include "ward/eval/eval_report.h"
#include "ward/eval/eval_runner.h"
#include "ward/eval/eval_suite.h"
#include "ward/gateway/tool_gateway.h"
#include "ward/store/tool_store.h"

namespace ward::cli {

namespace {

constexpr size_t kMaxReportReadBytes = 256 << 20;  // a report read by `diff` / --baseline

Result<Json> readReport(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::notFound("cannot open " + path);
  std::string text;
  char buf[65536];
  while (in.read(buf, sizeof buf) || in.gcount() > 0) {
    text.append(buf, static_cast<size_t>(in.gcount()));
    if (text.size() > kMaxReportReadBytes) {
      return Status::invalidArgument(path + " is larger than " +
                                     std::to_string(kMaxReportReadBytes) + " bytes");
    }
  }
  auto j = parseJson(text);
  if (!j.ok()) return Status::invalidArgument(path + ": not JSON: " + j.status().message());
  return j;
}

void printDiff(const eval::DiffResult& d) {
  for (const auto& r : d.regressions) std::cout << "REGRESSION " << r << "\n";
  for (const auto& r : d.improvements) std::cout << "improved   " << r << "\n";
  for (const auto& r : d.notes) std::cout << "note       " << r << "\n";
  std::cout << (d.failed() ? "regressions: " + std::to_string(d.regressions.size())
                           : std::string("no regression"))
            << "\n";
}

struct RunFlags {
  std::string suite, junit, json, html, md, baseline, replay;
  std::string judge;                // --judge: the opt-in LLM judge's [[models]] name
  std::vector<std::string> models;  // --model, once or (a comparison) several times
  int repeat = 0;
  bool quiet = false;
  bool gate_compare = false;  // --gate-compare: the suite with the untrusted gate on, then off
  bool replay_given = false;  // --replay, with or without a file
};

int reportRun(const RunFlags& f, const eval::EvalRun& run);
int reportComparison(const RunFlags& f, const std::vector<eval::EvalRun>& runs);
int reportGateComparison(const RunFlags& f, const eval::EvalRun& on, const eval::EvalRun& off);

// Where a live run keeps its JSON log for a later `--replay` without a file:
// DATA/eval/last/<suite name>.json (characters other than A-Z a-z 0-9 . _ - become _).
std::string lastRunPath(const CliContext& ctx, const std::string& suite_name) {
  std::string name;
  for (char c : suite_name) {
    const bool keep = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                      c == '.' || c == '_' || c == '-';
    name += keep ? c : '_';
  }
  if (name.empty() || name[0] == '.') name = "_" + name;
  return ctx.data_dir + "/eval/last/" + name + ".json";
}

// --replay: the suite re-scored from a recorded report; no service is opened, no model called.
Result<eval::EvalRun> replayRun(CliContext& ctx, const RunFlags& f, const eval::EvalSuite& suite) {
  std::string path = f.replay;
  if (path.empty()) {
    WARD_RETURN_IF_ERROR(ctx.loadConfig());
    path = lastRunPath(ctx, suite.name);
  }
  WARD_ASSIGN_OR_RETURN(Json recorded, readReport(path));
  return eval::replaySuite(suite, recorded, path);
}

Status keepLastRun(const CliContext& ctx, const std::string& suite_name, const Json& report) {
  const std::string path = lastRunPath(ctx, suite_name);
  std::error_code ec;
  std::filesystem::create_directories(std::filesystem::path(path).parent_path(), ec);
  if (ec) return Status::unavailable("cannot create " + path + ": " + ec.message());
  return writeFile(path, dumpJson(report, 2) + "\n");
}

// One side of --gate-compare: a gateway over the data dir's stores with
// gateway.untrusted_gate forced to "on" or "off" (its own tool store connection; the options are
// CliContext::gateway()'s), and an answer loop routing the model's tool calls through it.
struct GateSide {
  std::unique_ptr<store::ToolStore> tools;
  std::unique_ptr<gateway::ToolGateway> gateway;
  std::unique_ptr<answer::AnswerService> answers;
};

Result<GateSide> openGateSide(CliContext& ctx, const std::string& gate, bool with_models) {
  WARD_RETURN_IF_ERROR(ctx.gateway().status());  // the upstream pool, built-in tools provisioned
  GateSide side;
  WARD_ASSIGN_OR_RETURN(side.tools, openConfiguredToolStore(ctx));
  gateway::GatewayOptions g;
  g.store = &ctx.store();
  g.tools = side.tools.get();
  g.traces = &ctx.traces();
  g.redactor = &ctx.redactor();
  g.search = &ctx.search();
  g.config = ctx.config().gateway;
  g.approve_risk = ctx.config().gateway.approve_risk;
  WARD_ASSIGN_OR_RETURN(g.untrusted, gateway::loadUntrustedGateConfig(ctx.configPath()));
  g.untrusted.untrusted_gate = gate;
  g.secrets_key_path = ctx.secretsKeyPath();
  g.upstreams = ctx.upstreams();
  g.config_tenant = ctx.tenant();
  WARD_ASSIGN_OR_RETURN(side.gateway, gateway::ToolGateway::create(g));
  answer::AnswerServiceOptions a;
  a.store = &ctx.store();
  a.search = &ctx.search();
  a.traces = &ctx.traces();
  WARD_ASSIGN_OR_RETURN(a.config, answer::loadAnswerConfig(ctx.configPath()));
  if (with_models) {
    WARD_ASSIGN_OR_RETURN(a.models, ctx.models());
    a.gateway = side.gateway.get();
  }
  side.answers = std::make_unique<answer::AnswerService>(std::move(a));
  return side;
}

int runSuiteCommand(CliContext& ctx, const RunFlags& f) {
  auto suite = eval::loadSuite(f.suite);
  if (!suite.ok()) return runError(suite.status());
  if (f.replay_given) {
    if (f.repeat > 0 || !f.models.empty() || !f.judge.empty() || f.gate_compare) {
      return runError(Status::invalidArgument(
          "--replay re-scores the recorded runs: --repeat, --model, --judge and --gate-compare "
          "do not apply"));
    }
    auto run = replayRun(ctx, f, *suite);
    if (!run.ok()) return runError(run.status());
    return reportRun(f, *run);
  }
  Status s = ctx.open();
  if (!s.ok()) return runError(s);
  auto config = answer::loadAnswerConfig(ctx.configPath());
  if (!config.ok()) return runError(config.status());
  if (f.models.size() > eval::kMaxComparedModels) {
    return runError(Status::invalidArgument("--model: at most " +
                                            std::to_string(eval::kMaxComparedModels) +
                                            " models in one comparison"));
  }
  if (f.gate_compare && (f.models.size() > 1 || !f.baseline.empty())) {
    return runError(Status::invalidArgument(
        "--gate-compare runs one model twice: not with several --model or --baseline"));
  }
  if (f.models.size() > 1 && !f.baseline.empty()) {
    return runError(Status::invalidArgument(
        "--baseline compares one model's run: give one --model (a comparison has several)"));
  }
  for (size_t i = 0; i < f.models.size(); ++i) {
    if (f.models[i].empty() || std::count(f.models.begin(), f.models.end(), f.models[i]) > 1) {
      return runError(Status::invalidArgument("--model: each model must be named, once"));
    }
  }
  auto wiring = openEvalWiring(ctx, *suite, f.models.empty() ? suite->model : f.models[0],
                               f.repeat > 0 ? f.repeat : suite->repeat, f.quiet);
  if (!wiring.ok()) return runError(wiring.status());
  eval::RunOptions& o = (*wiring)->options;
  std::optional<eval::LlmJudge> judge;
  if (!f.judge.empty()) {
    auto models = ctx.models();
    if (!models.ok()) return runError(models.status());
    judge.emplace(**models, f.judge);
    o.judge = &*judge;
  }
  if (f.gate_compare) {
    // Two gateways over the same stores, the gate forced on and off; each answer loop routes its
    // model's tool calls through its own, and the runner's environment calls too.
    std::vector<eval::EvalRun> runs;
    for (const char* gate : {"on", "off"}) {
      auto side = openGateSide(ctx, gate, !o.model.empty() || !config->model.empty());
      if (!side.ok()) return runError(side.status());
      o.answers = side->answers.get();
      if (o.gateway != nullptr) o.gateway = side->gateway.get();
      auto run = eval::runSuite(*suite, o);
      if (!run.ok()) return runError(run.status());
      runs.push_back(std::move(*run));
    }
    return reportGateComparison(f, runs[0], runs[1]);
  }
  if (f.models.size() > 1) {
    std::vector<eval::EvalRun> runs;
    for (const std::string& model : f.models) {
      o.model = model;
      auto run = eval::runSuite(*suite, o);
      if (!run.ok()) return runError(run.status());
      runs.push_back(std::move(*run));
    }
    return reportComparison(f, runs);
  }
  auto run = eval::runSuite(*suite, o);
  if (!run.ok()) return runError(run.status());
  Status kept = keepLastRun(ctx, suite->name, eval::reportJson(*run, eval::summarize(*run)));
  if (!kept.ok()) return runError(kept);
  return reportRun(f, *run);
}

// Summary, baseline comparison, report files and the exit code of a run (live or replayed).
int reportRun(const RunFlags& f, const eval::EvalRun& run_ref) {
  const eval::EvalRun* run = &run_ref;
  eval::Summary summary = eval::summarize(*run);
  Json report = eval::reportJson(*run, summary);
  int code = eval::exitCode(*run, summary);
  std::optional<eval::DiffResult> diff;
  if (!f.baseline.empty()) {
    auto base = readReport(f.baseline);
    if (!base.ok()) return runError(base.status());
    auto d = eval::diffReports(*base, report);
    if (!d.ok()) return runError(d.status());
    diff = std::move(*d);
    report["baseline"] = diff->toJson();
    report["baseline"]["path"] = f.baseline;
    if (diff->failed() && code == 0) code = 1;
    report["exit_code"] = code;
  }
  for (const auto& [path, text] :
       {std::pair<std::string, std::string>{f.json,
                                            f.json.empty() ? "" : dumpJson(report, 2) + "\n"},
        {f.junit, f.junit.empty() ? "" : eval::junitXml(*run, summary)},
        {f.html, f.html.empty() ? "" : eval::htmlReport(*run, summary)},
        {f.md, f.md.empty() ? "" : eval::markdownSummary(*run, summary)}}) {
    if (path.empty()) continue;
    Status w = writeFile(path, text);
    if (!w.ok()) return runError(w);
  }
  std::cout << eval::markdownSummary(*run, summary);
  if (diff) {
    std::cout << "\n### Against the baseline " << f.baseline << "\n\n";
    printDiff(*diff);
  }
  return code;
}

// --model A --model B: the first model's report, with the comparison added to the JSON, HTML and
// Markdown, JUnit with one testsuite per model; the exit code is the worst of the models'.
int reportComparison(const RunFlags& f, const std::vector<eval::EvalRun>& runs) {
  std::vector<eval::Summary> summaries;
  for (const auto& r : runs) summaries.push_back(eval::summarize(r));
  std::vector<eval::ModelRun> models;
  int code = 0;
  for (size_t i = 0; i < runs.size(); ++i) {
    models.push_back({&runs[i], &summaries[i]});
    code = std::max(code, eval::exitCode(runs[i], summaries[i]));
  }
  Json report = eval::reportJson(runs[0], summaries[0]);
  report["comparison"] = eval::comparisonJson(models);
  report["exit_code"] = code;
  const std::string md =
      eval::markdownSummary(runs[0], summaries[0]) + eval::comparisonMarkdown(models);
  for (const auto& [path, text] :
       {std::pair<std::string, std::string>{f.json,
                                            f.json.empty() ? "" : dumpJson(report, 2) + "\n"},
        {f.junit, f.junit.empty() ? "" : eval::junitXmlModels(models)},
        {f.html, f.html.empty()
                     ? ""
                     : eval::htmlReport(runs[0], summaries[0], eval::comparisonHtml(models))},
        {f.md, f.md.empty() ? "" : md}}) {
    if (path.empty()) continue;
    Status w = writeFile(path, text);
    if (!w.ok()) return runError(w);
  }
  std::cout << md;
  return code;
}

// --gate-compare: the gate-on run's report (its exit code: the gate-off run measures, it does not
// gate), with the gate on/off comparison added to the JSON, HTML and Markdown.
int reportGateComparison(const RunFlags& f, const eval::EvalRun& on, const eval::EvalRun& off) {
  const eval::Summary s_on = eval::summarize(on);
  const eval::Summary s_off = eval::summarize(off);
  const eval::ModelRun m_on{&on, &s_on};
  const eval::ModelRun m_off{&off, &s_off};
  Json report = eval::reportJson(on, s_on);
  report["gate_comparison"] = eval::gateComparisonJson(m_on, m_off);
  const std::string md =
      eval::markdownSummary(on, s_on) + eval::gateComparisonMarkdown(m_on, m_off);
  for (const auto& [path, text] :
       {std::pair<std::string, std::string>{f.json,
                                            f.json.empty() ? "" : dumpJson(report, 2) + "\n"},
        {f.junit, f.junit.empty() ? "" : eval::junitXml(on, s_on)},
        {f.html,
         f.html.empty() ? "" : eval::htmlReport(on, s_on, eval::gateComparisonHtml(m_on, m_off))},
        {f.md, f.md.empty() ? "" : md}}) {
    if (path.empty()) continue;
    Status w = writeFile(path, text);
    if (!w.ok()) return runError(w);
  }
  std::cout << md;
  return eval::exitCode(on, s_on);
}

}  // namespace

void registerEvalSuiteCommands(CLI::App* eval, CliContext& ctx, CommandSlot& slot) {
  auto* run =
      eval->add_subcommand("run",
                           "Run an eval suite (TOML + JSONL cases) as its principals; exit 0 pass, "
                           "1 threshold or regression, 2 run error");
  static RunFlags f;
  run->add_option("SUITE", f.suite, "The suite file (docs/formats/eval-suite.md)")->required();
  run->add_option("--junit", f.junit, "Write JUnit XML here (one testcase per case)");
  run->add_option("--json", f.json, "Write the versioned JSON report here");
  run->add_option("--html", f.html, "Write a self-contained HTML report here");
  run->add_option("--md", f.md, "Write the Markdown summary here");
  run->add_option("--repeat", f.repeat,
                  "Run each case K times (1.." + std::to_string(eval::kMaxRepeat) +
                      "): pass^k, flakiness and the noise floor");
  run->add_option("--model", f.models,
                  "A [[models]] name (default: the suite's target.model, else as `ward ask`); "
                  "given several times, the suite runs per model and the reports compare them")
      ->expected(1)
      ->multi_option_policy(CLI::MultiOptionPolicy::TakeAll);
  run->add_option("--baseline", f.baseline,
                  "A JSON report to compare with: a regression beyond the noise exits 1");
  run->add_option("--judge", f.judge,
                  "Opt-in LLM judge: this [[models]] model grades every answer case's run with a "
                  "rubric, as the case's principal (never the default)");
  run->add_flag("--gate-compare", f.gate_compare,
                "Run the suite with the untrusted-content gate on, then off (test tools only: "
                "the off run executes what the gate would park); the reports chart both");
  run->add_flag("--quiet", f.quiet, "No progress lines on stderr");
  run->add_option("--replay", f.replay,
                  "Re-score from the observations recorded in a JSON report (default: the "
                  "suite's last live run in DATA/eval/last/), calling no model or service")
      ->expected(0, 1);
  run->callback([&ctx, &slot, run] {
    const bool repeat_given = run->count("--repeat") > 0;
    f.replay_given = run->count("--replay") > 0;
    slot.run = [&ctx, repeat_given] {
      if (repeat_given && (f.repeat < 1 || f.repeat > eval::kMaxRepeat)) {
        return runError(Status::invalidArgument("--repeat must be between 1 and " +
                                                std::to_string(eval::kMaxRepeat)));
      }
      return runSuiteCommand(ctx, f);
    };
  });

  auto* diff =
      eval->add_subcommand("diff",
                           "Compare two JSON reports: exit 1 on a regression beyond the noise, any "
                           "permission leak or a rise in attack success");
  static std::string baseline, current;
  static bool json = false;
  diff->add_option("BASELINE", baseline, "The baseline report (JSON)")->required();
  diff->add_option("CURRENT", current, "The current report (JSON)")->required();
  diff->add_flag("--json", json, "Print the comparison as JSON");
  diff->callback([&slot] {
    slot.run = [] {
      auto b = readReport(baseline);
      if (!b.ok()) return runError(b.status());
      auto c = readReport(current);
      if (!c.ok()) return runError(c.status());
      auto d = eval::diffReports(*b, *c);
      if (!d.ok()) return runError(d.status());
      if (json) {
        std::cout << dumpJson(d->toJson(), 2) << "\n";
      } else {
        printDiff(*d);
      }
      return d->failed() ? 1 : 0;
    };
  });
}

}  // namespace ward::cli
