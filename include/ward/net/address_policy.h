// Which outbound addresses Ward may reach (tool backends, model providers). Private, loopback,
// link-local, unique-local, CGNAT, multicast, reserved and unspecified addresses (IPv4 and IPv6,
// IPv4-mapped and NAT64 forms included) are refused unless the caller's configuration allows
// private addresses (a tool's backend.allow_private, a model's allow_private). Pure functions,
// thread-safe.
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

}  // namespace ward::net
