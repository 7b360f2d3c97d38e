#include "protocol.h"

#include <array>

namespace ward::mcp {

bool isSessionVersion(std::string_view v) { return v == "2025-06-18" || v == "2025-11-25"; }

std::vector<std::string> supportedVersions() {
  return {"2025-06-18", "2025-11-25", std::string(kStatelessVersion)};
}

std::optional<RpcError> parseMessage(const Json& j, Message* out) {
  if (!j.is_object()) {
    return RpcError{kInvalidRequest, "a JSON-RPC message must be an object"};
  }
  auto jsonrpc = j.find("jsonrpc");
  if (jsonrpc == j.end() || *jsonrpc != "2.0") {
    return RpcError{kInvalidRequest, "field 'jsonrpc' must be \"2.0\""};
  }
  if (j.contains("id")) {
    const Json& id = j["id"];
    // MCP forbids null ids; JSON-RPC allows strings and integers (fractions are discouraged).
    if (!id.is_string() && !id.is_number_integer()) {
      return RpcError{kInvalidRequest, "field 'id' must be a string or an integer"};
    }
    out->id = id;
  }
  if (j.contains("method")) {
    if (!j["method"].is_string()) {
      return RpcError{kInvalidRequest, "field 'method' must be a string"};
    }
    out->method = j["method"].get<std::string>();
    if (j.contains("params")) {
      if (!j["params"].is_object()) {
        return RpcError{kInvalidParams, "field 'params' must be an object"};
      }
      out->params = j["params"];
    }
    out->is_request = j.contains("id");
    out->is_notification = !out->is_request;
    return std::nullopt;
  }
  if (j.contains("result") || j.contains("error")) {
    out->is_response = true;
    out->raw = j;
    return std::nullopt;
  }
  return RpcError{kInvalidRequest, "a message needs 'method', 'result' or 'error'"};
}

Json rpcResult(const Json& id, Json result) {
  return Json{{"jsonrpc", "2.0"}, {"id", id}, {"result", std::move(result)}};
}

int RpcError::httpStatus(bool stateless) const {
  if (http_code) return http::httpStatusFor(*http_code, http_origin);
  return http::httpStatusFor(stateless ? StatusCode::kInvalidArgument : StatusCode::kOk);
}

Json rpcErrorJson(const Json& id, const RpcError& e) {
  Json err = {{"code", e.code}, {"message", e.message}};
  if (!e.data.is_null()) err["data"] = e.data;
  return Json{{"jsonrpc", "2.0"}, {"id", id}, {"error", std::move(err)}};
}

Json notification(const std::string& method, Json params) {
  return Json{{"jsonrpc", "2.0"}, {"method", method}, {"params", std::move(params)}};
}

std::string stringField(const Json& obj, const char* key) {
  if (!obj.is_object()) return "";
  auto it = obj.find(key);
  return it != obj.end() && it->is_string() ? it->get<std::string>() : "";
}

int logLevelRank(std::string_view level) {
  static constexpr std::array<std::string_view, 8> kLevels = {
      "debug", "info", "notice", "warning", "error", "critical", "alert", "emergency"};
  for (size_t i = 0; i < kLevels.size(); ++i) {
    if (kLevels[i] == level) return static_cast<int>(i);
  }
  return -1;
}

}  // namespace ward::mcp
