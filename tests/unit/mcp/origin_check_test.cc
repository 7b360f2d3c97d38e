// The Origin and Host checks of /mcp against DNS rebinding (origin_check.h), as a table.
#include "origin_check.h"

#include <gtest/gtest.h>

namespace ward::mcp {
namespace {

struct Case {
  const char* header;
  bool allowed;
};

TEST(OriginCheck, OriginsAreParsedNotPrefixMatched) {
  const std::vector<std::string> allowed = {"https://app.example.com"};
  const Case cases[] = {
      {"http://localhost", true},
      {"http://localhost:3000", true},
      {"https://127.0.0.1:8443", true},
      {"http://[::1]:6274", true},
      {"HTTP://LOCALHOST:3000", true},
      {"https://app.example.com", true},  // listed verbatim
      // Issue 19 item 16: the text after the port is a userinfo/host trick, not a port.
      {"http://localhost:80@evil.com", false},
      {"http://localhost@evil.com", false},
      {"http://127.0.0.1:1@evil.com:80", false},
      {"http://[::1]:80@evil.com", false},
      {"http://localhost:evil.com", false},
      {"http://localhost:99999", false},
      {"http://localhost.evil.com", false},
      {"http://localhost/", false},
      {"http://localhost:3000/path", false},
      {"http://[::1]evil", false},
      {"ftp://localhost", false},
      {"localhost:3000", false},
      {"http://", false},
      {"null", false},
      {"http://evil.example", false},
      {"https://app.example.com:443", false},  // not the listed spelling
  };
  for (const Case& c : cases) {
    EXPECT_EQ(originAllowed(c.header, allowed), c.allowed) << c.header;
  }
}

TEST(OriginCheck, HostHeadersMustNameALoopbackHost) {
  const Case cases[] = {
      {"localhost", true},
      {"localhost:7411", true},
      {"127.0.0.1:0", true},
      {"[::1]:7411", true},
      {"[::1]", true},
      {"LocalHost:1", true},
      {"localhost:80@evil.com", false},
      {"localhost:evil", false},
      {"localhost:", false},
      {"localhost.evil.com", false},
      {"evil.example:80", false},
      {"", false},
      {"127.0.0.1:65536", false},
      {"[::1]:80@evil", false},
      {"[::1", false},
      {"local host", false},
  };
  for (const Case& c : cases) {
    EXPECT_EQ(isLoopbackHostHeader(c.header), c.allowed) << c.header;
  }
}

TEST(OriginCheck, ParsesSchemeHostAndPort) {
  auto o = parseOrigin("https://[::1]:8443");
  ASSERT_TRUE(o.ok()) << o.status().toString();
  EXPECT_EQ(o->scheme, "https");
  EXPECT_EQ(o->authority.host, "[::1]");
  ASSERT_TRUE(o->authority.port.has_value());
  EXPECT_EQ(*o->authority.port, 8443);
  auto h = parseHostPort("Example.COM");
  ASSERT_TRUE(h.ok());
  EXPECT_EQ(h->host, "example.com");
  EXPECT_FALSE(h->port.has_value());
  auto refused = parseHostPort("localhost:80@evil.com");
  EXPECT_EQ(refused.status().code(), StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace ward::mcp
