// An ECMA-262 regular expression (JSON Schema `pattern` and `patternProperties`) evaluated with
// RE2: matching takes time linear in the input and never recurses per input character, so a
// tool argument, a backend's answer or an upstream's schema cannot crash or stall the server.
//
// The ECMA-262 syntax is translated to RE2 syntax (docs/design/gateway.md "Patterns"):
//   \d \w \b \B and their negations  -> the same (both ASCII)
//   \s \S                            -> the ECMA-262 white-space and line-terminator set
//   .                                -> any code point but \n \r U+2028 U+2029
//   \uXXXX, surrogate pairs, \u{X}   -> \x{X} (a lone surrogate is refused)
//   \xHH \cX \0 \v, [\b]             -> the code point
//   \p{..} \P{..}                    -> RE2's Unicode classes (general categories by short or
//                                       long name, scripts as Script=/sc=); others refused
//   (?<name>..)                      -> (?P<name>..)
//   [^] and []                       -> any code point / nothing
// Refused with an error naming the construct: backreferences (\1, \k<name>), lookahead and
// lookbehind, inline modifiers, unknown escapes, and anything RE2 rejects (e.g. a repetition
// count over 1000). Matching is on code points (as with ECMA-262's `u` flag), unanchored (a
// `pattern` matches anywhere unless it says ^ or $).
//
// Immutable after compile(); search() may be called from many threads at once.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "ward/common/status.h"

namespace re2 {
class RE2;
}

namespace ward::gateway {

// Longest pattern accepted (bytes); a longer one is refused when the schema is compiled.
inline constexpr size_t kMaxPatternBytes = 16 * 1024;
// Memory RE2 may use for one compiled pattern (its program and DFA cache).
inline constexpr int64_t kMaxPatternMemoryBytes = 8 << 20;

class EcmaRegex {
 public:
  // InvalidArgument "pattern '<p>': <why>" when the pattern is not ECMA-262 or RE2 cannot
  // express it.
  static Result<std::shared_ptr<const EcmaRegex>> compile(std::string_view ecma);
  ~EcmaRegex();

  // Whether the pattern matches somewhere in `text` (ECMA-262 RegExp.prototype.test).
  bool search(std::string_view text) const;
  // The RE2 pattern it was translated to (for messages and tests).
  const std::string& translated() const { return translated_; }

 private:
  EcmaRegex();
  std::string translated_;
  std::unique_ptr<re2::RE2> re_;
};

// The RE2 spelling of an ECMA-262 pattern, or InvalidArgument naming what cannot be expressed
// (without the "pattern '<p>': " prefix). Exposed for tests.
Result<std::string> translateEcmaPattern(std::string_view ecma);

}  // namespace ward::gateway
