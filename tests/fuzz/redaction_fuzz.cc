// libFuzzer target for the redactor with the default rules. The first byte picks the entry point
// (even: redactText, odd: parse as JSON and redactJson). Checks that nothing crashes or hangs, that
// redacting again keeps every placeholder of the first pass (it may add some: a keyword window
// measured on shorter, redacted text can now reach a match), and that redacted JSON serialises.
// Build: cmake -DWARD_FUZZ=ON -DCMAKE_CXX_COMPILER=clang++ -DCMAKE_C_COMPILER=clang ...
// Run:   build-fuzz/tests/fuzz/redaction_fuzz tests/fuzz/corpus/redaction -max_total_time=60
#include <cstdint>
#include <cstdlib>
#include <string>

#include "ward/audit/redaction.h"
#include "ward/common/json.h"

namespace {

const ward::trace::Redactor& redactor() {
  static const std::unique_ptr<ward::trace::Redactor> r = [] {
    ward::audit::RedactorOptions options;
    options.key = std::string(32, 'f');
    options.max_input_bytes = 64 << 10;
    auto made = ward::audit::loadRedactor(options);
    if (!made.ok()) std::abort();
    return std::move(made).value();
  }();
  return *r;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  std::string text(reinterpret_cast<const char*>(data) + 1, size - 1);
  if ((data[0] & 1) == 0) {
    std::string once = redactor().redactText(text);
    std::string twice = redactor().redactText(once);
    for (size_t at = once.find("[REDACTED:"); at != std::string::npos;
         at = once.find("[REDACTED:", at + 1)) {
      std::string placeholder = once.substr(at, once.find(']', at) - at + 1);
      // Only the placeholder shape ("[REDACTED:<type>:<hex>]"): input text that merely starts
      // like one (spaces before a later ']') is text, which the second pass may still redact
      // (a crash input of this kind is in the corpus).
      if (placeholder.back() != ']' ||
          placeholder.find_first_not_of("abcdefghijklmnopqrstuvwxyz0123456789_:-", 10) !=
              placeholder.size() - 1) {
        continue;
      }
      if (twice.find(placeholder) == std::string::npos) std::abort();
    }
    return 0;
  }
  auto json = ward::parseJson(text);
  if (!json.ok()) return 0;
  ward::trace::RedactionStats stats;
  redactor().redactJson(*json, &stats);
  std::string dumped = ward::dumpJson(*json);
  if (stats.values_redacted < 0 || dumped.empty()) std::abort();
  return 0;
}
