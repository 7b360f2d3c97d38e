// Runs the JSON-Schema-Test-Suite (github.com/json-schema-org/JSON-Schema-Test-Suite layout:
// tests/<draft>/*.json, each an array of {schema, tests: [{data, valid}]}, and remotes/ served
// as http://localhost:1234/) against Ward's JsonSchema. Shared by bench/schema_conformance.cc,
// the gateway's conformance test and the fuzz target's corpus.
//
// The suite's remotes are handed to the compiler as documents a `$ref` may name (as the suite
// asks of every implementation); a tool schema gets none.
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

namespace ward::testing {

struct SuiteFileResult {
  std::string file;  // "ref.json", "optional/format/date.json"
  int passed = 0;
  int failed = 0;
  std::vector<std::string> failures;  // "group / test"
};

inline std::string readSuiteFile(const std::filesystem::path& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// remotes/** by the URI the suite serves them at.
inline std::map<std::string, Json> loadSuiteRemotes(const std::string& suite_dir) {
  namespace fs = std::filesystem;
  std::map<std::string, Json> out;
  std::error_code ec;
  const fs::path root = fs::path(suite_dir) / "remotes";
  for (auto it = fs::recursive_directory_iterator(root, ec); !ec && it != fs::end(it);
       it.increment(ec)) {
    if (!it->is_regular_file() || it->path().extension() != ".json") continue;
    auto parsed = parseJson(readSuiteFile(it->path()));
    if (!parsed.ok()) continue;
    out["http://localhost:1234/" + fs::relative(it->path(), root).generic_string()] =
        std::move(*parsed);
  }
  return out;
}

// The draft folder's dialect (the suite's draft-07 schemas carry no `$schema`).
inline gateway::SchemaDialect suiteDialect(const std::string& draft_dir) {
  return draft_dir.find("draft7") != std::string::npos ? gateway::SchemaDialect::kDraft7
                                                       : gateway::SchemaDialect::kDraft202012;
}

// One suite file; `format_assertion` for the optional/format files.
inline SuiteFileResult runSchemaSuiteFile(const std::filesystem::path& path,
                                          const std::string& name,
                                          const gateway::SchemaOptions& options) {
  SuiteFileResult r;
  r.file = name;
  auto groups = parseJson(readSuiteFile(path));
  if (!groups.ok() || !groups->is_array()) return r;
  for (const Json& g : *groups) {
    auto schema = gateway::JsonSchema::compile(g["schema"], "schema", options);
    for (const Json& t : g["tests"]) {
      bool ok = schema.ok() && (*schema)->accepts(t["data"]) == t["valid"].get<bool>();
      if (ok) {
        ++r.passed;
      } else {
        ++r.failed;
        r.failures.push_back(
            g.value("description", "?") + " / " + t.value("description", "?") +
            (schema.ok() ? "" : " (not compiled: " + schema.status().message() + ")"));
      }
    }
  }
  return r;
}

// Every *.json of `draft_dir` (`optional` false: the top level, the required tests; true: the
// optional/ tree, formats asserted in optional/format), sorted by name.
inline std::vector<SuiteFileResult> runSchemaSuite(const std::string& draft_dir,
                                                   bool optional = false) {
  namespace fs = std::filesystem;
  const fs::path dir = optional ? fs::path(draft_dir) / "optional" : fs::path(draft_dir);
  const fs::path suite = fs::path(draft_dir).parent_path().parent_path();
  static std::map<std::string, std::map<std::string, Json>> remotes_by_suite;
  auto& remotes = remotes_by_suite[suite.string()];
  if (remotes.empty()) remotes = loadSuiteRemotes(suite.string());
  std::vector<fs::path> files;
  std::error_code ec;
  if (optional) {
    for (auto it = fs::recursive_directory_iterator(dir, ec); !ec && it != fs::end(it);
         it.increment(ec)) {
      if (it->is_regular_file() && it->path().extension() == ".json") files.push_back(it->path());
    }
  } else {
    for (const auto& e : fs::directory_iterator(dir, ec)) {
      if (e.is_regular_file() && e.path().extension() == ".json") files.push_back(e.path());
    }
  }
  std::sort(files.begin(), files.end());
  std::vector<SuiteFileResult> out;
  for (const fs::path& path : files) {
    gateway::SchemaOptions options;
    options.default_dialect = suiteDialect(draft_dir);
    options.documents = &remotes;
    options.format_assertion = path.parent_path().filename() == "format";
    out.push_back(
        runSchemaSuiteFile(path, fs::relative(path, draft_dir).generic_string(), options));
  }
  return out;
}

}  // namespace ward::testing
