// libFuzzer target for Ward's JSON Schema validator. The input is a schema and an instance, two
// JSON texts separated by a NUL byte (no NUL: the instance is null); the seed corpus
// (tests/fuzz/corpus/json_schema) is cut from the JSON-Schema-Test-Suite's schemas and data.
// Checks that nothing crashes, that a schema which compiles validates within the work budget
// (libFuzzer's -timeout catches a stall), and that accepts() and explain() agree. The first byte
// of the input picks the options (bit 0: format assertion; bit 1: draft-07 default).
// Build: cmake -DWARD_FUZZ=ON -DCMAKE_CXX_COMPILER=clang++ -DCMAKE_C_COMPILER=clang ...
// Run:   build-fuzz/tests/fuzz/json_schema_fuzz tests/fuzz/corpus/json_schema -max_total_time=60
#include <cstdint>
#include <cstdlib>
#include <string>

#include "ward/common/json.h"
#include "ward/gateway/json_schema.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  ward::gateway::SchemaOptions options;
  options.format_assertion = (data[0] & 1) != 0;
  options.default_dialect = (data[0] & 2) != 0 ? ward::gateway::SchemaDialect::kDraft7
                                               : ward::gateway::SchemaDialect::kDraft202012;
  std::string text(reinterpret_cast<const char*>(data) + 1, size - 1);
  size_t nul = text.find('\0');
  auto schema = ward::parseJson(text.substr(0, nul));
  if (!schema.ok()) return 0;
  ward::Json instance;
  if (nul != std::string::npos) {
    auto parsed = ward::parseJson(text.substr(nul + 1));
    if (!parsed.ok()) return 0;
    instance = std::move(*parsed);
  }
  auto compiled = ward::gateway::JsonSchema::compile(*schema, "schema", options);
  if (!compiled.ok()) {
    if (compiled.status().message().empty()) std::abort();
    return 0;
  }
  const bool accepted = (*compiled)->accepts(instance);
  const auto violations = (*compiled)->explain(instance);
  if (accepted != violations.empty()) std::abort();
  ward::Status st = (*compiled)->validate(instance, "args");
  if (st.ok() != accepted) std::abort();
  return 0;
}
