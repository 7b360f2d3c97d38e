// The JSON facade: Ward uses nlohmann::json everywhere, parsed only through parseJson so that
// malformed input becomes a Status rather than an exception.
#pragma once

#include <nlohmann/json.hpp>
#include <string_view>

#include "ward/common/status.h"

namespace ward {

using Json = nlohmann::json;

// Deepest nesting of arrays and objects parseJson accepts: deeper documents could overflow the
// stack of the recursive walks (serialisation, schema validation) that follow.
inline constexpr int kMaxJsonDepth = 256;

// Parses text; a syntax error, or nesting deeper than kMaxJsonDepth, becomes InvalidArgument
// naming the byte offset.
Result<Json> parseJson(std::string_view text);

// Serializes with invalid UTF-8 replaced (never throws).
std::string dumpJson(const Json& j, int indent = -1);

}  // namespace ward
