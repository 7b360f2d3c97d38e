// libFuzzer target for the SCIM filter and PATCH path parsers (identity/scim_filter.h). The first
// byte picks the parser (bit 0: PATCH path), the rest is the text; the seed corpus
// (tests/fuzz/corpus/scim_filter) holds the filters and paths Okta and Entra ID send. Checks that
// nothing crashes and that a text which parses has a canonical form that parses to itself.
// Build: cmake -DWARD_FUZZ=ON -DCMAKE_CXX_COMPILER=clang++ -DCMAKE_C_COMPILER=clang ...
// Run:   build-fuzz/tests/fuzz/scim_filter_fuzz tests/fuzz/corpus/scim_filter -max_total_time=60
#include <cstdint>
#include <cstdlib>
#include <string>

#include "ward/identity/scim_filter.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const bool path = (data[0] & 1) != 0;
  std::string text(reinterpret_cast<const char*>(data) + 1, size - 1);
  if (path) {
    auto parsed = ward::identity::parseScimPatchPath(text);
    if (!parsed.ok()) return 0;
    std::string canonical = parsed->toString();
    auto again = ward::identity::parseScimPatchPath(canonical);
    // A canonical form longer than the limit (escapes can grow) may be refused; else it holds.
    if (canonical.size() <= ward::identity::kMaxScimFilterBytes &&
        (!again.ok() || again->toString() != canonical)) {
      std::abort();
    }
    return 0;
  }
  auto parsed = ward::identity::parseScimFilter(text);
  if (!parsed.ok()) return 0;
  std::string canonical = parsed->toString();
  auto again = ward::identity::parseScimFilter(canonical);
  if (canonical.size() <= ward::identity::kMaxScimFilterBytes &&
      (!again.ok() || again->toString() != canonical)) {
    std::abort();
  }
  return 0;
}
