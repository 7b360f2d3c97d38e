// The parsed key set of a JwtVerifier (private to identity).
#pragma once

#include <openssl/evp.h>

#include <memory>
#include <string>
#include <vector>

#include "ward/identity/jwt_verifier.h"

namespace ward::identity {

using PKey = std::shared_ptr<EVP_PKEY>;

struct JwkEntry {
  std::string kid;     // "" when the JWK has none
  std::string alg;     // "" when the JWK does not restrict it
  std::string family;  // "RSA" | "EC" (P-256)
  PKey key;
};

class JwtVerifier::KeySet {
 public:
  std::vector<JwkEntry> keys;
};

}  // namespace ward::identity
