// URI references as JSON Schema uses them (`$id`, `$ref`, `$schema`): RFC 3986 section 5
// resolution against a base, and splitting off the fragment. Nothing here fetches anything.
#pragma once

#include <string>
#include <string_view>

namespace ward::gateway {

// `ref` resolved against `base` (RFC 3986 5.2, dot segments removed). An empty base leaves a
// relative reference relative.
std::string resolveUri(std::string_view base, std::string_view ref);

// The URI without its fragment ("a/b.json#/x" -> "a/b.json"); `fragment` gets what followed '#'
// (percent-decoded), empty when none.
std::string splitFragment(std::string_view uri, std::string* fragment);

}  // namespace ward::gateway
