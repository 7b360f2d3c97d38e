// A GitHub App's installation tokens for a github source (docs/design/ingest.md, "GitHub", "App
// authentication"): the App's private key (PEM, a tenant secret) signs an RS256 JWT (iat = now -
// kGithubAppJwtBackdateS, exp = iat + kGithubAppJwtLifetimeS, iss = the App id), which
// `POST /app/installations/{id}/access_tokens` trades for an installation token (about an hour).
// The token is used as a Bearer credential, refreshed kGithubAppTokenRefreshMarginS before it
// expires or after a 401, and never logged, checkpointed or put in an error text.
// Thread-safe: one refresh at a time (under mu_). Private to the ingest module.
#pragma once

#include <cstdint>
#include <string>

#include "../../service_client.h"
#include "ward/common/mutex.h"
#include "ward/common/status.h"

namespace ward::ingest {

// GitHub rejects a JWT issued in the future: iat is set this far back for clock drift.
inline constexpr int64_t kGithubAppJwtBackdateS = 60;
// exp - iat; GitHub accepts at most 10 minutes.
inline constexpr int64_t kGithubAppJwtLifetimeS = 600;
// An installation token is replaced this long before its expires_at.
inline constexpr int64_t kGithubAppTokenRefreshMarginS = 300;

struct GithubAppConfig {
  int64_t app_id = 0;
  int64_t installation_id = 0;
  std::string private_key_pem;
  std::string key_secret;  // the secret's name, for messages
};

// The PEM in a key secret, which holds one line (`ward secrets set` reads one): the base64 of the
// PEM file (`base64 -w0 app.pem`), or the PEM with its line breaks written as "\n"; a PEM as is
// is returned unchanged.
std::string githubAppKeyPem(const std::string& secret);

// The App's JWT claims for `now_s`: {iat, exp, iss}.
Json githubAppClaims(int64_t app_id, int64_t now_s);

class GithubAppTokens {
 public:
  explicit GithubAppTokens(GithubAppConfig config) : config_(std::move(config)) {}
  // Sets a valid installation token on `client` ("Bearer <token>"), asking for a new one when
  // there is none, it expires within the margin, or `force` (after a 401) while `client` still
  // carries the cached token (else another caller renewed it meanwhile, and that one is set:
  // callers refused together renew once). Unauthenticated: the
  // key does not sign or GitHub refused the JWT (the message names the App id and the secret,
  // never a key, a JWT or a token). `now_s` 0 = the clock.
  Status authorize(ServiceClient& client, bool force, int64_t now_s = 0);
  // Installation tokens obtained so far (the run's figure).
  int64_t refreshes() const;

 private:
  GithubAppConfig config_;
  mutable Mutex mu_;
  std::string token_ WARD_GUARDED_BY(mu_);
  int64_t expires_at_s_ WARD_GUARDED_BY(mu_) = 0;
  int64_t refreshes_ WARD_GUARDED_BY(mu_) = 0;
};

}  // namespace ward::ingest
