// The github connector's requests to GitHub's REST API (docs/design/ingest.md, "GitHub"): GETs
// through the service client with the API version header, conditional on the last pass's ETag
// where asked (a 304 gives the kept body and costs no rate limit), the installation token of a
// GitHub App set before each request and renewed once after a 401, and GitHub's answers mapped to
// statuses: 401 unauthenticated, a primary or secondary rate limit resourceExhausted (its wait in
// retryAfterS()), 404 and 410 notFound, 409 failedPrecondition, another 403 permissionDenied, any
// other non-2xx unavailable. Listings follow rel="next" links up to kGithubMaxPages pages. Not
// thread-safe: one per pass. Private to the ingest module.
#pragma once

#include <cstdint>
#include <functional>
#include <string>

#include "../../service_client.h"
#include "github_app.h"
#include "github_state.h"
#include "ward/common/json.h"

namespace ward::ingest {

// The wait for a secondary rate limit that names none.
inline constexpr int64_t kGithubSecondaryWaitS = 60;

struct GithubPage {
  Json body;
  std::string next;  // the rel="next" link ("" = the last page)
};

class GithubApi {
 public:
  // `app`: null for a token source. `app_id` and `token_secret` name them in errors.
  GithubApi(ServiceClient& client, GithubAppTokens* app, int64_t app_id, std::string token_secret)
      : client_(client), app_(app), app_id_(app_id), token_secret_(std::move(token_secret)) {}

  // A new pass: conditional requests use `old`'s kept replies and keep theirs in `next`.
  void begin(const GithubState* old, GithubState* next) {
    old_ = old;
    next_ = next;
    retry_after_s_ = 0;
    limit_reached_ = false;
  }
  // The longest wait a rate limit asked for this pass (seconds).
  int64_t retryAfterS() const { return retry_after_s_; }

  // GET `target`; `cache`: conditional on the last pass's ETag, the reply kept for the next.
  Result<GithubPage> get(const std::string& target, bool cache);
  // Each page of a listing; `*cut` is set when kGithubMaxPages stopped it.
  Status forEachPage(const std::string& first, bool cache,
                     const std::function<Status(const Json& page, bool* stop)>& each, bool* cut);

 private:
  ServiceClient& client_;
  GithubAppTokens* app_;
  int64_t app_id_;
  std::string token_secret_;
  const GithubState* old_ = nullptr;
  GithubState* next_ = nullptr;
  int64_t retry_after_s_ = 0;
  bool limit_reached_ = false;  // a reply said x-ratelimit-remaining: 0
};

}  // namespace ward::ingest
