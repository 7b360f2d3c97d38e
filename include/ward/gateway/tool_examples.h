// A tool definition's examples: its contract tests (docs/formats/tool-definition.md "examples",
// docs/design/gateway.md "Contracts: examples and breaking changes"). Each example names the
// arguments of a call and what must come of it; `ward tools test` runs them through the whole
// stage chain against the real backend, or against the example's recorded backend response.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "ward/common/json.h"
#include "ward/common/status.h"
#include "ward/gateway/call_decision.h"
#include "ward/gateway/json_schema.h"

namespace ward::gateway {

// At most this many examples per tool version.
inline constexpr size_t kMaxToolExamples = 32;
// Largest example (its JSON text), so definitions stay small rows.
inline constexpr size_t kMaxToolExampleBytes = 64 * 1024;

struct ToolExample {
  std::string name;                                 // unique in the definition, 1-64 characters
  Json arguments = Json::object();                  // the call's arguments
  CallDecision decision = CallDecision::kExecuted;  // the expected decision
  std::optional<Json> result;                       // the result must equal this
  std::optional<Json> subset;    // the result must contain this (jsonContainsSubset)
  Json schema;                   // the result must validate against this (null = none)
  std::optional<Json> recorded;  // a recorded backend response for `--recorded` runs
};

// The definition's "examples" field (absent = none); InvalidArgument names the field
// ("examples[1].expect.subset: ...").
Result<std::vector<ToolExample>> parseToolExamples(const Json& definition);

// What registration checks: the arguments of an example expected to run validate against
// `input` (those expected to be "invalid" must not); expected and recorded results validate
// against `output` (null = any); each expected-result schema compiles.
Status checkToolExamples(const std::vector<ToolExample>& examples, const JsonSchema& input,
                         const JsonSchema* output);

// Whether `value` contains `subset`: objects hold every key of the subset with a containing
// value, arrays hold a containing element at each index of the subset's elements, anything
// else is equal.
bool jsonContainsSubset(const Json& value, const Json& subset);

// Judges one run of `example`: "" when it passed, else why not. `decision` is the call's
// recorded decision and `result` the tool's result (null unless executed).
std::string judgeToolExample(const ToolExample& example, CallDecision decision, const Json& result);

}  // namespace ward::gateway
