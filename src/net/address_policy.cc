#include "ward/net/address_policy.h"

#include <arpa/inet.h>
#include <netinet/in.h>

#include <cstring>

namespace ward::net {

namespace {

std::string classifyV4(uint32_t a) {  // host byte order
  auto in = [a](uint32_t net, int bits) {
    uint32_t mask = bits == 0 ? 0 : ~uint32_t{0} << (32 - bits);
    return (a & mask) == net;
  };
  if (in(0x00000000, 8)) return "unspecified";  // 0.0.0.0/8
  if (in(0x7F000000, 8)) return "loopback";     // 127/8
  if (in(0x0A000000, 8)) return "private";      // 10/8
  if (in(0xAC100000, 12)) return "private";     // 172.16/12
  if (in(0xC0A80000, 16)) return "private";     // 192.168/16
  if (in(0xA9FE0000, 16)) return "link-local";  // 169.254/16 (cloud metadata lives here)
  if (in(0x64400000, 10)) return "cgnat";       // 100.64/10
  if (in(0xC0000000, 24)) return "reserved";    // 192.0.0/24 (IETF protocol assignments)
  if (in(0xC0000200, 24)) return "reserved";    // 192.0.2/24 TEST-NET-1
  if (in(0xC6120000, 15)) return "reserved";    // 198.18/15 benchmarking
  if (in(0xC6336400, 24)) return "reserved";    // 198.51.100/24 TEST-NET-2
  if (in(0xCB007100, 24)) return "reserved";    // 203.0.113/24 TEST-NET-3
  if (in(0xE0000000, 4)) return "multicast";    // 224/4
  if (in(0xF0000000, 4)) return "reserved";     // 240/4 and broadcast
  return "public";
}

std::string classifyV6(const unsigned char* b) {
  static const unsigned char kZero[16] = {};
  if (std::memcmp(b, kZero, 16) == 0) return "unspecified";             // ::
  if (std::memcmp(b, kZero, 15) == 0 && b[15] == 1) return "loopback";  // ::1
  auto v4_at = [b](int off) {
    return (uint32_t{b[off]} << 24) | (uint32_t{b[off + 1]} << 16) | (uint32_t{b[off + 2]} << 8) |
           uint32_t{b[off + 3]};
  };
  // ::ffff:a.b.c.d (mapped) and ::a.b.c.d (compatible, deprecated): judge the IPv4 address.
  if (std::memcmp(b, kZero, 10) == 0 && b[10] == 0xFF && b[11] == 0xFF)
    return classifyV4(v4_at(12));
  if (std::memcmp(b, kZero, 12) == 0) return classifyV4(v4_at(12));
  // 64:ff9b::/96 NAT64: the embedded IPv4 address decides.
  static const unsigned char kNat64[12] = {0, 0x64, 0xff, 0x9b, 0, 0, 0, 0, 0, 0, 0, 0};
  if (std::memcmp(b, kNat64, 12) == 0) return classifyV4(v4_at(12));
  if ((b[0] & 0xFE) == 0xFC) return "unique-local";                  // fc00::/7
  if (b[0] == 0xFE && (b[1] & 0xC0) == 0x80) return "link-local";    // fe80::/10
  if (b[0] == 0xFE && (b[1] & 0xC0) == 0xC0) return "unique-local";  // fec0::/10 site-local
  if (b[0] == 0xFF) return "multicast";                              // ff00::/8
  if (b[0] == 0x20 && b[1] == 0x01 && b[2] == 0x0D && b[3] == 0xB8) return "reserved";  // doc
  if (b[0] == 0x20 && b[1] == 0x02) return classifyV4(v4_at(2));  // 6to4 embeds an IPv4 address
  if ((b[0] & 0xE0) != 0x20) return "reserved";                   // outside 2000::/3 global unicast
  return "public";
}

}  // namespace

std::string classifyAddress(const sockaddr* addr) {
  if (addr == nullptr) return "invalid";
  if (addr->sa_family == AF_INET) {
    const auto* v4 = reinterpret_cast<const sockaddr_in*>(addr);
    return classifyV4(ntohl(v4->sin_addr.s_addr));
  }
  if (addr->sa_family == AF_INET6) {
    const auto* v6 = reinterpret_cast<const sockaddr_in6*>(addr);
    return classifyV6(v6->sin6_addr.s6_addr);
  }
  return "invalid";
}

std::string classifyAddressText(std::string_view ip) {
  std::string text(ip);
  sockaddr_in v4{};
  if (inet_pton(AF_INET, text.c_str(), &v4.sin_addr) == 1) {
    v4.sin_family = AF_INET;
    return classifyAddress(reinterpret_cast<const sockaddr*>(&v4));
  }
  sockaddr_in6 v6{};
  if (inet_pton(AF_INET6, text.c_str(), &v6.sin6_addr) == 1) {
    v6.sin6_family = AF_INET6;
    return classifyAddress(reinterpret_cast<const sockaddr*>(&v6));
  }
  return "invalid";
}

bool reachable(std::string_view cls, Reach reach, bool allow_loopback) {
  if (cls == "invalid") return false;
  switch (reach) {
    case Reach::kPublic:
      return cls == "public";
    case Reach::kOperatorEndpoint:
      if (cls == "loopback") return allow_loopback;
      return cls != "link-local" && cls != "multicast" && cls != "unspecified";
    case Reach::kAnyValid:
      return true;
  }
  return false;
}

bool isIpLiteral(const std::string& host) {
  unsigned char buf[sizeof(in6_addr)];
  return inet_pton(AF_INET6, host.c_str(), buf) == 1 || inet_pton(AF_INET, host.c_str(), buf) == 1;
}

std::string addressText(const sockaddr* addr) {
  char buf[INET6_ADDRSTRLEN] = {};
  if (addr->sa_family == AF_INET) {
    inet_ntop(AF_INET, &reinterpret_cast<const sockaddr_in*>(addr)->sin_addr, buf, sizeof buf);
  } else if (addr->sa_family == AF_INET6) {
    inet_ntop(AF_INET6, &reinterpret_cast<const sockaddr_in6*>(addr)->sin6_addr, buf, sizeof buf);
  }
  return buf;
}

}  // namespace ward::net
