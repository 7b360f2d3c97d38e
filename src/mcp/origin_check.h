// The DNS-rebinding checks of Streamable HTTP at /mcp (docs/design/mcp.md "DNS rebinding"): the
// Origin and Host headers parsed into scheme, host and port, so that neither a userinfo part
// (`http://localhost:80@evil.com`) nor a port-shaped suffix (`localhost:evil`) can pass for a
// loopback name. Pure functions, thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ward/common/status.h"

namespace ward::mcp {

// One authority `host[:port]`: host lower-cased (an IPv6 literal keeps its brackets, "[::1]").
struct HostPort {
  std::string host;
  std::optional<uint16_t> port;
};

// An RFC 6454 serialized origin: `scheme://host[:port]` and nothing else.
struct Origin {
  std::string scheme;  // lower-cased
  HostPort authority;
};

// RFC 9110 `Host` (uri-host [":" port]). InvalidArgument for userinfo, a path, an empty host, a
// port that is not 0-65535 digits, or a character no host name has.
Result<HostPort> parseHostPort(std::string_view text);
// InvalidArgument unless `text` is `scheme://host[:port]` with a valid HostPort.
Result<Origin> parseOrigin(std::string_view text);

// "localhost", "127.0.0.1" or "[::1]".
bool isLoopbackName(const std::string& host);
// A Host header that parses and names a loopback host.
bool isLoopbackHostHeader(std::string_view host_header);
// Listed verbatim in `allowed`, or an http(s) origin whose host is a loopback name.
bool originAllowed(std::string_view origin, const std::vector<std::string>& allowed);

}  // namespace ward::mcp
