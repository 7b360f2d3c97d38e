// Upstream MCP servers as configured in ward.toml (`[[upstreams]]`, docs/design/upstream.md).
// Parsed strictly: an unknown key, a wrong type or a bad value is an InvalidArgument naming the
// upstream and the key. Value type; no secrets inside (header and env values may *reference* a
// tenant secret as "${secret:NAME}", resolved only when a connection is made).
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "ward/common/status.h"

namespace ward::upstream {

struct UpstreamConfig {
  std::string name;       // [a-z0-9_-]{1,32}; the namespace of its tools ("<name>.<tool>")
  std::string transport;  // "stdio" | "http"
  // stdio
  std::string command;  // program (looked up in PATH)
  std::vector<std::string> args;
  std::map<std::string, std::string> env;  // added to PATH, HOME, LANG (nothing else inherited)
  std::string cwd;                         // "" = Ward's working directory
  // http (Streamable HTTP)
  std::string url;
  std::map<std::string, std::string> headers;
  // governance
  bool trusted = false;                      // its readOnlyHint annotations are believed
  std::vector<std::string> read_only_tools;  // tools an admin declares read-only
  // Requests this server may send Ward during a call, forwarded to the caller's MCP client
  // (which must support them). Off by default: a sampling request is untrusted text driving the
  // caller's model; an elicitation is untrusted text shown to the user.
  bool allow_sampling = false;
  bool allow_elicitation = false;
  // "auto" (server/discover, else initialize), "2026-07-28", "2025-11-25" or "2025-06-18"
  std::string protocol = "auto";
  int64_t timeout_ms = 30000;          // per request
  size_t max_message_bytes = 8 << 20;  // one JSON-RPC message (line or HTTP body)
  // Who may see the server's resources / prompts through Ward, as grant subjects
  // ("principal:<name>", "group:<name>", "agent:<name>"). Empty = nobody (deny by default).
  std::vector<std::string> resources_for;
  std::vector<std::string> prompts_for;
};

// Checks one resources_for / prompts_for entry: "<principal|group|agent>:<name>" with a valid
// principal name. InvalidArgument saying what is wrong.
Status checkSubjectEntry(const std::string& entry);

// Every [[upstreams]] entry of the ward.toml at `path` (none when the file or key is absent).
Result<std::vector<UpstreamConfig>> loadUpstreamConfigs(const std::string& path);

// The protocol revisions Ward speaks as a client, newest first.
const std::vector<std::string>& supportedProtocolVersions();

}  // namespace ward::upstream
