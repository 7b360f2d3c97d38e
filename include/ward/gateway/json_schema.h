// A compiled JSON Schema (valijson, draft 7 keywords; the 2020-12 keywords tool schemas use are
// the same). Validation is strict: no type coercion ("5" is not an integer). Errors name the
// JSON pointer of the offending value and the rule it broke. `pattern`, `patternProperties` and
// the date/time formats are evaluated with RE2 (linear time, no recursion per input character;
// ECMA-262 syntax translated as docs/design/gateway.md "Patterns" says).
//
// Immutable after compile(); validate() may be called from many threads at once.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "ward/common/json.h"
#include "ward/common/status.h"

namespace valijson {
class Schema;
}

namespace ward::gateway {

struct PatternTable;  // the schema's compiled patterns (json_schema.cc)

class JsonSchema {
 public:
  // Compiles `schema`; InvalidArgument naming `what` when it is not a usable schema. Remote
  // $refs are refused (nothing is fetched), and so is a pattern RE2 cannot evaluate (the
  // message names its JSON pointer and why).
  static Result<std::shared_ptr<const JsonSchema>> compile(const Json& schema,
                                                           std::string_view what);
  ~JsonSchema();

  // Ok, or InvalidArgument "<what> /amount: must be <= 1000 (maximum)" for the first failure
  // (all failures are listed, most specific first, separated by "; ").
  Status validate(const Json& value, std::string_view what) const;
  // Whether `value` is valid (for the conformance runner).
  bool accepts(const Json& value) const;

 private:
  JsonSchema();
  std::unique_ptr<valijson::Schema> schema_;
  std::shared_ptr<const PatternTable> patterns_;
};

}  // namespace ward::gateway
