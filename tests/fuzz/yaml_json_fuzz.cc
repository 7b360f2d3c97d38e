// libFuzzer target for the JSON and YAML readers (common/json.h, common/yaml.h), which read
// request bodies, JSONL records, connector payloads and hand-written tool definitions. The first
// byte picks the reader (bit 0: YAML, with small limits; else JSON). Checks that nothing
// crashes, that an error names its problem, and that what parses dumps to JSON that parses back
// to the same value.
// Seed corpus: tests/fuzz/corpus/yaml_json.
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "ward/common/json.h"
#include "ward/common/yaml.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const std::string_view text(reinterpret_cast<const char*>(data) + 1, size - 1);
  ward::Result<ward::Json> parsed = ward::Status::internal("unset");
  if ((data[0] & 1) != 0) {
    ward::YamlLimits limits;
    limits.max_nodes = 10'000;
    limits.max_depth = 32;
    parsed = ward::parseYaml(text, limits);
  } else {
    parsed = ward::parseJson(text);
  }
  if (!parsed.ok()) {
    if (parsed.status().message().empty()) std::abort();
    return 0;
  }
  const std::string dumped = ward::dumpJson(*parsed);
  auto again = ward::parseJson(dumped);
  if (!again.ok()) std::abort();
  // NaN never compares equal; dumpJson writes it as null, so compare the dumps instead.
  if (ward::dumpJson(*again) != dumped) std::abort();
  return 0;
}
