// The MCP server over a CLI context: shared by `ward mcp` (stdio) and `ward serve` (/mcp).
#pragma once

#include <memory>
#include <string>

#include "cli_context.h"
#include "ward/http/http_server.h"
#include "ward/mcp/mcp_server.h"

namespace ward::cli {

// An McpServer over the context's gateway, store and trace sink (after ctx.open()).
// `fixtures`: the TEST-ONLY conformance fixtures; `loopback`: refuse non-loopback Host headers.
Result<std::unique_ptr<mcp::McpServer>> openMcpServer(CliContext& ctx, bool fixtures,
                                                      bool loopback);
// Whether a listen address is a loopback one (127.0.0.1, ::1, localhost).
bool isLoopbackListen(const std::string& listen);

}  // namespace ward::cli
