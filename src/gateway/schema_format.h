// The `format` values Ward asserts when a tool opts in (`"format_assertion": true`; otherwise
// `format` is an annotation, as 2020-12 says): date-time, date, time (RFC 3339), email
// (RFC 5321 mailbox: dot-atom or quoted local part, host name or address literal), uri
// (RFC 3986 absolute URI), uuid (RFC 4122 text form), ipv4 (dotted quad, no leading zeros),
// ipv6 (RFC 4291 text forms), hostname (RFC 1123 labels) and regex (a pattern Ward can
// evaluate, ecma_regex.h). Any other format name is accepted.
#pragma once

#include <string>

namespace ward::gateway {

// Whether `value` is a valid `format`; true for a format Ward does not assert.
bool formatMatches(const std::string& format, const std::string& value);

}  // namespace ward::gateway
