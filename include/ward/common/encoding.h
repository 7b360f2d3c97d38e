// Encodings with one home: base64 (RFC 4648, standard alphabet, padded), base64url (RFC 4648
// section 5, unpadded, as JWTs use it), lowercase hex,
// percent-encoding (RFC 3986) and JSON Pointer reference tokens (RFC 6901).
// Decoders are strict: a wrong length, a character outside the alphabet, or padding anywhere
// but the end is an error, never silently skipped. Pure functions, thread-safe.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace ward {

std::string base64Encode(std::string_view bytes);
// nullopt unless `text` is canonical padded base64 (length a multiple of 4, at most two '='
// at the end, unused bits of the last character zero).
std::optional<std::string> base64Decode(std::string_view text);

// base64url without padding (RFC 4648 section 5; JWT segments, cassette bodies, tool-call ids).
std::string base64UrlEncode(std::string_view bytes);
// nullopt when `text` holds a character outside the URL-safe alphabet ('=' included) or its
// length leaves a lone character (length % 4 == 1). The unused low bits of the last character
// are not checked: a caller that needs one spelling per value re-encodes and compares.
std::optional<std::string> base64UrlDecode(std::string_view text);

std::string hexEncode(std::string_view bytes);
// nullopt unless `text` is an even number of hex digits (either case).
std::optional<std::string> hexDecode(std::string_view text);

// Every byte but RFC 3986's unreserved characters (A-Z a-z 0-9 - . _ ~) as %XX (uppercase hex):
// safe in a path segment, a query name or a query value.
std::string percentEncode(std::string_view bytes);

// One JSON Pointer reference token (RFC 6901): '~' as "~0", '/' as "~1".
std::string jsonPointerToken(std::string_view key);

}  // namespace ward
