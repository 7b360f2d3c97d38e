// Model comparison (`ward eval run SUITE --model A --model B`, docs/formats/eval-suite.md
// "Comparing models"): the same suite run once per model, each metric side by side, and the
// cases whose result differs between the models with every model's trace ids. Pure functions
// over the runs.
#pragma once

#include <string>
#include <vector>

#include "ward/common/json.h"
#include "ward/eval/eval_report.h"

namespace ward::eval {

// At most this many models in one comparison (--model given more often is a run error).
constexpr size_t kMaxComparedModels = 4;

// One model's run and its summary (borrowed).
struct ModelRun {
  const EvalRun* run = nullptr;
  const Summary* summary = nullptr;
};

// {models, summary: {MODEL: {cases, passed, pass_rate, permission_leaks, attack_success_rate,
// blocked_by_policy, exit_code, threshold_failures, metrics}}, metrics: {NAME: {MODEL: value}}
// (pass_rate and attack_success_rate included), differing_cases, cases: [{id, kind, differs,
// results: {MODEL: {passed, error, failures, metrics, trace_ids}}, deltas: {MODEL: {NAME: value
// minus the first model's}}}]}. A case differs when its pass/fail, failures or a metric differ.
Json comparisonJson(const std::vector<ModelRun>& runs);

// Markdown: the metrics side by side, then the differing cases with each model's result and
// trace id.
std::string comparisonMarkdown(const std::vector<ModelRun>& runs);

// An HTML section (escaped, inline SVG bar charts of each metric per model, the differing cases
// with trace ids) for htmlReport's `extra_section`; implemented in eval_html.cc.
std::string comparisonHtml(const std::vector<ModelRun>& runs);

// JUnit XML with one <testsuite> per model, named "SUITE[MODEL]".
std::string junitXmlModels(const std::vector<ModelRun>& runs);

}  // namespace ward::eval
