// Mcp-Param-* headers against the call's arguments (param_headers.h), and the dispatcher's
// lookup of the called tool's input schema as the caller's tools/list shows it.
#include "param_headers.h"

#include <cmath>
#include <cstdio>

#include "conformance_fixtures.h"
#include "ward/common/encoding.h"
#include "ward/gateway/tool_gateway.h"

namespace ward::mcp {

namespace {

std::string lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

std::string trimOws(const std::string& s) {
  size_t b = s.find_first_not_of(" \t"), e = s.find_last_not_of(" \t");
  return b == std::string::npos ? "" : s.substr(b, e - b + 1);
}

// The argument as the header carries it; nullopt for values no header can carry.
std::optional<std::string> asHeaderText(const Json& v) {
  if (v.is_string()) return v.get<std::string>();
  if (v.is_boolean()) return v.get<bool>() ? "true" : "false";
  if (v.is_number_integer()) return std::to_string(v.get<int64_t>());
  if (v.is_number_unsigned()) return std::to_string(v.get<uint64_t>());
  if (v.is_number_float()) {
    const double d = v.get<double>();
    if (std::isfinite(d) && d == std::floor(d) && std::fabs(d) < 1e15) {
      char buf[32];
      std::snprintf(buf, sizeof buf, "%.0f", d);
      return std::string(buf);
    }
    return v.dump();
  }
  return std::nullopt;
}

}  // namespace

std::optional<std::string> checkParamHeaders(const Json& input_schema, const Json& arguments,
                                             const std::map<std::string, std::string>& headers) {
  if (!input_schema.is_object() || !input_schema.contains("properties") ||
      !input_schema["properties"].is_object()) {
    return std::nullopt;
  }
  for (const auto& [property, schema] : input_schema["properties"].items()) {
    if (!schema.is_object() || !schema.contains("x-mcp-header") ||
        !schema["x-mcp-header"].is_string()) {
      continue;
    }
    const std::string name = schema["x-mcp-header"].get<std::string>();
    const std::string shown = "Mcp-Param-" + name;
    const bool has_value =
        arguments.is_object() && arguments.contains(property) && !arguments[property].is_null();
    auto header = headers.find("mcp-param-" + lower(name));
    if (!has_value) {
      if (header != headers.end()) {
        return shown + " header is present but arguments." + property + " is not";
      }
      continue;
    }
    if (header == headers.end()) {
      return shown + " header must be present and match arguments." + property;
    }
    std::string got = trimOws(header->second);
    if (got.size() >= 11 && got.starts_with("=?base64?") && got.ends_with("?=")) {
      auto decoded = base64Decode(std::string_view(got).substr(9, got.size() - 11));
      if (!decoded) return shown + " header is not valid Base64";
      got = std::move(*decoded);
    }
    auto want = asHeaderText(arguments[property]);
    if (!want || got != *want) {
      return shown + " header does not match arguments." + property;
    }
  }
  return std::nullopt;
}

std::optional<std::string> McpServer::Impl::checkToolParamHeaders(
    const Message& m, const Exchange& x, const std::map<std::string, std::string>& headers) {
  if (!m.params.contains("name") || !m.params["name"].is_string()) return std::nullopt;
  const std::string name = m.params["name"].get<std::string>();
  const Json arguments = m.params.contains("arguments") ? m.params["arguments"] : Json::object();
  if (fixtures && fixtures->hasTool(name)) {
    return checkParamHeaders(fixtures->inputSchema(name), arguments, headers);
  }
  auto agent = actingAgent(options.store, *x.principal);
  if (!agent.ok()) return std::nullopt;  // the call itself reports it
  const identity::Principal* acting = agent->has_value() ? &**agent : nullptr;
  auto tools = options.gateway->callableTools(*x.principal, acting);
  if (!tools.ok()) return std::nullopt;
  for (const gateway::CallableTool& t : *tools) {
    if (t.name == name) return checkParamHeaders(t.input_schema, arguments, headers);
  }
  return std::nullopt;  // not a tool this caller may call: tools/call answers that
}

}  // namespace ward::mcp
