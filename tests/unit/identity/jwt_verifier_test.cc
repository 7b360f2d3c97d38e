// JwtVerifier against tokens signed in the test with freshly generated RSA and P-256 keys.
#include "ward/identity/jwt_verifier.h"

#include <gtest/gtest.h>
#include <openssl/core_names.h>
#include <openssl/ecdsa.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <memory>

#include "ward/common/encoding.h"

namespace ward::identity {
namespace {

constexpr int64_t kNowS = 1'700'000'000;
// The order n of the P-256 group (SEC 2).
constexpr char kP256Order[] = "FFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551";

struct Key {
  std::shared_ptr<EVP_PKEY> pkey;
  Json jwk;
};

std::string bnBytes(EVP_PKEY* k, const char* name) {
  BIGNUM* bn = nullptr;
  EVP_PKEY_get_bn_param(k, name, &bn);
  std::string out(static_cast<size_t>(BN_num_bytes(bn)), '\0');
  BN_bn2bin(bn, reinterpret_cast<unsigned char*>(out.data()));
  BN_free(bn);
  return out;
}

Key rsaKey(const std::string& kid, int bits = 2048) {
  EVP_PKEY* k = EVP_PKEY_Q_keygen(nullptr, nullptr, "RSA", static_cast<size_t>(bits));
  Key key{std::shared_ptr<EVP_PKEY>(k, EVP_PKEY_free), Json()};
  key.jwk = {{"kty", "RSA"},
             {"kid", kid},
             {"use", "sig"},
             {"n", base64UrlEncode(bnBytes(k, OSSL_PKEY_PARAM_RSA_N))},
             {"e", base64UrlEncode(bnBytes(k, OSSL_PKEY_PARAM_RSA_E))}};
  return key;
}

Key ecKey(const std::string& kid) {
  EVP_PKEY* k = EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256");
  Key key{std::shared_ptr<EVP_PKEY>(k, EVP_PKEY_free), Json()};
  std::string x = bnBytes(k, OSSL_PKEY_PARAM_EC_PUB_X), y = bnBytes(k, OSSL_PKEY_PARAM_EC_PUB_Y);
  x.insert(0, 32 - x.size(), '\0');
  y.insert(0, 32 - y.size(), '\0');
  key.jwk = {{"kty", "EC"},
             {"kid", kid},
             {"crv", "P-256"},
             {"x", base64UrlEncode(x)},
             {"y", base64UrlEncode(y)}};
  return key;
}

std::string sign(EVP_PKEY* k, const std::string& input, bool ec) {
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  size_t len = 0;
  EVP_DigestSignInit(ctx, nullptr, EVP_sha256(), nullptr, k);
  EVP_DigestSign(ctx, nullptr, &len, reinterpret_cast<const unsigned char*>(input.data()),
                 input.size());
  std::string sig(len, '\0');
  EVP_DigestSign(ctx, reinterpret_cast<unsigned char*>(sig.data()), &len,
                 reinterpret_cast<const unsigned char*>(input.data()), input.size());
  sig.resize(len);
  EVP_MD_CTX_free(ctx);
  if (!ec) return sig;
  // DER -> r || s, as JWS wants it, with s in the low half (what the verifier accepts).
  const unsigned char* p = reinterpret_cast<const unsigned char*>(sig.data());
  ECDSA_SIG* s = d2i_ECDSA_SIG(nullptr, &p, static_cast<long>(sig.size()));
  std::string raw(64, '\0');
  BN_bn2binpad(ECDSA_SIG_get0_r(s), reinterpret_cast<unsigned char*>(raw.data()), 32);
  BIGNUM* low = BN_dup(ECDSA_SIG_get0_s(s));
  BIGNUM* n = nullptr;
  BN_hex2bn(&n, kP256Order);
  BIGNUM* half = BN_new();
  BN_rshift1(half, n);
  if (BN_cmp(low, half) > 0) BN_sub(low, n, low);
  BN_bn2binpad(low, reinterpret_cast<unsigned char*>(raw.data()) + 32, 32);
  BN_free(low);
  BN_free(n);
  BN_free(half);
  ECDSA_SIG_free(s);
  return raw;
}

// The same signature with s replaced by n - s: valid ECDSA, but the high-S spelling.
std::string highS(const std::string& raw) {
  BIGNUM* s = BN_bin2bn(reinterpret_cast<const unsigned char*>(raw.data()) + 32, 32, nullptr);
  BIGNUM* n = nullptr;
  BN_hex2bn(&n, kP256Order);
  BN_sub(s, n, s);
  std::string out = raw;
  BN_bn2binpad(s, reinterpret_cast<unsigned char*>(out.data()) + 32, 32);
  BN_free(s);
  BN_free(n);
  return out;
}

Json claims(int64_t exp_offset = 300) {
  return {{"iss", "https://auth.test"},
          {"aud", "https://ward.test"},
          {"sub", "alice"},
          {"exp", kNowS + exp_offset},
          {"iat", kNowS}};
}

std::string token(const Key& k, const std::string& alg, const Json& payload,
                  const std::string& kid) {
  Json header = {{"alg", alg}, {"typ", "JWT"}};
  if (!kid.empty()) header["kid"] = kid;
  std::string input = base64UrlEncode(header.dump()) + "." + base64UrlEncode(payload.dump());
  return input + "." + base64UrlEncode(sign(k.pkey.get(), input, alg == "ES256"));
}

class JwtVerifierTest : public ::testing::Test {
 protected:
  void SetUp() override {
    rsa = rsaKey("r1");
    ec = ecKey("e1");
    jwks = {{"keys", Json::array({rsa.jwk, ec.jwk})}};
    JwtVerifierOptions o;
    o.issuer = "https://auth.test";
    o.audience = "https://ward.test";
    o.leeway_s = 60;
    o.refresh_interval_s = 300;
    verifier = std::make_unique<JwtVerifier>(
        o,
        [this]() -> Result<std::string> {
          ++loads;
          return jwks.dump();
        },
        &clock);
  }
  Status check(const std::string& t) { return verifier->verify(t).status(); }
  void expectRefused(const std::string& t, const std::string& why) {
    Status st = check(t);
    EXPECT_EQ(st.code(), StatusCode::kUnauthenticated) << st.toString();
    EXPECT_NE(st.message().find(why), std::string::npos) << st.message();
  }

