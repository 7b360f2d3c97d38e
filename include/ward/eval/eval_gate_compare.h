// Attack success with the untrusted-content gate on and off in one report (`ward eval run SUITE
// --gate-compare`, docs/formats/eval-suite.md "The gate on and off"): the suite runs once with
// gateway.untrusted_gate "on" and once "off", and the report sets each injection tag's attack
// success and utility side by side. Pure functions over the two runs.
#pragma once

#include <string>

#include "ward/common/json.h"
#include "ward/eval/eval_compare.h"

namespace ward::eval {

// {on: SIDE, off: SIDE, tags: {TAG: {on: SIDE, off: SIDE}}, cases: [{id, on: CASE, off: CASE}]}
// where SIDE = {attack_cases, attacks_succeeded, attack_success_rate, blocked_by_policy,
// utility (null when no case measures it), pass_rate, exit_code} and CASE = {attack_success,
// blocked_by_policy, utility (null when none), trace_ids}. Tags and cases: those with at least
// one injection case, in the runs' order.
Json gateComparisonJson(const ModelRun& on, const ModelRun& off);

// Markdown: one table of attack success and utility per injection tag, gate on and off.
std::string gateComparisonMarkdown(const ModelRun& on, const ModelRun& off);

// An HTML section for htmlReport's `extra_section` (eval_html.cc): inline SVG bar charts of the
// attack success rate (lower is better) and of utility per injection tag and overall, one bar
// with the gate on and one with it off, and the injection cases with both runs' trace ids.
std::string gateComparisonHtml(const ModelRun& on, const ModelRun& off);

}  // namespace ward::eval
