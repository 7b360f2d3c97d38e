// Which outbound addresses Ward may reach (tool backends, model providers, OTLP collectors, JWKS
// endpoints). Private, loopback, link-local, unique-local, CGNAT, multicast, reserved and
// unspecified addresses (IPv4 and IPv6; IPv4-mapped, IPv4-compatible, NAT64 and 6to4 forms judged
// by the IPv4 address they carry) are classified here; which classes a request may reach is its
// Reach. Pure functions, thread-safe.
#pragma once

#include <sys/socket.h>

#include <string>
#include <string_view>

#include "ward/common/status.h"

namespace ward::net {

// "public", or why not: "loopback", "private", "link-local", "unique-local", "cgnat",
// "multicast", "unspecified", "reserved", "invalid".
std::string classifyAddress(const sockaddr* addr);
// Same for a numeric address text ("10.0.0.1", "::ffff:127.0.0.1"); "invalid" if not numeric.
std::string classifyAddressText(std::string_view ip);

// Numeric text of an address ("127.0.0.1", "::1").
std::string addressText(const sockaddr* addr);

// Which classes of address an outbound request may connect to.
enum class Reach {
  // "public" only: tool backends and model providers by default.
  kPublic,
  // An endpoint the operator configured (an OTLP collector, an IdP's JWKS): public and private
  // networks ("private", "cgnat", "unique-local", "reserved"), never "link-local" (cloud
  // metadata), "multicast" or "unspecified"; "loopback" only when allowed.
  kOperatorEndpoint,
  // Every class but "invalid": a tool's backend.allow_private, a model's allow_private.
  kAnyValid,
};

// Whether an address of class `cls` (classifyAddress) may be reached under `reach`.
bool reachable(std::string_view cls, Reach reach, bool allow_loopback);

// Whether `host` is a numeric IPv4 or IPv6 address (without brackets).
bool isIpLiteral(const std::string& host);

}  // namespace ward::net
