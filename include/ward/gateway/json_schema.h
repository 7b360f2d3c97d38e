// A compiled JSON Schema (valijson, draft 7 keywords; the 2020-12 keywords tool schemas use are
// the same). Validation is strict: no type coercion ("5" is not an integer). Errors name the
// JSON pointer of the offending value and the rule it broke.
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

class JsonSchema {
 public:
  // Compiles `schema`; InvalidArgument naming `what` when it is not a usable schema. Remote
  // $refs are refused (nothing is fetched).
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
};

}  // namespace ward::gateway
