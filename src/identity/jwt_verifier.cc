#include "ward/common/mutex.h"
#include "ward/identity/jwt_verifier.h"

#include <openssl/ecdsa.h>
#include <openssl/evp.h>

#include <cmath>
#include <cstring>

#include "jwks_keys.h"
#include "ward/common/encoding.h"

namespace ward::identity {

namespace {

constexpr size_t kMaxTokenBytes = 16 << 10;

Status bad(const std::string& why) {
  return Status::unauthenticated("invalid bearer token: " + why);
}

// n/2 for the order n of P-256, big-endian: an ECDSA signature (r, s) verifies exactly when
// (r, n - s) does, so only the low-S form (s <= n/2) is accepted and every signed token has one
// signature, not two.
constexpr unsigned char kP256HalfOrder[32] = {
    0x7f, 0xff, 0xff, 0xff, 0x80, 0x00, 0x00, 0x00, 0x7f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
    0xde, 0x73, 0x7d, 0x56, 0xd3, 0x8b, 0xcf, 0x42, 0x79, 0xdc, 0xe5, 0x61, 0x7e, 0x31, 0x92, 0xa8};

// The 32-byte big-endian `s` of an ES256 signature is at most n/2 (compared as unsigned bytes).
bool isLowS(const unsigned char* s) {
  return std::memcmp(s, kP256HalfOrder, sizeof(kP256HalfOrder)) <= 0;
}

// JWS ES256 signatures are r || s (32 bytes each); OpenSSL verifies DER. A high-S signature is
// refused before any key is used.
Result<std::string> es256ToDer(const std::string& raw) {
  if (raw.size() != 64) return bad("ES256 signature must be 64 bytes");
  if (!isLowS(reinterpret_cast<const unsigned char*>(raw.data()) + 32)) {
    return bad("ES256 signature is not canonical (high S)");
  }
  ECDSA_SIG* sig = ECDSA_SIG_new();
  BIGNUM* r = BN_bin2bn(reinterpret_cast<const unsigned char*>(raw.data()), 32, nullptr);
  BIGNUM* s = BN_bin2bn(reinterpret_cast<const unsigned char*>(raw.data()) + 32, 32, nullptr);
  if (sig == nullptr || r == nullptr || s == nullptr || ECDSA_SIG_set0(sig, r, s) != 1) {
    BN_free(r);
    BN_free(s);
    ECDSA_SIG_free(sig);
    return Status::internal("cannot build ECDSA signature");
  }
  unsigned char* der = nullptr;
  int len = i2d_ECDSA_SIG(sig, &der);
  ECDSA_SIG_free(sig);
  if (len <= 0) return Status::internal("cannot encode ECDSA signature");
  std::string out(reinterpret_cast<char*>(der), static_cast<size_t>(len));
  OPENSSL_free(der);
  return out;
}

bool verifySignature(EVP_PKEY* key, std::string_view signed_part, const std::string& sig) {
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  bool ok = ctx != nullptr && EVP_DigestVerifyInit(ctx, nullptr, EVP_sha256(), nullptr, key) == 1 &&
            EVP_DigestVerify(ctx, reinterpret_cast<const unsigned char*>(sig.data()), sig.size(),
                             reinterpret_cast<const unsigned char*>(signed_part.data()),
                             signed_part.size()) == 1;
  EVP_MD_CTX_free(ctx);
  return ok;
}

Result<Json> decodePart(std::string_view part, const char* what) {
  auto bytes = base64UrlDecode(part);
  if (!bytes) return bad(std::string(what) + " is not base64url");
  auto j = parseJson(*bytes);
  if (!j.ok() || !j->is_object()) return bad(std::string(what) + " is not a JSON object");
  return j;
}

// A NumericDate claim; false when absent. Error when present but not a number.
Result<bool> numericClaim(const Json& claims, const char* name, int64_t* out) {
  if (!claims.contains(name)) return false;
  if (!claims[name].is_number()) return bad(std::string("'") + name + "' must be a number");
  double v = claims[name].get<double>();
  if (!std::isfinite(v) || v < 0 || v > 1e11)
    return bad(std::string("'") + name + "' out of range");
  *out = static_cast<int64_t>(v);
  return true;
}

}  // namespace

JwtVerifier::JwtVerifier(JwtVerifierOptions options, JwksSource source, const Clock* clock)
    : options_(std::move(options)),
      source_(std::move(source)),
      clock_(clock ? clock : &SystemClock::instance()) {}

JwtVerifier::~JwtVerifier() = default;

bool JwtVerifier::looksLikeJwt(std::string_view token) {
  size_t dots = 0;
  for (char c : token) {
    if (c == '.') {
      ++dots;
    } else if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-' && c != '_') {
      return false;
    }
  }
  return dots == 2;
}

