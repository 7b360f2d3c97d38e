// The Google Drive connector's pure pieces: [sources.options] validation, Drive permissions to
// Ward ACLs (a table), and the RS256 assertion (verified here with the key's public half).
#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>

#include <memory>

#include "../../../src/ingest/connectors/gdrive/gdrive_auth.h"
#include "../../../src/ingest/connectors/gdrive/gdrive_connector.h"
#include "ward/common/encoding.h"

namespace ward::ingest {
namespace {

TEST(GdriveOptionsTest, UnknownKeysAndWrongTypesAreRefusedByName) {
  EXPECT_FALSE(parseDriveOptions(Json::object()).ok());  // subject is required
  auto ok = parseDriveOptions(Json{{"subject", "admin@example.com"}, {"domain_public", true}});
  ASSERT_TRUE(ok.ok()) << ok.status().message();
  EXPECT_TRUE(ok->domain_public);
  EXPECT_FALSE(ok->anyone_public);
  EXPECT_EQ(ok->token_url, "") << "unset: the key's token_uri, else the default";
  EXPECT_EQ(ok->full_every_s, kDriveDefaultFullEverySeconds);
  EXPECT_EQ(parseDriveOptions(Json{{"subject", "a@b"}, {"full_every_s", 0}})->full_every_s, 0);
  for (const Json& bad : {Json(-1), Json(kDriveMaxFullEverySeconds + 1), Json("1d")}) {
    auto r = parseDriveOptions(Json{{"subject", "a@b"}, {"full_every_s", bad}});
    ASSERT_FALSE(r.ok()) << bad.dump();
    EXPECT_NE(r.status().message().find("full_every_s"), std::string::npos);
  }
  EXPECT_EQ(ok->page_size, kDriveDefaultPageSize);
  EXPECT_TRUE(parseDriveOptions(Json{{"subject", "a@b"}, {"sync_groups", true}})->sync_groups);
  auto unknown = parseDriveOptions(Json{{"subject", "a@b"}, {"sync_grups", true}});
  ASSERT_FALSE(unknown.ok());
  EXPECT_NE(unknown.status().message().find("sync_grups"), std::string::npos);
  auto type = parseDriveOptions(Json{{"subject", "a@b"}, {"anyone_public", "yes"}});
  ASSERT_FALSE(type.ok());
  EXPECT_NE(type.status().message().find("anyone_public"), std::string::npos);
  EXPECT_FALSE(parseDriveOptions(Json{{"subject", "a@b"}, {"page_size", 1001}}).ok());
}

struct AclCase {
  const char* name;
  const char* permissions;  // JSON
  bool domain_public, anyone_public;
  std::vector<std::string> users, groups;
  bool is_public;
};

TEST(GdriveAclTest, PermissionsMapFailClosed) {
  const std::vector<AclCase> cases = {
      {"user",
       R"([{"type":"user","emailAddress":"Alice@example.com"}])",
       false,
       false,
       {"alice"},
       {},
       false},
      {"unmapped user grants nothing",
       R"([{"type":"user","emailAddress":"x@evil.org"}])",
       false,
       false,
       {},
       {},
       false},
      {"group through identities",
       R"([{"type":"group","emailAddress":"eng@groups.example.com"}])",
       false,
       false,
       {},
       {"grp-eng"},
       false},
      {"domain without the option",
       R"([{"type":"domain","domain":"example.com"}])",
       false,
       false,
       {},
       {},
       false},
      {"domain with domain_public",
       R"([{"type":"domain","domain":"example.com"}])",
       true,
       false,
       {},
       {},
       true},
      {"anyone without the option", R"([{"type":"anyone"}])", true, false, {}, {}, false},
      {"anyone with anyone_public", R"([{"type":"anyone"}])", false, true, {}, {}, true},
      {"unknown type",
       R"([{"type":"robot","emailAddress":"alice@example.com"}])",
       true,
       true,
       {},
       {},
       false},
      {"user without email", R"([{"type":"user"}])", false, false, {}, {}, false},
      {"duplicates collapse",
       R"([{"type":"user","emailAddress":"bob@example.com"},{"type":"user","emailAddress":"BOB@example.com"}])",
       false,
       false,
       {"bob"},
       {},
       false},
      {"not an array", R"({"type":"anyone"})", true, true, {}, {}, false},
  };
  std::vector<IdentityRule> rules = {{"*@groups.example.com", "grp-{local}"},
                                     {"*@example.com", "{local}"}};
  for (const AclCase& c : cases) {
    DriveOptions options;
    options.domain_public = c.domain_public;
    options.anyone_public = c.anyone_public;
    IdentityMapper mapper(rules);
    store::Acl acl = driveAcl(*parseJson(c.permissions), options, mapper);
    EXPECT_EQ(acl.users, c.users) << c.name;
    EXPECT_EQ(acl.groups, c.groups) << c.name;
    EXPECT_EQ(acl.is_public, c.is_public) << c.name;
  }
}

TEST(GdriveAclTest, WithSyncGroupsAGroupIsASourceGroupNamedByItsEmail) {
  DriveOptions options;
  options.sync_groups = true;
  options.group_prefix = "drive.group.";
  std::vector<IdentityRule> rules = {{"*@groups.example.com", "grp-{local}"}};
  IdentityMapper mapper(rules);
  std::map<std::string, std::string> groups;
  store::Acl acl = driveAcl(*parseJson(R"([{"type":"group","emailAddress":"Eng@Groups.example.com"},
      {"type":"group","emailAddress":"a-very-long-group-name-that-is-far-too-long@groups.example.com"}])"),
                            options, mapper, &groups);
  // Not the identities rule's name; a name over the principal-name limit grants nothing.
  EXPECT_EQ(acl.groups, (std::vector<std::string>{"drive.group.eng@groups.example.com"}));
  EXPECT_EQ(groups, (std::map<std::string, std::string>{
                        {"drive.group.eng@groups.example.com", "eng@groups.example.com"}}));
}

std::string fromBase64Url(std::string s) {
  for (char& c : s) {
    if (c == '-') c = '+';
    if (c == '_') c = '/';
  }
  while (s.size() % 4) s += '=';
  return base64Decode(s).value_or("");
}

TEST(GdriveAuthTest, TheAssertionIsAnRs256JwtThatVerifiesWithThePublicKey) {
  std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)> pkey(EVP_RSA_gen(2048), EVP_PKEY_free);
  ASSERT_TRUE(pkey);
  std::unique_ptr<BIO, decltype(&BIO_free)> bio(BIO_new(BIO_s_mem()), BIO_free);
  ASSERT_EQ(PEM_write_bio_PrivateKey(bio.get(), pkey.get(), nullptr, nullptr, 0, nullptr, nullptr),
            1);
  char* pem = nullptr;
  long n = BIO_get_mem_data(bio.get(), &pem);
  ServiceAccountKey key{"sa@proj.iam.gserviceaccount.com", std::string(pem, n), ""};
  auto jwt = signAssertion(key, "admin@example.com", "https://oauth2.googleapis.com/token", 1000);
  ASSERT_TRUE(jwt.ok()) << jwt.status().message();
  size_t a = jwt->find('.'), b = jwt->rfind('.');
  ASSERT_NE(a, b);
  Json header = *parseJson(fromBase64Url(jwt->substr(0, a)));
  Json claims = *parseJson(fromBase64Url(jwt->substr(a + 1, b - a - 1)));
  EXPECT_EQ(header["alg"], "RS256");
  EXPECT_EQ(claims["iss"], "sa@proj.iam.gserviceaccount.com");
  EXPECT_EQ(claims["sub"], "admin@example.com");
  EXPECT_EQ(claims["aud"], "https://oauth2.googleapis.com/token");
  EXPECT_EQ(claims["scope"], kDriveScope);
  EXPECT_EQ(claims["exp"].get<int64_t>() - claims["iat"].get<int64_t>(), kDriveAssertionLifetimeS);
  std::string input = jwt->substr(0, b), sig = fromBase64Url(jwt->substr(b + 1));
  std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx(EVP_MD_CTX_new(), EVP_MD_CTX_free);
  ASSERT_EQ(EVP_DigestVerifyInit(ctx.get(), nullptr, EVP_sha256(), nullptr, pkey.get()), 1);
  EXPECT_EQ(
      EVP_DigestVerify(ctx.get(), reinterpret_cast<const unsigned char*>(sig.data()), sig.size(),
                       reinterpret_cast<const unsigned char*>(input.data()), input.size()),
      1);
  // Not a key: refused without echoing it.
  auto bad = signAssertion({"sa@x", "-----BEGIN PRIVATE KEY-----\nnotakey", ""}, "", "aud", 0);
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().message().find("notakey"), std::string::npos);
  // The key JSON: a missing field is named.
  auto missing = parseServiceAccountKey(R"({"client_email":"sa@x"})");
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.status().message().find("private_key"), std::string::npos);
}

