// What makes an MCP session tainted (docs/design/gateway.md "Untrusted content", mcp.md): every
// tool result (Ward's search and fetch name the documents they returned, and ask the documents
// its answer retrieved, "doc:<id>"; an upstream
// MCP tool names its upstream, "upstream:<name>"; any other tool itself, "tool:<name>"), every
// resource read (a Ward document, "doc:<id>", or an upstream's, "upstream:<name>") and every
// upstream prompt. The taint lasts for the rest of the session and rides on its later tool
// calls (CallRequest::taint); the gateway decides what is trusted. A stateless (2026-07-28)
// request has no session and so no memory: each carries no taint. Private to src/mcp.
#pragma once

#include <string>
#include <vector>

#include "ward/common/json.h"
#include "ward/gateway/stage.h"

namespace ward::mcp {

// Adds `sources` to `taint` (marked untrusted), each once; past gateway::kMaxTaintSources
// distinct sources, one gateway::kTaintOverflowSource stands for the rest.
void addTaintSources(gateway::TurnTaint& taint, const std::vector<std::string>& sources);

// The sources a tool's result brings into the session: `backend` is the tool's backend type
// ("builtin", "mcp", "http"), `value` the result the caller got.
std::vector<std::string> toolResultSources(const std::string& tool, const std::string& backend,
                                           const Json& value);

}  // namespace ward::mcp
