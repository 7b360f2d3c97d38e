// JWKS parsing (RFC 7517/7518) into OpenSSL public keys.
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>

#include <map>

#include "jwks_keys.h"
#include "ward/common/encoding.h"

namespace ward::identity {

namespace {

constexpr size_t kMaxJwksBytes = 1 << 20;
constexpr size_t kMaxKeys = 100;

struct BnFree {
  void operator()(BIGNUM* b) const { BN_free(b); }
};
using Bn = std::unique_ptr<BIGNUM, BnFree>;

Bn toBn(const std::string& bytes) {
  return Bn(BN_bin2bn(reinterpret_cast<const unsigned char*>(bytes.data()),
                      static_cast<int>(bytes.size()), nullptr));
}

PKey fromParams(const char* type, OSSL_PARAM_BLD* bld) {
  OSSL_PARAM* params = OSSL_PARAM_BLD_to_param(bld);
  EVP_PKEY_CTX* ctx = EVP_PKEY_CTX_new_from_name(nullptr, type, nullptr);
  EVP_PKEY* key = nullptr;
  if (params != nullptr && ctx != nullptr && EVP_PKEY_fromdata_init(ctx) > 0) {
    EVP_PKEY_fromdata(ctx, &key, EVP_PKEY_PUBLIC_KEY, params);
  }
  EVP_PKEY_CTX_free(ctx);
  OSSL_PARAM_free(params);
  return PKey(key, EVP_PKEY_free);
}

Result<std::string> member(const Json& jwk, const char* name) {
  if (!jwk.contains(name) || !jwk[name].is_string()) {
    return Status::invalidArgument(std::string("jwk member '") + name + "' is missing");
  }
  auto bytes = base64UrlDecode(jwk[name].get<std::string>());
  if (!bytes)
    return Status::invalidArgument(std::string("jwk member '") + name + "' is not base64url");
  return *std::move(bytes);
}

Result<PKey> rsaKey(const Json& jwk) {
  WARD_ASSIGN_OR_RETURN(std::string n, member(jwk, "n"));
  WARD_ASSIGN_OR_RETURN(std::string e, member(jwk, "e"));
  Bn bn_n = toBn(n), bn_e = toBn(e);
  if (!bn_n || !bn_e || BN_num_bits(bn_n.get()) < 2048) {
    return Status::invalidArgument("RSA keys must have at least 2048 bits");
  }
  OSSL_PARAM_BLD* bld = OSSL_PARAM_BLD_new();
  OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_N, bn_n.get());
  OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_E, bn_e.get());
  PKey key = fromParams("RSA", bld);
  OSSL_PARAM_BLD_free(bld);
  if (!key) return Status::invalidArgument("not a valid RSA public key");
  return key;
}

Result<PKey> ecKey(const Json& jwk) {
  if (jwk.value("crv", "") != "P-256") return Status::invalidArgument("only EC curve P-256");
  WARD_ASSIGN_OR_RETURN(std::string x, member(jwk, "x"));
  WARD_ASSIGN_OR_RETURN(std::string y, member(jwk, "y"));
  if (x.size() != 32 || y.size() != 32) return Status::invalidArgument("bad P-256 coordinates");
  std::string point = "\x04" + x + y;  // uncompressed SEC1 point
  OSSL_PARAM_BLD* bld = OSSL_PARAM_BLD_new();
  OSSL_PARAM_BLD_push_utf8_string(bld, OSSL_PKEY_PARAM_GROUP_NAME, "prime256v1", 0);
  OSSL_PARAM_BLD_push_octet_string(bld, OSSL_PKEY_PARAM_PUB_KEY, point.data(), point.size());
  PKey key = fromParams("EC", bld);  // fails for a point that is not on the curve
  OSSL_PARAM_BLD_free(bld);
  if (!key) return Status::invalidArgument("not a valid P-256 public key");
  return key;
}

}  // namespace

Result<std::shared_ptr<const JwtVerifier::KeySet>> parseJwks(std::string_view text) {
  if (text.size() > kMaxJwksBytes) return Status::invalidArgument("JWKS larger than 1 MiB");
  auto doc = parseJson(text);
  if (!doc.ok()) return Status::invalidArgument("JWKS is not JSON: " + doc.status().message());
  if (!doc->is_object() || !doc->contains("keys") || !(*doc)["keys"].is_array()) {
    return Status::invalidArgument("JWKS must be an object with a \"keys\" array");
  }
  auto set = std::make_shared<JwtVerifier::KeySet>();
  for (const Json& jwk : (*doc)["keys"]) {
    if (set->keys.size() >= kMaxKeys) break;
    if (!jwk.is_object()) continue;
    if (jwk.contains("use") && jwk["use"] != "sig") continue;
    JwkEntry e;
    e.kid = jwk.value("kid", "");
    e.alg = jwk.value("alg", "");
    const std::string kty = jwk.value("kty", "");
    Result<PKey> key = Status::invalidArgument("unsupported kty");
    if (kty == "RSA") {
      e.family = "RSA";
      key = rsaKey(jwk);
    } else if (kty == "EC") {
      e.family = "EC";
      key = ecKey(jwk);
    }
    if (!key.ok()) continue;  // a key Ward cannot use is skipped, not fatal for the others
    e.key = std::move(*key);
    set->keys.push_back(std::move(e));
  }
  return std::shared_ptr<const JwtVerifier::KeySet>(std::move(set));
}

}  // namespace ward::identity
