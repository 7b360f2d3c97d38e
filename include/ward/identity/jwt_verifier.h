// Verifies OAuth 2.1 bearer tokens (JWTs, RFC 7519) for Ward's resource-server role
// (docs/design/identity.md "Bearer JWTs"): RS256 or ES256 signatures against keys of a JWKS
// (RFC 7517), then issuer, audience, expiry and not-before with a small leeway, then the claim
// that names the Ward principal. Everything else is refused: alg "none", HMAC algorithms, a key
// whose type does not match the alg, unknown key ids, "crit" headers, malformed parts.
//
// Thread-safe. The key set is loaded on first use and reloaded when a token names an unknown
// kid, at most once per refresh interval (a flood of bogus kids cannot hammer the JWKS source).
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>

#include "ward/common/clock.h"
#include "ward/common/json.h"
#include "ward/common/mutex.h"
#include "ward/common/status.h"

namespace ward::identity {

struct JwtVerifierOptions {
  std::string issuer;    // required "iss"
  std::string audience;  // must be "aud" or one of its entries
  std::string principal_claim = "sub";
  int64_t leeway_s = 60;             // clock skew allowed on exp and nbf
  int64_t refresh_interval_s = 300;  // min time between JWKS reloads for unknown kids
};

struct VerifiedToken {
  std::string principal;  // the value of principal_claim
  std::string key_id;
  Json claims;
};

// The JSON text of a JWKS ({"keys":[...]}), from a file or a URL; supplied by the caller.
using JwksSource = std::function<Result<std::string>()>;

class JwtVerifier {
 public:
  JwtVerifier(JwtVerifierOptions options, JwksSource source, const Clock* clock = nullptr);
  ~JwtVerifier();

  // Unauthenticated naming what is wrong ("token expired", "unknown key id 'k9'", ...);
  // Unavailable when the key set cannot be loaded.
  Result<VerifiedToken> verify(std::string_view token);
  // Whether `token` has the shape of a JWS compact serialization (three base64url parts).
  static bool looksLikeJwt(std::string_view token);

  class KeySet;

 private:
  Status reloadLocked(bool force) WARD_REQUIRES(mu_);

  JwtVerifierOptions options_;
  JwksSource source_;
  const Clock* clock_;
  Mutex mu_;
  std::shared_ptr<const KeySet> keys_ WARD_GUARDED_BY(mu_);
  int64_t loaded_at_us_ WARD_GUARDED_BY(mu_) = 0;
};

// Parses a JWKS; keys that are not RSA (>= 2048 bits) or EC P-256 signing keys are skipped.
// InvalidArgument when the text is not a JWKS at all.
Result<std::shared_ptr<const JwtVerifier::KeySet>> parseJwks(std::string_view text);

}  // namespace ward::identity
