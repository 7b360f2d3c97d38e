// OAuth 2.1 resource-server behaviour of Ward's HTTP API (docs/design/http.md "Bearer JWTs"):
// bearer JWTs verified by identity::JwtVerifier with keys from a JWKS file or URL, mapped to a
// Ward principal of the configured tenant; the WWW-Authenticate challenge with
// resource_metadata; the RFC 9728 protected-resource metadata document. Private to http.
#pragma once

#include <memory>
#include <string>

#include "ward/common/config.h"
#include "ward/http/http_message.h"
#include "ward/identity/directory.h"
#include "ward/identity/jwt_verifier.h"

namespace ward::http {

class BearerAuth {
 public:
  // Null when OAuth is off (no oauth.issuer).
  static Result<std::unique_ptr<BearerAuth>> create(const OAuthConfig& config);

  // The principal named by a valid token; Unauthenticated naming what is wrong otherwise
  // (including a subject that is no principal of `tenant`, or names a group).
  Result<identity::Principal> authenticate(identity::Directory& dir, const std::string& tenant,
                                           const std::string& token);
  // `Bearer realm="ward", resource_metadata="<url>"`.
  std::string challenge(const HttpRequest& r) const;

 private:
  BearerAuth(const OAuthConfig& config);
  OAuthConfig config_;
  std::unique_ptr<identity::JwtVerifier> verifier_;
};

// The RFC 9728 metadata for the resource at `path` ("" = the server itself); NotFound when
// OAuth is off.
Result<Json> protectedResourceMetadata(const OAuthConfig& config, const HttpRequest& r,
                                       const std::string& path);

}  // namespace ward::http