TEST(GdriveAuthTest, TheTokenEndpointIsTheOptionElseTheKeysTokenUriElseGoogles) {
  EXPECT_EQ(driveTokenUrl("https://a.example/token", "https://b.example/token"),
            "https://a.example/token");
  EXPECT_EQ(driveTokenUrl("", "https://b.example/token"), "https://b.example/token");
  EXPECT_EQ(driveTokenUrl("", ""), kDriveDefaultTokenUrl);
}

TEST(GdriveCursorTest, CursorsRoundTripAndGarbageMeansAFullListing) {
  const DriveCursor cases[] = {
      {DriveCursorKind::kListing, 1700000000, "42", "p100"},
      {DriveCursorKind::kListing, 1700000000, "", ""},
      {DriveCursorKind::kChanges, 1700000000, "57", ""},
      {DriveCursorKind::kFeed, 1700000000, "58", ""},
  };
  for (const DriveCursor& c : cases) {
    const std::string text = formatDriveCursor(c);
    const DriveCursor back = parseDriveCursor(text);
    EXPECT_EQ(back.kind, c.kind) << text;
    EXPECT_EQ(back.full_at_s, c.full_at_s) << text;
    EXPECT_EQ(back.feed_token, c.feed_token) << text;
    EXPECT_EQ(back.page_token, c.page_token) << text;
  }
  EXPECT_EQ(formatDriveCursor({}), "");
  // The connector's checkpoints before the feed were a bare files.list page token.
  const DriveCursor legacy = parseDriveCursor("p200");
  EXPECT_EQ(legacy.kind, DriveCursorKind::kListing);
  EXPECT_EQ(legacy.page_token, "p200");
  EXPECT_TRUE(legacy.feed_token.empty());
  for (const char* bad : {"feed\tx\t5", "feed\t17\t", "feed\t17\t5\textra", "chg\t17",
                          "what\t17\t5", "list\t17\t5", "p 200", "feed\t17\ta b"}) {
    EXPECT_EQ(parseDriveCursor(bad).kind, DriveCursorKind::kNone) << bad;
  }
  EXPECT_FALSE(isDrivePageToken(""));
  EXPECT_FALSE(isDrivePageToken(std::string(kDriveMaxPageTokenBytes + 1, 'a')));
  EXPECT_TRUE(isDrivePageToken(std::string(kDriveMaxPageTokenBytes, 'a')));
}

