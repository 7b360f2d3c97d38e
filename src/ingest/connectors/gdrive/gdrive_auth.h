// The Google Drive connector's credentials (docs/design/ingest.md, "Google Drive"): a service
// account with domain-wide delegation signs an RS256 JWT (RFC 7523) that the token endpoint trades
// for an access token. The key and the tokens never reach a log, a checkpoint or an error text.
// Private to the ingest module.
#pragma once

#include <cstdint>
#include <string>

#include "../../service_client.h"
#include "ward/common/mutex.h"
#include "ward/common/status.h"

namespace ward::ingest {

inline constexpr const char* kDriveScope = "https://www.googleapis.com/auth/drive.readonly";
// Asked for too with options.sync_groups (the Admin SDK Directory API's group members).
inline constexpr const char* kDirectoryMemberScope =
    "https://www.googleapis.com/auth/admin.directory.group.member.readonly";
inline constexpr const char* kDriveDefaultTokenUrl = "https://oauth2.googleapis.com/token";
// Lifetime of a signed assertion (Google accepts at most one hour).
inline constexpr int64_t kDriveAssertionLifetimeS = 3600;
// An access token is refreshed this long before its expires_in runs out.
inline constexpr int64_t kDriveTokenRefreshMarginS = 60;

struct ServiceAccountKey {
  std::string client_email;
  std::string private_key;  // PEM
  std::string token_uri;    // "" = none in the key
};

// The key JSON of a service account. InvalidArgument names the missing field, never a value.
Result<ServiceAccountKey> parseServiceAccountKey(const std::string& json);

// The token endpoint: options.token_url when set, else the key's token_uri, else
// kDriveDefaultTokenUrl. Whichever it is, its host must be on the source's allowed_hosts (the
// service client refuses it otherwise), so a key cannot send its assertion elsewhere.
std::string driveTokenUrl(const std::string& option_url, const std::string& key_token_uri);

// The signed JWT bearer assertion (jwt_signer.h). InvalidArgument: the PEM is not an RSA private
// key.
Result<std::string> signAssertion(const ServiceAccountKey& key, const std::string& subject,
                                  const std::string& audience, int64_t now_s,
                                  const std::string& scope = kDriveScope);

// Access tokens for one source, cached until kDriveTokenRefreshMarginS before they expire.
class DriveTokens {
 public:
  DriveTokens(ServiceAccountKey key, std::string subject, std::string token_url, std::string scope)
      : key_(std::move(key)),
        subject_(std::move(subject)),
        token_url_(std::move(token_url)),
        scope_(std::move(scope)) {}
  // A valid token ("Bearer" value set on `client`); `force` (after a 401) refreshes it, unless
  // the token `client` was refused with is no longer the cached one (another caller refreshed it
  // meanwhile: that one is set instead), so that callers refused together refresh once.
  // Thread-safe: callers sharing one DriveTokens wait for a single refresh (under mu_).
  // Unauthenticated: the endpoint refused the assertion (its error code, scrubbed).
  Status authorize(ServiceClient& client, bool force);
  // Access tokens obtained so far.
  int64_t refreshes() const;

 private:
  ServiceAccountKey key_;
  std::string subject_;
  std::string token_url_;
  std::string scope_;
  mutable Mutex mu_;
  std::string token_ WARD_GUARDED_BY(mu_);
  int64_t expires_at_s_ WARD_GUARDED_BY(mu_) = 0;
  int64_t refreshes_ WARD_GUARDED_BY(mu_) = 0;
};

}  // namespace ward::ingest
