// TEST ONLY: the fixed tools, resources and prompts the official MCP conformance suite
// (@modelcontextprotocol/conformance) calls by name. Enabled only by McpOptions::
// conformance_fixtures (`ward serve --mcp-conformance-fixtures`, refused off loopback); never
// on by default. Fixture tools do not go through the gateway: they touch no data and no backend.
#pragma once

#include <optional>
#include <string>

#include "mcp_impl.h"

namespace ward::mcp {

class ConformanceFixtures {
 public:
  bool hasTool(const std::string& name) const;
  void appendTools(Json& tools) const;
  // The input schema tools/list shows for fixture tool `name`.
  Json inputSchema(const std::string& name) const;
  Reply callTool(const std::string& name, const Json& args, const Message& m, Exchange& x,
                 McpServer::Impl& server) const;
  // The tasks-extension fixtures (greet, slow_compute, failing_job, protocol_error_job,
  // confirm_delete, multi_input, test_tool_with_task; conformance_task_fixtures.cc).
  bool hasTaskTool(const std::string& name) const;
  void appendTaskTools(Json& tools) const;
  Reply callTaskTool(const std::string& name, const Json& args, const Message& m, Exchange& x,
                     McpServer::Impl& server) const;
  void appendResources(Json& resources) const;
  void appendTemplates(Json& templates) const;
  std::optional<Reply> readResource(const std::string& uri) const;
  void appendPrompts(Json& prompts) const;
  std::optional<Reply> inputPrompt(const Message& m, Exchange& x, McpServer::Impl& server) const;
  std::optional<Reply> getPrompt(const std::string& name, const Json& args) const;
  std::optional<Reply> complete(const Json& params) const;
};

}  // namespace ward::mcp
