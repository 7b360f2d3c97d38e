// ward eval stability SUITE --template T [--repeat K] [--model M] [--json F] [--html F] [--md F]
// ward eval stability --template T --dump      (print the template as a file to edit)
// Prompt-template ablations (eval_stability.h, docs/formats/eval-suite.md "Prompt stability").
// Exit codes: 0 measured, 1 a verdict contradicts a section's `expect`, 2 run error.
#include <fstream>
#include <iostream>

#include "commands.h"
#include "eval_wiring.h"
#include "ward/answer/answer_config.h"
#include "ward/eval/eval_stability.h"
#include "ward/eval/eval_suite.h"

namespace ward::cli {

namespace {

struct StabilityFlags {
  std::string suite, tpl, model, json, html, md;
  int repeat = 0;
  bool repeat_given = false;
  bool dump = false;
  bool quiet = false;
};

int runStabilityCommand(CliContext& ctx, const StabilityFlags& f) {
  auto tpl = eval::loadTemplate(f.tpl);
  if (!tpl.ok()) return runError(tpl.status());
  if (f.dump) {
    std::cout << eval::templateFileText(*tpl);
    return 0;
  }
  if (f.suite.empty()) return runError(Status::invalidArgument("SUITE is required (or --dump)"));
  auto suite = eval::loadSuite(f.suite);
  if (!suite.ok()) return runError(suite.status());
  if (f.repeat_given && (f.repeat < 1 || f.repeat > eval::kMaxRepeat)) {
    return runError(Status::invalidArgument("--repeat must be between 1 and " +
                                            std::to_string(eval::kMaxRepeat)));
  }
  Status s = ctx.open();
  if (!s.ok()) return runError(s);
  auto config = answer::loadAnswerConfig(ctx.configPath());
  if (!config.ok()) return runError(config.status());
  const std::string model = f.model.empty() ? suite->model : f.model;
  if (model.empty() && config->model.empty()) {
    return runError(Status::invalidArgument(
        "the template shapes model-drafted answers only: name a model (--model, target.model or "
        "answer.model)"));
  }
  const int repeat = f.repeat_given      ? f.repeat
                     : suite->repeat > 1 ? suite->repeat
                                         : eval::kDefaultStabilityRepeat;
  auto wiring = openEvalWiring(ctx, *suite, model, repeat, f.quiet);
  if (!wiring.ok()) return runError(wiring.status());
  auto report = eval::runStability(*suite, *tpl, (*wiring)->options);
  if (!report.ok()) return runError(report.status());
  const std::string md = eval::stabilityMarkdown(*report);
  for (const auto& [path, text] :
       {std::pair<std::string, std::string>{
            f.json, f.json.empty() ? "" : dumpJson(eval::stabilityJson(*report), 2) + "\n"},
        {f.html, f.html.empty() ? "" : eval::stabilityHtml(*report)},
        {f.md, f.md.empty() ? "" : md}}) {
    if (path.empty()) continue;
    Status w = writeFile(path, text);
    if (!w.ok()) return runError(w);
  }
  std::cout << md;
  return eval::stabilityExitCode(*report);
}

}  // namespace

void registerEvalStabilityCommand(CLI::App* eval, CliContext& ctx, CommandSlot& slot) {
  auto* cmd = eval->add_subcommand(
      "stability",
      "Ablate a prompt template's sections and compare tool calls, structured output and cited "
      "chunks with the full template's noise floor; exit 0 measured, 1 an expectation failed, 2 "
      "run error");
  static StabilityFlags f;
  cmd->add_option("SUITE", f.suite, "The suite file (docs/formats/eval-suite.md)");
  cmd->add_option("--template", f.tpl,
                  "A built-in template (answer, answer_native; default = answer) or a template "
                  "file (docs/formats/prompt-template.md)")
      ->required();
  cmd->add_option("--repeat", f.repeat,
                  "Runs per variant, 1.." + std::to_string(eval::kMaxRepeat) + " (default " +
                      std::to_string(eval::kDefaultStabilityRepeat) + "): the noise floor");
  cmd->add_option("--model", f.model, "A [[models]] name (default: target.model, answer.model)");
  cmd->add_option("--json", f.json, "Write the versioned JSON report here");
  cmd->add_option("--html", f.html, "Write a self-contained HTML report here");
  cmd->add_option("--md", f.md, "Write the Markdown summary here");
  cmd->add_flag("--dump", f.dump, "Print the template as a sectioned file and exit");
  cmd->add_flag("--quiet", f.quiet, "No progress lines on stderr");
  cmd->callback([&ctx, &slot, cmd] {
    f.repeat_given = cmd->count("--repeat") > 0;
    slot.run = [&ctx] { return runStabilityCommand(ctx, f); };
  });
}

}  // namespace ward::cli
