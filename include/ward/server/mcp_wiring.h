// The MCP server over a data dir: shared by `ward mcp` (stdio) and `ward serve` (/mcp).
#pragma once

#include <memory>
#include <string>

#include "ward/mcp/mcp_server.h"
#include "ward/server/server_context.h"

namespace ward::server {

// An McpServer over the context's gateway, store and trace sink (after ctx.open()).
// `fixtures`: the TEST-ONLY conformance fixtures; `loopback`: refuse non-loopback Host headers.
Result<std::unique_ptr<mcp::McpServer>> openMcpServer(ServerContext& ctx, bool fixtures,
                                                      bool loopback);
// Whether a listen address is a loopback one (127.0.0.1, ::1, localhost).
bool isLoopbackListen(const std::string& listen);

}  // namespace ward::server