Status JwtVerifier::reloadLocked(bool force) {
  const int64_t now = clock_->nowMicros();
  if (keys_ && !force) return Status();
  if (!keys_ && loaded_at_us_ != 0 && now - loaded_at_us_ < 5000000) {
    return Status::unavailable("the JWKS could not be loaded; retrying within 5 s");
  }
  if (keys_ && now - loaded_at_us_ < options_.refresh_interval_s * 1000000) return Status();
  auto text = source_();
  loaded_at_us_ = now;  // also after a failure: the source is not retried on every request
  if (!text.ok()) return Status::unavailable("cannot load the JWKS: " + text.status().message());
  auto set = parseJwks(*text);
  if (!set.ok()) return Status::unavailable("cannot load the JWKS: " + set.status().message());
  keys_ = *set;
  return Status();
}

Result<VerifiedToken> JwtVerifier::verify(std::string_view token) {
  if (token.size() > kMaxTokenBytes) return bad("longer than 16 KiB");
  if (!looksLikeJwt(token)) return bad("not a JWS compact serialization");
  const size_t d1 = token.find('.'), d2 = token.find('.', d1 + 1);
  WARD_ASSIGN_OR_RETURN(Json header, decodePart(token.substr(0, d1), "header"));
  const std::string alg = header.value("alg", "");
  if (alg != "RS256" && alg != "ES256") {
    return bad("alg '" + alg.substr(0, 16) + "' is not accepted (RS256, ES256)");
  }
  if (header.contains("crit")) return bad("'crit' header parameters are not supported");
  const std::string family = alg == "RS256" ? "RSA" : "EC";
  const std::string kid =
      header.contains("kid") && header["kid"].is_string() ? header["kid"].get<std::string>() : "";
  auto sig = base64UrlDecode(token.substr(d2 + 1));
  if (!sig || sig->empty()) return bad("signature is not base64url");
  // Unused trailing bits would let one signature be spelled several ways.
  if (base64UrlEncode(*sig) != token.substr(d2 + 1)) {
    return bad("signature is not canonical base64url");
  }

  std::shared_ptr<const KeySet> keys;
  const JwkEntry* key = nullptr;
  for (int attempt = 0; attempt < 2 && key == nullptr; ++attempt) {
    {
      MutexLock lock(mu_);
      Status st = reloadLocked(attempt == 1);
      if (!st.ok() && !keys_) return st;
      keys = keys_;
    }
    int candidates = 0;
    for (const JwkEntry& k : keys->keys) {
      if (k.family != family || (!k.alg.empty() && k.alg != alg)) continue;
      if (!kid.empty() ? k.kid == kid : ++candidates == 1) key = &k;
    }
    if (kid.empty() && candidates > 1) return bad("no 'kid' and several possible keys");
  }
  if (key == nullptr) {
    return bad(kid.empty() ? "no " + family + " key for " + alg
                           : "unknown key id '" + kid.substr(0, 64) + "' for " + alg);
  }
  std::string der = *sig;
  if (alg == "ES256") {
    WARD_ASSIGN_OR_RETURN(der, es256ToDer(*sig));
  }
  if (!verifySignature(key->key.get(), token.substr(0, d2), der)) return bad("bad signature");

  // Claims are read only once the signature holds.
  WARD_ASSIGN_OR_RETURN(Json claims, decodePart(token.substr(d1 + 1, d2 - d1 - 1), "payload"));
  if (claims.value("iss", Json()).is_string() == false || claims["iss"] != options_.issuer) {
    return bad("issuer does not match");
  }
  bool aud_ok = false;
  if (claims.contains("aud") && claims["aud"].is_string()) {
    aud_ok = claims["aud"] == options_.audience;
  } else if (claims.contains("aud") && claims["aud"].is_array()) {
    for (const Json& a : claims["aud"]) aud_ok = aud_ok || a == options_.audience;
  }
  if (!aud_ok) return bad("audience does not match");
  const int64_t now_s = clock_->nowMicros() / 1000000;
  int64_t exp = 0, nbf = 0;
  WARD_ASSIGN_OR_RETURN(bool has_exp, numericClaim(claims, "exp", &exp));
  if (!has_exp) return bad("no 'exp' claim");
  if (now_s > exp + options_.leeway_s) return bad("token expired");
  WARD_ASSIGN_OR_RETURN(bool has_nbf, numericClaim(claims, "nbf", &nbf));
  if (has_nbf && now_s + options_.leeway_s < nbf) return bad("token not yet valid (nbf)");
  const Json& who = claims.value(options_.principal_claim, Json());
  if (!who.is_string() || who.get<std::string>().empty()) {
    return bad("claim '" + options_.principal_claim + "' is missing or not a string");
  }
  return VerifiedToken{who.get<std::string>(), key->kid, std::move(claims)};
}

}  // namespace ward::identity
