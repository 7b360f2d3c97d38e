// Runs the JSON-Schema-Test-Suite (github.com/json-schema-org/JSON-Schema-Test-Suite layout:
// tests/<draft>/*.json, each an array of {schema, tests: [{data, valid}]}) against Ward's
// JsonSchema. Shared by bench/schema_conformance.cc and the gateway's conformance floor test.
#pragma once

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "ward/common/json.h"
#include "ward/gateway/json_schema.h"

namespace ward::bench {

struct SuiteFileResult {
  std::string file;
  int passed = 0;
  int failed = 0;
  std::vector<std::string> failures;  // "group / test"
};

// Every top-level *.json of `draft_dir` (not optional/), sorted by name.
inline std::vector<SuiteFileResult> runSchemaSuite(const std::string& draft_dir) {
  namespace fs = std::filesystem;
  std::vector<fs::path> files;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(draft_dir, ec)) {
    if (e.is_regular_file() && e.path().extension() == ".json") files.push_back(e.path());
  }
  std::sort(files.begin(), files.end());
  std::vector<SuiteFileResult> out;
  for (const fs::path& path : files) {
    SuiteFileResult r;
    r.file = path.filename().string();
    std::ifstream in(path);
    std::stringstream ss;
    ss << in.rdbuf();
    auto groups = parseJson(ss.str());
    if (!groups.ok() || !groups->is_array()) continue;
    for (const Json& g : *groups) {
      auto schema = gateway::JsonSchema::compile(g["schema"], "schema");
      for (const Json& t : g["tests"]) {
        bool ok = schema.ok() && (*schema)->accepts(t["data"]) == t["valid"].get<bool>();
        if (ok) {
          ++r.passed;
        } else {
          ++r.failed;
          r.failures.push_back(g.value("description", "?") + " / " + t.value("description", "?") +
                               (schema.ok() ? "" : " (schema not compiled)"));
        }
      }
    }
    out.push_back(std::move(r));
  }
  return out;
}

}  // namespace ward::bench
