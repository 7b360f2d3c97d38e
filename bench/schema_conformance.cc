// Prints the JSON-Schema-Test-Suite pass rate of Ward's validator per draft and per file.
// Usage: schema_conformance SUITE_DIR [--failures]   (SUITE_DIR holds tests/<draft>/)
#include <cstdio>
#include <cstring>
#include <string>

#include "testutil/schema_suite.h"

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: %s SUITE_DIR [--failures]\n", argv[0]);
    return 2;
  }
  const bool show = argc > 2 && std::strcmp(argv[2], "--failures") == 0;
  for (const char* draft : {"draft4", "draft6", "draft7", "draft2019-09", "draft2020-12"}) {
    std::string dir = std::string(argv[1]) + "/tests/" + draft;
    for (bool optional : {false, true}) {
      auto results = ward::testing::runSchemaSuite(dir, optional);
      if (results.empty()) continue;
      int passed = 0, failed = 0;
      for (const auto& r : results) {
        passed += r.passed;
        failed += r.failed;
      }
      std::printf("%-13s %-8s %5d / %5d passed (%.1f%%)\n", draft,
                  optional ? "optional" : "required", passed, passed + failed,
                  100.0 * passed / std::max(1, passed + failed));
      for (const auto& r : results) {
        if (r.failed == 0) continue;
        std::printf("  %-32s %3d failed of %d\n", r.file.c_str(), r.failed, r.passed + r.failed);
        if (show) {
          for (const auto& f : r.failures) std::printf("      - %s\n", f.c_str());
        }
      }
    }
  }
  return 0;
}