struct FeedCase {
  const char* name;
  DriveCursorKind kind;
  int64_t full_at_s;
  bool full;
  int64_t full_every_s;
  bool reads_feed;
};

TEST(GdriveCursorTest, ANewPassReadsTheFeedOnlyFromAFeedCursorWithinFullEvery) {
  const int64_t now = 1'700'000'000;
  const FeedCase cases[] = {
      {"a fresh feed cursor", DriveCursorKind::kFeed, now - 60, false, 86'400, true},
      {"--full lists everything", DriveCursorKind::kFeed, now - 60, true, 86'400, false},
      {"a full listing is due", DriveCursorKind::kFeed, now - 86'400, false, 86'400, false},
      {"full_every_s = 0: always a listing", DriveCursorKind::kFeed, now - 1, false, 0, false},
      {"no cursor (first run)", DriveCursorKind::kNone, 0, false, 86'400, false},
      {"a listing's checkpoint is no cursor", DriveCursorKind::kListing, now - 60, false, 86'400,
       false},
      {"a clock that went back", DriveCursorKind::kFeed, now + 60, false, 86'400, false},
  };
  for (const FeedCase& c : cases) {
    EXPECT_EQ(driveReadsFeed({c.kind, c.full_at_s, "5", ""}, c.full, c.full_every_s, now),
              c.reads_feed)
        << c.name;
  }
}

}  // namespace
}  // namespace ward::ingest
