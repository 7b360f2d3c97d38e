#include "origin_check.h"

#include <algorithm>
#include <cctype>

namespace ward::mcp {

namespace {

constexpr size_t kMaxHostBytes = 255;  // RFC 1035 limit of a DNS name; longer is never ours

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

bool isRegNameChar(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '-' || c == '_';
}

bool isIpv6LiteralChar(char c) {
  return std::isxdigit(static_cast<unsigned char>(c)) || c == ':' || c == '.';
}

Status bad(std::string_view text, const char* why) {
  return Status::invalidArgument("'" + std::string(text.substr(0, 80)) + "': " + why);
}

}  // namespace

Result<HostPort> parseHostPort(std::string_view text) {
  if (text.empty()) return bad(text, "empty host");
  if (text.size() > kMaxHostBytes + 7) return bad(text, "host too long");
  HostPort out;
  std::string_view rest;
  if (text.front() == '[') {
    size_t close = text.find(']');
    if (close == std::string_view::npos) return bad(text, "unterminated IPv6 literal");
    std::string_view literal = text.substr(1, close - 1);
    if (literal.empty() || !std::all_of(literal.begin(), literal.end(), isIpv6LiteralChar)) {
      return bad(text, "not an IPv6 literal");
    }
    out.host = lower(text.substr(0, close + 1));
    rest = text.substr(close + 1);
  } else {
    size_t colon = text.find(':');
    std::string_view name = text.substr(0, colon);
    if (name.empty() || name.size() > kMaxHostBytes) return bad(text, "bad host name");
    // '@' (userinfo), '/', '?', '#', spaces and the like end up here and are refused.
    if (!std::all_of(name.begin(), name.end(), isRegNameChar)) {
      return bad(text, "not a host name (userinfo, path and other characters are refused)");
    }
    out.host = lower(name);
    rest = colon == std::string_view::npos ? std::string_view() : text.substr(colon);
  }
  if (rest.empty()) return out;
  if (rest.front() != ':') return bad(text, "unexpected text after the host");
  std::string_view port = rest.substr(1);
  if (port.empty() || port.size() > 5 || !std::all_of(port.begin(), port.end(), [](char c) {
        return std::isdigit(static_cast<unsigned char>(c)) != 0;
      })) {
    return bad(text, "port must be 1-5 digits");
  }
  unsigned long value = std::stoul(std::string(port));
  if (value > 65535) return bad(text, "port above 65535");
  out.port = static_cast<uint16_t>(value);
  return out;
}

Result<Origin> parseOrigin(std::string_view text) {
  size_t sep = text.find("://");
  if (sep == std::string_view::npos || sep == 0) return bad(text, "not scheme://host[:port]");
  std::string_view scheme = text.substr(0, sep);
  if (!std::all_of(scheme.begin(), scheme.end(), [](char c) {
        return std::isalnum(static_cast<unsigned char>(c)) || c == '+' || c == '-' || c == '.';
      })) {
    return bad(text, "bad scheme");
  }
  Origin out;
  out.scheme = lower(scheme);
  WARD_ASSIGN_OR_RETURN(out.authority, parseHostPort(text.substr(sep + 3)));
  return out;
}

bool isLoopbackName(const std::string& host) {
  return host == "localhost" || host == "127.0.0.1" || host == "[::1]";
}

bool isLoopbackHostHeader(std::string_view host_header) {
  auto parsed = parseHostPort(host_header);
  return parsed.ok() && isLoopbackName(parsed->host);
}

bool originAllowed(std::string_view origin, const std::vector<std::string>& allowed) {
  if (std::find(allowed.begin(), allowed.end(), origin) != allowed.end()) return true;
  auto parsed = parseOrigin(origin);
  if (!parsed.ok()) return false;
  return (parsed->scheme == "http" || parsed->scheme == "https") &&
         isLoopbackName(parsed->authority.host);
}

}  // namespace ward::mcp
