// SCIM 2.0 filters and PATCH paths (RFC 7644 section 3.4.2.2 and 3.5.2), parsed into values.
//
// Ward parses one attribute expression, `attrPath SP compareOp SP compValue` (no `and`/`or`/`not`,
// no grouping), and PATCH paths `attrPath ["[" valFilter "]"] ["." subAttr]` whose value filter
// is such an expression. What the server then supports (only `eq`, on a few attributes) is the
// SCIM service's decision (scim_service.h), not the parser's. Pure functions, thread-safe.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include "ward/common/json.h"
#include "ward/common/status.h"

namespace ward::identity {

// The longest filter (and PATCH path) accepted, in bytes (docs/design/identity.md, "SCIM").
inline constexpr size_t kMaxScimFilterBytes = 1024;

enum class ScimCompareOp { kEq, kNe, kCo, kSw, kEw, kGt, kLt, kGe, kLe, kPr };
std::string_view scimCompareOpName(ScimCompareOp op);

// An attribute path: an optional schema URN, an attribute name, an optional sub-attribute.
// "urn:ietf:params:scim:schemas:core:2.0:User:name.givenName" -> {urn, "name", "givenName"}.
struct ScimAttrPath {
  std::string urn;            // "" when the path has no schema prefix
  std::string attribute;      // as written (SCIM attribute names are case-insensitive)
  std::string sub_attribute;  // "" when none

  std::string toString() const;
};

// One attribute expression. `value` is a JSON string, number, boolean or null (null too for
// `pr`, which takes no value).
struct ScimFilter {
  ScimAttrPath path;
  ScimCompareOp op = ScimCompareOp::kEq;
  Json value;

  // Canonical text, e.g. `userName eq "bjensen"` (the value as compact JSON).
  std::string toString() const;
};

// A PATCH operation's path: `members`, `members[value eq "2819c223"]`, `emails[type eq
// "work"].value`, `name.familyName`.
struct ScimPatchPath {
  ScimAttrPath path;                   // sub_attribute: the part after "." when no filter
  std::optional<ScimFilter> filter;    // the [valFilter]
  std::string filtered_sub_attribute;  // the ".subAttr" after "]" ("" when none)

  std::string toString() const;
};

// InvalidArgument naming what is wrong (longer than kMaxScimFilterBytes, unknown operator,
// unterminated string, trailing text, ...).
Result<ScimFilter> parseScimFilter(std::string_view text);
Result<ScimPatchPath> parseScimPatchPath(std::string_view text);

// ASCII case-insensitive equality (SCIM attribute names and operators).
bool scimNameEquals(std::string_view a, std::string_view b);

}  // namespace ward::identity
