// A tool definition: the contract between callers and a backend (docs/formats/tool-definition.md).
// Parsed from JSON (a file for `ward tools add`, a body for POST /v1/tools) with every field
// checked; an error names the field. Immutable value type once parsed.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ward/common/json.h"
#include "ward/common/status.h"
#include "ward/gateway/json_schema.h"

namespace ward::gateway {

enum class Risk { kRead, kWrite, kDestructive };
std::string_view riskName(Risk r);
Result<Risk> parseRisk(std::string_view name);

// MAJOR.MINOR.PATCH[-PRERELEASE][+BUILD] (semver 2.0.0; build metadata ignored for ordering).
struct SemVer {
  int64_t major = 0, minor = 0, patch = 0;
  std::string prerelease;
  static Result<SemVer> parse(std::string_view text);
  // <0, 0, >0 like strcmp, with semver precedence (a pre-release sorts before its release).
  int compare(const SemVer& other) const;
};

struct HttpBackend {
  std::string method = "GET";                  // GET POST PUT PATCH DELETE
  std::string url_template;                    // "https://billing/invoices/{invoice_id}"
  std::map<std::string, std::string> headers;  // static headers (no secrets: use `auth`)
  bool allow_private = false;                  // may target private/loopback addresses
  std::string auth_secret;                     // tenant secret name ("" = none)
  std::string auth_header = "Authorization";
  std::string auth_scheme = "Bearer";  // value sent: "<scheme> <secret>" ("" = bare)
  int64_t timeout_ms = 0;              // 0 = gateway.timeout_ms
};

struct Backend {
  std::string type;  // "http" | "builtin" | "mcp"
  HttpBackend http;
  std::string builtin;     // "search" | "fetch"
  std::string mcp_server;  // upstream MCP server name
  std::string mcp_tool;    // its tool name
};

// A token bucket: `rate` tokens per second, at most `burst` stored.
struct RateSpec {
  double rate = 0;
  double burst = 0;
};

struct RateLimits {
  std::optional<RateSpec> per_tool;            // (tenant, tool)
  std::optional<RateSpec> per_principal;       // (tenant, principal)
  std::optional<RateSpec> per_principal_tool;  // (tenant, principal, tool)
};

// When a call needs a human. `always` matches every call; otherwise `arg op value` on a
// top-level argument (op: > >= < <= == !=; absent argument = no match).
struct ApprovalRule {
  std::string name;
  bool always = false;
  std::string arg;
  std::string op;
  Json value;
  // Whether the rule matches these arguments.
  bool matches(const Json& args) const;
  std::string describe() const;  // "amount > 500"
};

struct Deprecation {
  bool deprecated = false;
  int64_t sunset_us = 0;  // 0 = no sunset; calls at or after it are refused
  std::string replacement;
};

struct ToolDefinition {
  std::string name;
  std::string version;
  SemVer semver;
  std::string description;
  Json input_schema;
  Json output_schema;  // null = any output
  Risk risk = Risk::kRead;
  Backend backend;
  RateLimits rate_limits;
  std::vector<ApprovalRule> approval_rules;
  Deprecation deprecation;
  Json raw;  // the definition as given (stored)

  // sha256 of the canonical JSON (sorted keys, no spaces) of name, version, description and
  // both schemas: what an admin pins.
  std::string canonicalHash() const;
};

// Parses and checks a definition; InvalidArgument names the field ("backend.url: ...").
Result<ToolDefinition> parseToolDefinition(const Json& j);

// How the definition's schemas are compiled ("format_assertion": true asserts `format`).
SchemaOptions schemaOptionsOf(const ToolDefinition& d);

// Canonical JSON text: object keys sorted, no insignificant whitespace.
std::string canonicalJson(const Json& j);

}  // namespace ward::gateway
