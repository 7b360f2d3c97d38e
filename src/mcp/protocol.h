// JSON-RPC 2.0 framing and the MCP protocol constants shared by the dispatcher and transports.
// Private to src/mcp.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ward/common/json.h"
#include "ward/common/status.h"
#include "ward/http/error_mapping.h"

namespace ward::mcp {

// JSON-RPC and MCP error codes.
inline constexpr int kParseError = -32700;
inline constexpr int kInvalidRequest = -32600;
inline constexpr int kMethodNotFound = -32601;
inline constexpr int kInvalidParams = -32602;
inline constexpr int kInternalError = -32603;
inline constexpr int kResourceNotFound = -32002;
inline constexpr int kHeaderMismatch = -32020;           // 2026-07-28
inline constexpr int kMissingClientCapability = -32021;  // 2026-07-28
inline constexpr int kUnsupportedVersion = -32022;       // 2026-07-28 UnsupportedProtocolVersion
// Ward: the approval a task followed was denied or expired (the task is "failed").
inline constexpr int kApprovalRefused = -32040;

// Protocol revisions this server speaks.
inline constexpr std::string_view kLatestSessionVersion = "2025-11-25";
inline constexpr std::string_view kStatelessVersion = "2026-07-28";
bool isSessionVersion(std::string_view v);  // 2025-06-18 or 2025-11-25
std::vector<std::string> supportedVersions();

// The _meta keys of the 2026-07-28 revision.
inline constexpr char kMetaProtocolVersion[] = "io.modelcontextprotocol/protocolVersion";
inline constexpr char kMetaClientInfo[] = "io.modelcontextprotocol/clientInfo";
inline constexpr char kMetaClientCapabilities[] = "io.modelcontextprotocol/clientCapabilities";
inline constexpr char kMetaLogLevel[] = "io.modelcontextprotocol/logLevel";
inline constexpr char kMetaServerInfo[] = "io.modelcontextprotocol/serverInfo";

// A protocol-level failure: becomes a JSON-RPC error (and, on HTTP, an HTTP status).
struct RpcError {
  int code = kInternalError;
  std::string message;
  Json data = nullptr;  // null = no data member
  // On HTTP, the domain code (and origin) whose status answers it: the status itself is chosen
  // by http::httpStatusFor, like every HTTP status of Ward. nullopt = the revision's default.
  std::optional<StatusCode> http_code = std::nullopt;
  http::ErrorOrigin http_origin = http::ErrorOrigin::kHandler;

  // The HTTP status that answers this error: httpStatusFor(http_code, http_origin), else the
  // revision's default (2025 session: 200, the error is in the body; 2026-07-28: 400).
  int httpStatus(bool stateless) const;
};

// One parsed JSON-RPC message.
struct Message {
  Json id;  // null for notifications (and for responses without an id)
  std::string method;
  Json params = Json::object();
  bool is_request = false;       // has method and id
  bool is_notification = false;  // has method, no id
  bool is_response = false;      // has result or error (a client's reply)
  Json raw;                      // the whole message, for responses (matched to Ward's request)
};

// Checks the JSON-RPC envelope. An error names what is wrong.
std::optional<RpcError> parseMessage(const Json& j, Message* out);

Json rpcResult(const Json& id, Json result);
Json rpcErrorJson(const Json& id, const RpcError& e);
Json notification(const std::string& method, Json params);

// obj[key] when obj is an object holding a string there, else "" (never throws: input is
// untrusted, and nlohmann's value() throws on a wrong type).
std::string stringField(const Json& obj, const char* key);

// "debug" < "info" < ... < "emergency" (RFC 5424 names); -1 when unknown.
int logLevelRank(std::string_view level);

}  // namespace ward::mcp
