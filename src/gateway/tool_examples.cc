// A tool definition's examples (tool_examples.h): parsing, the registration checks, judging.
#include "ward/gateway/tool_examples.h"

#include <set>

namespace ward::gateway {

namespace {

// Decisions an example may expect (docs/design/gateway.md "Decisions recorded").
Status fieldError(const std::string& field, const std::string& what) {
  return Status::invalidArgument("tool definition field '" + field + "': " + what);
}

Result<ToolExample> parseOne(const Json& e, const std::string& at) {
  if (!e.is_object()) return fieldError(at, "must be an object");
  for (const auto& [k, v] : e.items()) {
    if (k != "name" && k != "arguments" && k != "expect" && k != "recorded") {
      return fieldError(at + "." + k, "unknown field");
    }
  }
  if (dumpJson(e).size() > kMaxToolExampleBytes) {
    return fieldError(at, "is over " + std::to_string(kMaxToolExampleBytes / 1024) + " KiB");
  }
  ToolExample ex;
  if (!e.contains("name") || !e["name"].is_string()) return fieldError(at + ".name", "is required");
  ex.name = e["name"].get<std::string>();
  if (ex.name.empty() || ex.name.size() > 64)
    return fieldError(at + ".name", "must be 1-64 characters");
  if (!e.contains("arguments") || !e["arguments"].is_object()) {
    return fieldError(at + ".arguments", "is required and must be an object");
  }
  ex.arguments = e["arguments"];
  if (e.contains("recorded")) ex.recorded = e["recorded"];
  if (!e.contains("expect")) return ex;
  const Json& x = e["expect"];
  if (!x.is_object()) return fieldError(at + ".expect", "must be an object");
  for (const auto& [k, v] : x.items()) {
    if (k == "decision") {
      auto decision = v.is_string() ? parseCallDecision(v.get<std::string>())
                                    : Result<CallDecision>(Status::invalidArgument(""));
      if (!decision.ok()) {
        return fieldError(at + ".expect.decision",
                          "must be a decision such as \"executed\" or \"invalid\"");
      }
      ex.decision = *decision;
    } else if (k == "result") {
      ex.result = v;
    } else if (k == "subset") {
      ex.subset = v;
    } else if (k == "schema") {
      if (!v.is_object() && !v.is_boolean())
        return fieldError(at + ".expect.schema", "must be a JSON Schema");
      ex.schema = v;
    } else {
      return fieldError(at + ".expect." + k, "unknown field");
    }
  }
  if (ex.decision != CallDecision::kExecuted && (ex.result || ex.subset || !ex.schema.is_null())) {
    return fieldError(at + ".expect",
                      "a result is only expected when the decision is \"executed\"");
  }
  return ex;
}

}  // namespace

Result<std::vector<ToolExample>> parseToolExamples(const Json& definition) {
  std::vector<ToolExample> out;
  if (!definition.is_object() || !definition.contains("examples")) return out;
  const Json& list = definition["examples"];
  if (!list.is_array()) return fieldError("examples", "must be an array");
  if (list.size() > kMaxToolExamples) {
    return fieldError("examples", "at most " + std::to_string(kMaxToolExamples) + " examples");
  }
  std::set<std::string> names;
  for (size_t i = 0; i < list.size(); ++i) {
    const std::string at = "examples[" + std::to_string(i) + "]";
    WARD_ASSIGN_OR_RETURN(ToolExample ex, parseOne(list[i], at));
    if (!names.insert(ex.name).second)
      return fieldError(at + ".name", "'" + ex.name + "' is used twice");
    out.push_back(std::move(ex));
  }
  return out;
}

Status checkToolExamples(const std::vector<ToolExample>& examples, const JsonSchema& input,
                         const JsonSchema* output) {
  for (size_t i = 0; i < examples.size(); ++i) {
    const ToolExample& ex = examples[i];
    const std::string at = "examples[" + std::to_string(i) + "]";
    const bool valid_args = input.accepts(ex.arguments);
    if (ex.decision == CallDecision::kInvalid && valid_args) {
      return fieldError(at + ".arguments",
                        "expected to be invalid, but the input_schema accepts them");
    }
    if (ex.decision != CallDecision::kInvalid) {
      Status s = input.validate(ex.arguments, "arguments");
      if (!s.ok()) return fieldError(at + ".arguments", s.message());
    }
    if (output != nullptr) {
      if (ex.result) {
        Status s = output->validate(*ex.result, "result");
        if (!s.ok()) return fieldError(at + ".expect.result", s.message());
      }
      if (ex.recorded && ex.decision == CallDecision::kExecuted) {
        Status s = output->validate(*ex.recorded, "recorded");
        if (!s.ok()) return fieldError(at + ".recorded", s.message());
      }
    }
    if (!ex.schema.is_null()) {
      auto compiled = JsonSchema::compile(ex.schema, at + ".expect.schema");
      if (!compiled.ok()) return fieldError(at + ".expect.schema", compiled.status().message());
    }
  }
  return Status();
}

bool jsonContainsSubset(const Json& value, const Json& subset) {
  if (subset.is_object()) {
    if (!value.is_object()) return false;
    for (const auto& [k, v] : subset.items()) {
      if (!value.contains(k) || !jsonContainsSubset(value[k], v)) return false;
    }
    return true;
  }
  if (subset.is_array()) {
    if (!value.is_array() || value.size() < subset.size()) return false;
    for (size_t i = 0; i < subset.size(); ++i) {
      if (!jsonContainsSubset(value[i], subset[i])) return false;
    }
    return true;
  }
  return value == subset;
}

std::string judgeToolExample(const ToolExample& example, CallDecision decision,
                             const Json& result) {
  if (decision != example.decision) {
    return "decision '" + std::string(toString(decision)) + "', expected '" +
           std::string(toString(example.decision)) + "'";
  }
  if (decision != CallDecision::kExecuted) return "";
  if (example.result && result != *example.result) {
    return "result " + dumpJson(result) + " is not the expected " + dumpJson(*example.result);
  }
  if (example.subset && !jsonContainsSubset(result, *example.subset)) {
    return "result " + dumpJson(result) + " does not contain " + dumpJson(*example.subset);
  }
  if (!example.schema.is_null()) {
    auto compiled = JsonSchema::compile(example.schema, "expect.schema");
    if (!compiled.ok()) return compiled.status().message();
    Status s = (*compiled)->validate(result, "result");
    if (!s.ok()) return s.message();
  }
  return "";
}

}  // namespace ward::gateway
