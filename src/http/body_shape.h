// The documented shape of a REST request body (docs/design/http.md "Request bodies"): which
// fields a JSON object may have, nested objects included. Every route of the table in routes.cc
// names its shape, and runRoute checks the body against it before the handler runs, so an
// unknown or misspelled field is a 400 naming it instead of being ignored. Values are checked by
// the handlers and the modules they call. Immutable after parse; thread-safe.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "ward/common/json.h"
#include "ward/common/status.h"

namespace ward::http {

// A route whose body is checked as a whole by the module it reaches (tool definitions, document
// records), which refuses unknown fields itself.
inline constexpr char kBodyCheckedByModule[] = "*";
// A route that takes no body: an object with any field is refused.
inline constexpr char kNoBody[] = "";

class BodyShape {
 public:
  // `spec` is a comma-separated field list; `name{a,b}` also gives the fields of an object
  // value (`prompt{template_id,rendered}`); a plain name accepts any value. "*" accepts any
  // body (kBodyCheckedByModule), "" none (kNoBody). InvalidArgument for a malformed spec.
  static Result<BodyShape> parse(std::string_view spec);

  // OK unless `body` is an object (or holds a nested object of a shaped field) with a field the
  // shape does not list: then InvalidArgument "field 'x' is unknown (expected: a, b)", the
  // nested path dotted (`prompt.x`). A body that is not an object is left to the handler.
  Status check(const Json& body) const;

 private:
  struct Field {
    std::string name;
    std::shared_ptr<const BodyShape> nested;  // null: any value
  };
  Status checkAt(const Json& body, const std::string& prefix) const;
  std::string expected() const;

  bool any_ = false;
  std::vector<Field> fields_;
};

}  // namespace ward::http
