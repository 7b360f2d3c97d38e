// Tool parameters mirrored into HTTP headers (SEP-2243, the 2026-07-28 Streamable HTTP
// transport): a top-level property of a tool's input schema marked `"x-mcp-header": "NAME"` is
// sent by the client both in the body and as the header `Mcp-Param-NAME`, so gateways and load
// balancers can route on it without parsing the body. The server checks they agree:
//   - the value is present (not null) in `arguments` <=> the header is present;
//   - a header value `=?base64?B64?=` is decoded (strict RFC 4648; a bad padding or character is
//     a mismatch), anything else is taken literally (after trimming spaces and tabs);
//   - it equals the argument as text: a string as is, an integer in decimal, true/false.
// A mismatch is HTTP 400 with JSON-RPC error -32020 (HeaderMismatch), like Mcp-Name's. Pure.
#pragma once

#include <map>
#include <optional>
#include <string>

#include "ward/common/json.h"

namespace ward::mcp {

// What is wrong with the request's Mcp-Param-* headers (`headers`: lowercase names), or
// nullopt when they match `arguments` under `input_schema`'s x-mcp-header properties.
std::optional<std::string> checkParamHeaders(const Json& input_schema, const Json& arguments,
                                             const std::map<std::string, std::string>& headers);

}  // namespace ward::mcp