  FakeClock clock{kNowS * 1000000};
  Key rsa, ec;
  Json jwks;
  int loads = 0;
  std::unique_ptr<JwtVerifier> verifier;
};

TEST_F(JwtVerifierTest, AcceptsRs256AndEs256) {
  auto a = verifier->verify(token(rsa, "RS256", claims(), "r1"));
  ASSERT_TRUE(a.ok()) << a.status().toString();
  EXPECT_EQ(a->principal, "alice");
  EXPECT_EQ(a->key_id, "r1");
  auto b = verifier->verify(token(ec, "ES256", claims(), "e1"));
  ASSERT_TRUE(b.ok()) << b.status().toString();
  EXPECT_EQ(b->key_id, "e1");
}

TEST_F(JwtVerifierTest, AudienceMayBeAnArray) {
  Json c = claims();
  c["aud"] = Json::array({"other", "https://ward.test"});
  EXPECT_TRUE(check(token(rsa, "RS256", c, "r1")).ok());
}

TEST_F(JwtVerifierTest, RefusesAlgNone) {
  std::string t =
      base64UrlEncode(Json{{"alg", "none"}}.dump()) + "." + base64UrlEncode(claims().dump()) + ".";
  expectRefused(t, "alg 'none' is not accepted");
  std::string t2 = base64UrlEncode(Json{{"alg", "none"}, {"kid", "r1"}}.dump()) + "." +
                   base64UrlEncode(claims().dump()) + ".AAAA";
  expectRefused(t2, "alg 'none' is not accepted");
}

TEST_F(JwtVerifierTest, RefusesHs256SignedWithThePublicKey) {
  // The classic confusion attack: HMAC keyed with the RSA public key material.
  Json header = {{"alg", "HS256"}, {"kid", "r1"}};
  std::string input = base64UrlEncode(header.dump()) + "." + base64UrlEncode(claims().dump());
  std::string secret = rsa.jwk["n"];
  unsigned char mac[32];
  unsigned int len = 0;
  HMAC(EVP_sha256(), secret.data(), static_cast<int>(secret.size()),
       reinterpret_cast<const unsigned char*>(input.data()), input.size(), mac, &len);
  std::string t = input + "." + base64UrlEncode(std::string(reinterpret_cast<char*>(mac), len));
  expectRefused(t, "alg 'HS256' is not accepted");
}

TEST_F(JwtVerifierTest, RefusesAlgThatDoesNotMatchTheKey) {
  // An RSA signature presented as ES256 under the RSA key's kid: no EC key has that kid.
  Json header = {{"alg", "ES256"}, {"kid", "r1"}};
  std::string input = base64UrlEncode(header.dump()) + "." + base64UrlEncode(claims().dump());
  std::string t = input + "." + base64UrlEncode(sign(rsa.pkey.get(), input, false));
  expectRefused(t, "unknown key id 'r1' for ES256");
}

TEST_F(JwtVerifierTest, RefusesExpiredTokensBeyondTheLeeway) {
  expectRefused(token(rsa, "RS256", claims(-61), "r1"), "token expired");
  EXPECT_TRUE(check(token(rsa, "RS256", claims(-59), "r1")).ok());  // within the 60 s leeway
  Json no_exp = claims();
  no_exp.erase("exp");
  expectRefused(token(rsa, "RS256", no_exp, "r1"), "no 'exp' claim");
  Json early = claims();
  early["nbf"] = kNowS + 120;
  expectRefused(token(rsa, "RS256", early, "r1"), "not yet valid");
}

TEST_F(JwtVerifierTest, RefusesWrongAudienceOrIssuer) {
  Json c = claims();
  c["aud"] = "https://elsewhere.test";
  expectRefused(token(rsa, "RS256", c, "r1"), "audience does not match");
  c = claims();
  c["iss"] = "https://evil.test";
  expectRefused(token(ec, "ES256", c, "e1"), "issuer does not match");
}

TEST_F(JwtVerifierTest, RefusesTamperedTokens) {
  std::string t = token(rsa, "RS256", claims(), "r1");
  // Another payload under the original signature.
  Json c = claims();
  c["sub"] = "admin";
  size_t d1 = t.find('.'), d2 = t.rfind('.');
  std::string swapped = t.substr(0, d1 + 1) + base64UrlEncode(c.dump()) + t.substr(d2);
  expectRefused(swapped, "bad signature");
  // One flipped signature character.
  std::string flipped = t;
  flipped[d2 + 5] = flipped[d2 + 5] == 'A' ? 'B' : 'A';
  expectRefused(flipped, "bad signature");
  std::string e = token(ec, "ES256", claims(), "e1");
  e[e.rfind('.') + 3] = e[e.rfind('.') + 3] == 'A' ? 'B' : 'A';
  expectRefused(e, "bad signature");
}

TEST_F(JwtVerifierTest, RefusesNonCanonicalSignatures) {
  // Issue 19 item 20: (r, n - s) verifies whenever (r, s) does; only low S is accepted.
  for (int i = 0; i < 4; ++i) {
    Json header = {{"alg", "ES256"}, {"kid", "e1"}};
    Json c = claims();
    c["jti"] = i;
    std::string input = base64UrlEncode(header.dump()) + "." + base64UrlEncode(c.dump());
    std::string raw = sign(ec.pkey.get(), input, true);
    EXPECT_TRUE(check(input + "." + base64UrlEncode(raw)).ok());
    expectRefused(input + "." + base64UrlEncode(highS(raw)), "not canonical (high S)");
  }
  // Unused trailing bits of the base64url signature: another spelling of the same bytes.
  std::string t = token(ec, "ES256", claims(), "e1");
  ASSERT_TRUE(check(t).ok());
  static const std::string kAlphabet =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  char& last = t.back();
  last = kAlphabet[kAlphabet.find(last) | 1];  // 64 bytes = 86 chars: the last 4 bits are unused
  expectRefused(t, "not canonical base64url");
}

TEST_F(JwtVerifierTest, UnknownKidReloadsAtMostOncePerInterval) {
  Key later = rsaKey("r2");
  std::string t = token(later, "RS256", claims(), "r2");
  expectRefused(t, "unknown key id 'r2'");
  EXPECT_EQ(loads, 1);  // loaded once; the reload is not due yet
  jwks["keys"].push_back(later.jwk);
  expectRefused(t, "unknown key id 'r2'");
  EXPECT_EQ(loads, 1);
  clock.advanceMicros(301LL * 1000000);
  Json c = claims(600);
  EXPECT_TRUE(check(token(later, "RS256", c, "r2")).ok());
  EXPECT_EQ(loads, 2);
}

TEST_F(JwtVerifierTest, RefusesKeysOfAnotherIssuerAndMalformedInput) {
  Key stranger = rsaKey("r1");  // same kid, different key
  expectRefused(token(stranger, "RS256", claims(), "r1"), "bad signature");
  expectRefused("abc", "not a JWS");
  expectRefused("a.b.c", "header is not");
  expectRefused(std::string(20000, 'a'), "longer than 16 KiB");
  Json c = claims();
  c.erase("sub");
  expectRefused(token(rsa, "RS256", c, "r1"), "claim 'sub' is missing");
}

TEST(JwksTest, SkipsWeakAndUnsupportedKeys) {
  Key weak = rsaKey("weak", 1024);
  Json set = {{"keys", Json::array({weak.jwk, Json{{"kty", "oct"}, {"k", "c2VjcmV0"}}})}};
  auto parsed = parseJwks(set.dump());
  ASSERT_TRUE(parsed.ok());
  JwtVerifierOptions o;
  o.issuer = "https://auth.test";
  o.audience = "https://ward.test";
  FakeClock clock{kNowS * 1000000};
  JwtVerifier v(
      o, [&] { return Result<std::string>(set.dump()); }, &clock);
  Status st = v.verify(token(weak, "RS256", claims(), "weak")).status();
  EXPECT_EQ(st.code(), StatusCode::kUnauthenticated);
  EXPECT_FALSE(parseJwks("{\"nokeys\":1}").ok());
  EXPECT_FALSE(parseJwks("not json").ok());
}

}  // namespace
}  // namespace ward::identity
