// What service connectors share: identity rules, the [[sources]] keys they read, and the
// client's refusals and Retry-After arithmetic (no network: the client refuses before sending).
#include <gtest/gtest.h>

#include "../../../src/ingest/service_client.h"
#include "ward/ingest/identity_map.h"
#include "ward/ingest/source_config.h"

namespace ward::ingest {
namespace {

TEST(IdentityMapTest, FirstMatchingRuleWinsAndUnmappedGrantsNothing) {
  std::vector<IdentityRule> rules = {
      {"ops-bot@example.com", "svc-ops"},
      {"*@example.com", "{local}"},
      {"U0*", "slack-{identity}"},
  };
  EXPECT_EQ(mapIdentity(rules, "ops-bot@example.com"), "svc-ops");
  EXPECT_EQ(mapIdentity(rules, "Alice@Example.COM"), "alice");
  EXPECT_EQ(mapIdentity(rules, "U0ABC"), "slack-u0abc");
  EXPECT_EQ(mapIdentity(rules, "mallory@evil.example"), "");
  EXPECT_EQ(mapIdentity(rules, ""), "");
  // A result that is not a principal name maps to nobody, not to a later rule's.
  std::vector<IdentityRule> bad = {{"*", "{identity}"}, {"*", "fallback"}};
  EXPECT_EQ(mapIdentity(bad, "has space@example.com"), "");
  IdentityMapper mapper(rules);
  EXPECT_EQ(mapper.map("bob@example.com"), "bob");
  EXPECT_EQ(mapper.map("x@other.org"), "");
  EXPECT_EQ(mapper.map("x@other.org"), "");
  EXPECT_EQ(mapper.unmapped(), (std::set<std::string>{"x@other.org"}));
}

TEST(ServiceSourceConfigTest, ReadsServiceKeysAndRefusesBadOnes) {
  auto parsed = parseSourceConfigs(R"(
[[sources]]
name = "gh"
connector = "github"
base_url = "https://api.github.example"
allowed_hosts = ["api.github.example"]
token_secret = "gh-token"
allow_private = true
[sources.options]
repos = ["acme/handbook"]
issues = true
max_items = 5
[[sources.identities]]
match = "*@acme.example"
principal = "{local}"
)");
  ASSERT_TRUE(parsed.ok()) << parsed.status().message();
  const SourceConfig& s = parsed->at(0);
  EXPECT_EQ(s.base_url, "https://api.github.example");
  EXPECT_EQ(s.token_secret, "gh-token");
  EXPECT_TRUE(s.allow_private);
  EXPECT_EQ(s.options["repos"][0], "acme/handbook");
  EXPECT_EQ(s.options["issues"], true);
  EXPECT_EQ(s.options["max_items"], 5);
  ASSERT_EQ(s.identities.size(), 1u);
  EXPECT_EQ(s.identities[0].principal, "{local}");

  for (const char* bad : {
           "base_url = \"https://user:pw@api.example\"",  // credentials in the URL
           "token_secret = \"has space\"",
           "options = 3",
           "allow_private = \"yes\"",
       }) {
    auto r = parseSourceConfigs(std::string("[[sources]]\nname = \"s\"\nconnector = \"x\"\n") +
                                bad + "\n");
    EXPECT_FALSE(r.ok()) << bad;
  }
  auto no_principal = parseSourceConfigs(
      "[[sources]]\nname = \"s\"\nconnector = \"x\"\n[[sources.identities]]\nmatch = \"*\"\n");
  ASSERT_FALSE(no_principal.ok());
  EXPECT_NE(no_principal.status().message().find("identities[0].principal"), std::string::npos);
}

SourceConfig serviceSource() {
  SourceConfig s;
  s.name = "svc";
  s.connector = "x";
  return s;
}

TEST(ServiceClientTest, RefusesHostsOffTheAllowListPlainHttpAndMissingSecrets) {
  ConnectorEnv env;
  SourceConfig s = serviceSource();
  // The default base URL's host is allowed when the source names no allowed_hosts.
  auto client = ServiceClient::open(s, env, "https://api.service.example/v1/");
  ASSERT_TRUE(client.ok()) << client.status().message();
  EXPECT_EQ((*client)->baseUrl(), "https://api.service.example/v1");
  auto off = (*client)->get("https://elsewhere.example/steal");
  ASSERT_FALSE(off.ok());
  EXPECT_NE(off.status().message().find("allowed_hosts"), std::string::npos);
  EXPECT_EQ((*client)->requests(), 0);

  s.base_url = "https://self-hosted.example";
  EXPECT_FALSE(ServiceClient::open(s, env, "https://api.service.example").ok());
  s.allowed_hosts = {"Self-Hosted.example"};
  EXPECT_TRUE(ServiceClient::open(s, env, "https://api.service.example").ok());

  s.base_url = "http://self-hosted.example";
  EXPECT_FALSE(ServiceClient::open(s, env, "").ok());
  s.allow_private = true;
  EXPECT_TRUE(ServiceClient::open(s, env, "").ok());

  s.token_secret = "svc-token";
  auto no_env = ServiceClient::open(s, env, "");
  ASSERT_FALSE(no_env.ok());
  EXPECT_NE(no_env.status().message().find("svc-token"), std::string::npos);
  env.secret = [](const std::string&) -> Result<std::string> { return std::string("tok-123"); };
  auto with = ServiceClient::open(s, env, "");
  ASSERT_TRUE(with.ok());
  EXPECT_EQ((*with)->credential(), "tok-123");
  EXPECT_EQ((*with)->scrub("GET failed: Bearer tok-123 refused"), "GET failed: [REDACTED] refused");
}

TEST(ServiceClientTest, RetryAfterReadsSecondsDatesAndGithubResets) {
  net::OutboundReply r;
  EXPECT_EQ(retryAfterSeconds(r, 1000), 0);
  r.headers["retry-after"] = "30";
  EXPECT_EQ(retryAfterSeconds(r, 1000), 30);
  r.headers["retry-after"] = "Thu, 01 Jan 1970 00:01:40 GMT";  // 100
  EXPECT_EQ(retryAfterSeconds(r, 40), 60);
  EXPECT_EQ(retryAfterSeconds(r, 400), 0);
  r.headers.erase("retry-after");
  r.headers["x-ratelimit-remaining"] = "0";
  r.headers["x-ratelimit-reset"] = "1600";
  EXPECT_EQ(retryAfterSeconds(r, 1000), 600);
  r.headers["x-ratelimit-remaining"] = "12";
  EXPECT_EQ(retryAfterSeconds(r, 1000), 0);
}

}  // namespace
}  // namespace ward::ingest
