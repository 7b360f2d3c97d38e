// The JSON-Schema-Test-Suite (../shared/conformance/json-schema-test-suite) held at its exact
// counts: the required tests of draft-07 and draft2020-12 (docs/design/gateway.md "JSON Schema
// conformance" lists every accepted failure and why), and the optional ones (formats, bignum,
// ecmascript-regex...) reported on their own. A drop fails; a gain asks for the numbers (here and
// in the docs) to be raised.
#include <gtest/gtest.h>

#include <filesystem>
#include <iostream>

#include "testutil/schema_suite.h"

namespace ward::testing {
namespace {

struct Count {
  int passed = 0, total = 0;
};

Count run(const std::string& draft, bool optional) {
  Count c;
  for (const auto& r :
       runSchemaSuite(std::string(WARD_SCHEMA_SUITE_DIR) + "/tests/" + draft, optional)) {
    c.passed += r.passed;
    c.total += r.passed + r.failed;
    for (const auto& f : r.failures) std::cout << "  failed " << r.file << ": " << f << "\n";
  }
  std::cout << draft << (optional ? " optional " : " required ") << c.passed << " / " << c.total
            << "\n";
  return c;
}

void expectExactly(const std::string& draft, bool optional, int passed, int total) {
  if (!std::filesystem::exists(std::string(WARD_SCHEMA_SUITE_DIR) + "/tests/" + draft)) {
    GTEST_SKIP() << "no suite at " << WARD_SCHEMA_SUITE_DIR;
  }
  Count c = run(draft, optional);
  EXPECT_EQ(c.total, total) << "the suite changed: re-measure";
  EXPECT_GE(c.passed, passed) << "a regression: " << c.passed << " of " << c.total;
  EXPECT_LE(c.passed, passed) << "an improvement: raise the count to " << c.passed
                              << " here and in docs/design/gateway.md";
}

TEST(SchemaConformance, Draft7Required) { expectExactly("draft7", false, 927, 927); }
TEST(SchemaConformance, Draft202012Required) { expectExactly("draft2020-12", false, 1299, 1299); }
TEST(SchemaConformance, Draft7Optional) { expectExactly("draft7", true, 650, 794); }
TEST(SchemaConformance, Draft202012Optional) { expectExactly("draft2020-12", true, 746, 926); }

}  // namespace
}  // namespace ward::testing
