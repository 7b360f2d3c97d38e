// `ward eval stability --template T` (docs/formats/eval-suite.md "Prompt stability"): "can you
// delete half your prompt tokens and keep outputs stable?" The suite's cases that go through
// the answer loop run K times with the full template (its noise floor: how much the runs differ
// from each other), then K times with each section left out, and each ablation is compared with
// the full template's runs on tool calls, structured-output validity and cited chunks. A section
// whose removal stays within the noise floor on every case is "removable".
//
// runStability borrows the services in RunOptions (as runSuite); everything else is pure.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "ward/common/json.h"
#include "ward/eval/eval_runner.h"
#include "ward/eval/eval_template.h"

namespace ward::eval {

constexpr int kDefaultStabilityRepeat = 3;  // runs per variant when --repeat is not given
constexpr int kStabilitySchemaVersion = 1;
constexpr const char* kStabilitySchema = "ward.eval.stability";

// How alike runs are, each measure in 0..1 (1 = the same), averaged over pairs of runs.
struct Agreement {
  double tool_calls = 1;  // the sets of tool calls (name + arguments) are equal
  double structured = 1;  // both replies are, or both are not, the structured output asked for
  double cited = 1;       // Jaccard of the sets of cited chunks (two empty sets: 1)
};

// One template variant: the full template, or one with sections left out.
struct StabilityVariant {
  std::string id;                    // "full", "-SECTION", or "-A-B..." (every removable one)
  std::vector<std::string> dropped;  // section ids left out
  std::string template_sha256;       // of the variant's text (as its answers record it)
  int64_t tokens = 0;                // estimated tokens of the rendered template
  int64_t tokens_saved = 0;          // against the full template
  EvalRun run;
  Agreement agreement;  // with the full template's runs, mean over the cases
  // Cases whose agreement fell below their own noise floor: {case id, measure}.
  std::vector<std::pair<std::string, std::string>> unstable;
  int errors = 0;          // runs that could not run
  bool removable = false;  // not the full template, no error, every case within its noise floor
};

struct StabilityReport {
  SectionedTemplate tpl;
  std::string suite_name;
  std::string suite_path;
  std::string model;
  int repeat = kDefaultStabilityRepeat;
  std::string started_at;
  double took_ms = 0;
  std::vector<std::string> skipped;  // ids of the cases the template does not reach
  Agreement noise_floor;             // the full template's runs with each other (mean over cases)
  std::vector<StabilityVariant> variants;  // [0] is the full template
  // A section whose verdict contradicts its `expect` (one line each).
  std::vector<std::string> expectation_failures;
};

// Whether the template shapes a case's answer: answer, refusal, injection and stability cases,
// and tool cases unless they run through the proxy.
bool reachesTemplate(const EvalCase& c, TargetVia via);

// How alike two observations of case `c` are (one pair of runs).
Agreement agreementOf(const EvalCase& c, const Json& a, const Json& b);

// Fills the noise floor, each variant's agreement, unstable cases, errors and verdict from the
// runs (variants[0] must be the full template), and the expectation failures.
void compareVariants(StabilityReport& report);

// Runs the cases that reach the template with the full template and with each single section
// left out (options.repeat runs of each), then, when two or more sections are removable, with
// all of those left out together. InvalidArgument when no case reaches the template or a
// runSuite precondition fails; FailedPrecondition when no run of the full template was drafted
// by a model (the template is never used: name a model).
Result<StabilityReport> runStability(const EvalSuite& suite, const SectionedTemplate& tpl,
                                     RunOptions options);

// {schema, schema_version, suite, suite_path, model, repeat, started_at, took_ms, exit_code,
//  template: {base, source, sha256, tokens, sections: [{id, tokens, expect}]}, noise_floor,
//  skipped_cases, expectation_failures, variants: [{id, dropped, template_sha256, tokens,
//  tokens_saved, tokens_saved_fraction, agreement, verdict, unstable_cases, errors, pass_rate,
//  cases: [{id, trace_ids}]}]}; an agreement is {tool_calls, structured, cited_jaccard}.
Json stabilityJson(const StabilityReport& r);
std::string stabilityMarkdown(const StabilityReport& r);
// A self-contained page (inline SVG, no script): eval_html.cc.
std::string stabilityHtml(const StabilityReport& r);
// 2 when a run could not run, 1 when a verdict contradicts a section's `expect`, else 0.
int stabilityExitCode(const StabilityReport& r);

}  // namespace ward::eval
