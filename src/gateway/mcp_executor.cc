#include "mcp_executor.h"

#include <chrono>

#include "ward/upstream/upstream_pool.h"

namespace ward::gateway {

namespace {

constexpr size_t kMaxErrorText = 512;

// The first text item of an error result, redacted whole, then shortened (at a UTF-8 boundary):
// upstream text is data, not a message.
std::string errorText(const Json& result, const audit::Redactor* redactor) {
  if (result.contains("content") && result["content"].is_array()) {
    for (const Json& c : result["content"]) {
      if (c.is_object() && c.contains("type") && c["type"] == "text" && c.contains("text") &&
          c["text"].is_string()) {
        std::string t = c["text"].get<std::string>();
        if (redactor != nullptr) t = redactor->redactText(t);
        if (t.size() <= kMaxErrorText) return t;
        size_t end = kMaxErrorText;
        while (end > 0 && (static_cast<unsigned char>(t[end]) & 0xC0) == 0x80) --end;
        return t.substr(0, end) + "...";
      }
    }
  }
  return "(no text)";
}

}  // namespace

Result<Json> McpExecutor::execute(CallContext& call) {
  const ToolDefinition& d = call.tool->definition;
  const Backend& b = d.backend;
  const std::string& tenant = call.request.principal.tenant;
  if (pool_ == nullptr) {
    return Status::unavailable("tool '" + d.name + "' is served by MCP upstream '" + b.mcp_server +
                               "', and no upstreams are configured");
  }
  if (tenant != tenant_) {
    // A tool registered by hand in another tenant may not borrow ward.toml's upstreams (and the
    // secrets they authenticate with).
    return Status::failedPrecondition("tool '" + d.name + "' names MCP upstream '" + b.mcp_server +
                                      "', which belongs to another tenant");
  }
  auto client = pool_->client(b.mcp_server);
  if (!client.ok()) return Status::unavailable(client.status().message());
  // Connect (or restart) first, so a new connection is synced before anything is sent.
  WARD_RETURN_IF_ERROR((*client)->ensureConnected());
  int64_t generation = -1;
  std::string digest = live_->digestOf(tenant, b.mcp_server, b.mcp_tool, &generation);
  if (generation != (*client)->connectionGeneration() || (*client)->takeListChanged()) {
    WARD_RETURN_IF_ERROR(sync_(tenant, b.mcp_server));
    digest = live_->digestOf(tenant, b.mcp_server, b.mcp_tool, &generation);
  }
  if (digest.empty()) {
    return Status::failedPrecondition("upstream '" + b.mcp_server + "' no longer offers tool '" +
                                      b.mcp_tool + "'; its removal awaits an admin's approval");
  }
  if (digest != definitionDigest(d.raw)) {
    return Status::failedPrecondition("tool '" + d.name + "' changed on upstream '" + b.mcp_server +
                                      "'; the change is quarantined until an admin approves it");
  }
  call.backend_contacted = true;
  const auto start = std::chrono::steady_clock::now();
  auto result = (*client)->callTool(b.mcp_tool, call.request.args, call.request.ask_client);
  call.backend_ns +=
      std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now() - start)
          .count();
  if (!result.ok()) return result.status();
  if (result->contains("isError") && (*result)["isError"] == true) {
    call.backend_error = true;
    return Status::unavailable("upstream tool '" + d.name +
                               "' reported an error: " + errorText(*result, redactor_));
  }
  Json out = {{"content", result->value("content", Json::array())}};
  if (result->contains("structuredContent"))
    out["structuredContent"] = (*result)["structuredContent"];
  return out;
}

}  // namespace ward::gateway
