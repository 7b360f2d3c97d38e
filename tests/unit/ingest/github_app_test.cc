// A GitHub App's options, JWT claims and signature (the exchange for installation tokens runs
// against the fake in integration.github_app_test).
#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include <memory>
#include <string>

#include "../../../src/ingest/connectors/github/github_app.h"
#include "../../../src/ingest/connectors/github/github_options.h"
#include "../../../src/ingest/jwt_signer.h"
#include "ward/common/encoding.h"

namespace ward::ingest {
namespace {

std::string fromBase64Url(std::string s) {
  for (char& c : s) {
    if (c == '-') c = '+';
    if (c == '_') c = '/';
  }
  while (s.size() % 4) s += '=';
  return base64Decode(s).value_or("");
}

TEST(GithubAppTest, OptionsGoTogether) {
  Json all = {
      {"repos", {"a/b"}}, {"app_id", 12}, {"installation_id", 34}, {"app_key_secret", "gh_key"}};
  auto o = parseGithubOptions(all);
  ASSERT_TRUE(o.ok()) << o.status().message();
  EXPECT_EQ(o->app_id, 12);
  EXPECT_EQ(o->installation_id, 34);
  EXPECT_EQ(o->app_key_secret, "gh_key");
  for (const char* drop : {"app_id", "installation_id", "app_key_secret"}) {
    Json partial = all;
    partial.erase(drop);
    auto r = parseGithubOptions(partial);
    ASSERT_FALSE(r.ok()) << drop;
    EXPECT_NE(r.status().message().find("go together"), std::string::npos);
  }
  Json bad = all;
  bad["app_id"] = "12";
  EXPECT_FALSE(parseGithubOptions(bad).ok());
  bad = all;
  bad["app_key_secret"] = "";
  EXPECT_FALSE(parseGithubOptions(bad).ok());
  EXPECT_TRUE(parseGithubOptions(Json{{"repos", {"a/b"}}}).ok());  // a token source
}

TEST(GithubAppTest, ClaimsAreBackdatedAndLastAtMostTenMinutes) {
  Json c = githubAppClaims(42, 1'000'000);
  EXPECT_EQ(c["iat"].get<int64_t>(), 1'000'000 - kGithubAppJwtBackdateS);
  EXPECT_EQ(c["exp"].get<int64_t>() - c["iat"].get<int64_t>(), kGithubAppJwtLifetimeS);
  EXPECT_LE(kGithubAppJwtLifetimeS, 600);
  EXPECT_EQ(c["iss"], "42");
}

TEST(GithubAppTest, TheSharedSignerMakesAnRs256JwtThatVerifies) {
  std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)> pkey(EVP_RSA_gen(2048), EVP_PKEY_free);
  ASSERT_TRUE(pkey);
  std::unique_ptr<BIO, decltype(&BIO_free)> bio(BIO_new(BIO_s_mem()), BIO_free);
  ASSERT_EQ(PEM_write_bio_PrivateKey(bio.get(), pkey.get(), nullptr, nullptr, 0, nullptr, nullptr),
            1);
  char* pem = nullptr;
  long n = BIO_get_mem_data(bio.get(), &pem);
  auto jwt = signJwtRs256(std::string(pem, n), githubAppClaims(7, 5000));
  ASSERT_TRUE(jwt.ok()) << jwt.status().message();
  size_t a = jwt->find('.'), b = jwt->rfind('.');
  Json header = *parseJson(fromBase64Url(jwt->substr(0, a)));
  Json claims = *parseJson(fromBase64Url(jwt->substr(a + 1, b - a - 1)));
  EXPECT_EQ(header["alg"], "RS256");
  EXPECT_EQ(claims["iss"], "7");
  std::string input = jwt->substr(0, b), sig = fromBase64Url(jwt->substr(b + 1));
  std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx(EVP_MD_CTX_new(), EVP_MD_CTX_free);
  ASSERT_EQ(EVP_DigestVerifyInit(ctx.get(), nullptr, EVP_sha256(), nullptr, pkey.get()), 1);
  EXPECT_EQ(
      EVP_DigestVerify(ctx.get(), reinterpret_cast<const unsigned char*>(sig.data()), sig.size(),
                       reinterpret_cast<const unsigned char*>(input.data()), input.size()),
      1);
  auto bad = signJwtRs256("-----BEGIN PRIVATE KEY-----\nnotakey", githubAppClaims(7, 5000));
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().message().find("notakey"), std::string::npos);
}

}  // namespace
}  // namespace ward::ingest
