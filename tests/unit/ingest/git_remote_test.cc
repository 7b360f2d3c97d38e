// The git connector's remote checks and token header (src/ingest/connectors/git/git_remote.h).
#include <gtest/gtest.h>

#include "../../../src/ingest/connectors/git/git_process.h"
#include "../../../src/ingest/connectors/git/git_remote.h"
#include "ward/common/encoding.h"

namespace ward::ingest {
namespace {

SourceConfig httpSource(const std::string& root) {
  SourceConfig s;
  s.name = "repo";
  s.connector = "git";
  s.root = root;
  s.allowed_hosts = {"127.0.0.1", "git.example.com"};
  return s;
}

ConnectorEnv envWithSecret(const std::string& value) {
  ConnectorEnv env;
  env.secret = [value](const std::string& name) -> Result<std::string> {
    if (name != "gh") return Status::notFound("no secret");
    return value;
  };
  return env;
}

TEST(GitRemoteTest, TheTokenIsABasicHeaderInTheEnvironmentOnly) {
  SourceConfig s = httpSource("https://git.example.com/org/repo.git");
  s.token_secret = "gh";
  auto r = parseGitRemote(s, envWithSecret("tok123"));
  ASSERT_TRUE(r.ok()) << r.status().toString();
  const std::string header =
      "Authorization: Basic " + base64Encode(std::string("x-access-token:tok123"));
  EXPECT_EQ(gitAuthHeader(GitAuthScheme::kBasic, "tok123"), header);
  ASSERT_EQ(r->auth_env.size(), 3u);
  EXPECT_EQ(r->auth_env[0], "GIT_CONFIG_COUNT=1");
  EXPECT_EQ(r->auth_env[1], "GIT_CONFIG_KEY_0=http.extraHeader");
  EXPECT_EQ(r->auth_env[2], "GIT_CONFIG_VALUE_0=" + header);
  EXPECT_EQ(r->url.find("tok123"), std::string::npos);
  // What is scrubbed from git's errors: the header, its encoded credential and the token.
  EXPECT_NE(std::find(r->auth_scrub.begin(), r->auth_scrub.end(), "tok123"), r->auth_scrub.end());
  EXPECT_NE(std::find(r->auth_scrub.begin(), r->auth_scrub.end(),
                      base64Encode(std::string("x-access-token:tok123"))),
            r->auth_scrub.end());
}

TEST(GitRemoteTest, BearerIsAnOption) {
  SourceConfig s = httpSource("https://git.example.com/org/repo.git");
  s.token_secret = "gh";
  s.options = Json{{"auth", "bearer"}};
  auto r = parseGitRemote(s, envWithSecret("tok123"));
  ASSERT_TRUE(r.ok()) << r.status().toString();
  EXPECT_EQ(r->auth_env[2], "GIT_CONFIG_VALUE_0=Authorization: Bearer tok123");
  s.options = Json{{"auth", "digest"}};
  EXPECT_EQ(parseGitRemote(s, envWithSecret("tok123")).status().code(),
            StatusCode::kInvalidArgument);
}

TEST(GitRemoteTest, AMissingSecretIsNamedNeverItsValue) {
  SourceConfig s = httpSource("https://git.example.com/org/repo.git");
  s.token_secret = "other";
  auto r = parseGitRemote(s, envWithSecret("tok123"));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(r.status().message().find("secret 'other' is not set"), std::string::npos);
  EXPECT_EQ(r.status().message().find("tok123"), std::string::npos);
  s.token_secret = "gh";
  EXPECT_EQ(parseGitRemote(s, envWithSecret("a\nb")).status().code(), StatusCode::kInvalidArgument);
}

TEST(GitRemoteTest, PlainHttpOnlyWithAllowPrivateAndNeverToAPublicAddress) {
  SourceConfig s = httpSource("http://127.0.0.1:8080/repo.git");
  auto refused = parseGitRemote(s, ConnectorEnv{});
  ASSERT_FALSE(refused.ok());
  EXPECT_NE(refused.status().message().find("http:// is refused"), std::string::npos);
  s.allow_private = true;
  auto r = parseGitRemote(s, ConnectorEnv{});
  ASSERT_TRUE(r.ok()) << r.status().toString();
  EXPECT_TRUE(r->plain_http);
  EXPECT_EQ(r->port, 8080);
  auto pin = pinGitRemote(*r);
  ASSERT_TRUE(pin.ok()) << pin.status().toString();
  EXPECT_EQ(*pin, "http.curloptResolve=127.0.0.1:8080:127.0.0.1");
  // Loopback over https stays refused without allow_private.
  GitRemote https = *r;
  https.plain_http = false;
  https.allow_private = false;
  EXPECT_EQ(pinGitRemote(https).status().code(), StatusCode::kPermissionDenied);
  // Plain http to a public address is refused even with allow_private (the token would travel
  // in the clear over the internet).
  GitRemote pub = *r;
  pub.host = "8.8.8.8";
  EXPECT_EQ(pinGitRemote(pub).status().code(), StatusCode::kPermissionDenied);
}

TEST(GitRemoteTest, ATokenForALocalRootIsRefused) {
  SourceConfig s = httpSource("/tmp");
  s.token_secret = "gh";
  EXPECT_EQ(parseGitRemote(s, envWithSecret("tok")).status().code(), StatusCode::kInvalidArgument);
}

TEST(GitProcessTest, ErrorsAreScrubbedOfTheCredential) {
  // git names the repository it cannot read on stderr; a scrubbed text never reaches the error.
  GitCommand c{"", {"ls-remote", "--", "/nonexistent/sekrit42"}, {}, 4096, {}, {}};
  c.scrub = {"sekrit42"};
  auto r = runGit(c);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message().find("sekrit42"), std::string::npos) << r.status().message();
  EXPECT_NE(r.status().message().find("***"), std::string::npos) << r.status().message();
}

}  // namespace
}  // namespace ward::ingest
