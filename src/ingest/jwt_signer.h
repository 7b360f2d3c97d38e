// RS256 JSON Web Tokens signed with an RSA private key (PEM), shared by the connectors that
// authenticate with one: Google Drive's service-account assertion (RFC 7523) and a GitHub App's
// JWT. The key never reaches an error text. Private to the ingest module; thread-safe.
#pragma once

#include <string>
#include <string_view>

#include "ward/common/json.h"
#include "ward/common/status.h"

namespace ward::ingest {

// "<header>.<claims>.<signature>" with header {"alg":"RS256","typ":"JWT"}. InvalidArgument
// "not an RSA PEM private key" when `private_key_pem` is not one (its text is not echoed).
Result<std::string> signJwtRs256(const std::string& private_key_pem, const Json& claims);

}  // namespace ward::ingest
