// The MCP server's wiring; the contract is in include/ward/server/mcp_wiring.h.
#include "ward/server/mcp_wiring.h"

#include "ward/http/http_server.h"

namespace ward::server {

Result<std::unique_ptr<mcp::McpServer>> openMcpServer(ServerContext& ctx, bool fixtures,
                                                      bool loopback) {
  WARD_ASSIGN_OR_RETURN(gateway::ToolGateway * gw, ctx.gateway());
  mcp::McpOptions options;
  options.gateway = gw;
  options.store = &ctx.store();
  options.traces = &ctx.traces();
  options.upstreams = ctx.upstreams();  // made by ctx.gateway()
  options.server_version = "0.1.0";
  options.conformance_fixtures = fixtures;
  options.require_loopback_host = loopback;
  return mcp::McpServer::create(options);
}

bool isLoopbackListen(const std::string& listen) {
  auto address = http::parseListenAddress(listen);
  if (!address.ok()) return false;
  const std::string& h = address->first;
  return h == "127.0.0.1" || h == "::1" || h == "localhost";
}

}  // namespace ward::server
