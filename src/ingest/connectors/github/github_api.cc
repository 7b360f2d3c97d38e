// The github connector's requests (github_api.h).
#include "github_api.h"

#include <algorithm>
#include <ctime>
#include <utility>
#include <vector>

#include "github_options.h"
#include "github_payload.h"

namespace ward::ingest {

Result<GithubPage> GithubApi::get(const std::string& target, bool cache) {
  if (limit_reached_) {
    // The last reply spent the primary limit: asking again would only be refused.
    return Status::resourceExhausted("GET " + client_.scrub(target) +
                                     ": the rate limit is spent for " +
                                     std::to_string(retry_after_s_) + " s");
  }
  std::vector<std::pair<std::string, std::string>> headers = {
      {"Accept", "application/vnd.github+json"}, {"X-GitHub-Api-Version", kGithubApiVersion}};
  auto kept = old_->replies.find(target);
  if (cache && kept != old_->replies.end())
    headers.emplace_back("If-None-Match", kept->second.etag);
  if (app_ != nullptr) WARD_RETURN_IF_ERROR(app_->authorize(client_, false));
  WARD_ASSIGN_OR_RETURN(net::OutboundReply reply, client_.get(target, headers));
  if (reply.status == 401 && app_ != nullptr) {
    // The installation token expired or was revoked mid-run: one new token, one retry.
    WARD_RETURN_IF_ERROR(app_->authorize(client_, true));
    WARD_ASSIGN_OR_RETURN(reply, client_.get(target, headers));
  }
  const std::string what = "GET " + client_.scrub(target);
  if (reply.status == 304 && cache && kept != old_->replies.end()) {
    next_->replies[target] = kept->second;
    Result<Json> body = parseJson(kept->second.body);
    if (!body.ok()) return Status::internal(what + ": the kept reply does not parse");
    return GithubPage{std::move(*body), kept->second.next};
  }
  if (reply.status == 401 && app_ != nullptr) {
    return Status::unauthenticated(what +
                                   ": HTTP 401 with a new installation token of GitHub "
                                   "App " +
                                   std::to_string(app_id_));
  }
  if (reply.status == 401) {
    return Status::unauthenticated(what +
                                   ": HTTP 401, GitHub refused the token (expired or "
                                   "revoked?): set it again with ward secrets set " +
                                   token_secret_);
  }
  if ((reply.status == 403 || reply.status == 429) &&
      (!reply.header("retry-after").empty() || reply.header("x-ratelimit-remaining") == "0")) {
    retry_after_s_ = std::max(retry_after_s_, retryAfterSeconds(reply, ::time(nullptr)));
    return Status::resourceExhausted(what + ": rate limited for " + std::to_string(retry_after_s_) +
                                     " s");
  }
  if (reply.status == 404 || reply.status == 410) {
    return Status::notFound(what + ": HTTP " + std::to_string(reply.status));
  }
  if (reply.status == 409) return Status::failedPrecondition(what + ": HTTP 409");
  if ((reply.status == 403 || reply.status == 429) &&
      reply.body.find("secondary rate limit") != std::string::npos) {
    // A secondary limit without retry-after: wait at least a minute (GitHub's advice).
    retry_after_s_ = std::max(retry_after_s_, kGithubSecondaryWaitS);
    return Status::resourceExhausted(what + ": secondary rate limit, " +
                                     std::to_string(retry_after_s_) + " s");
  }
  if (reply.status == 403) return Status::permissionDenied(what + ": HTTP 403");
  if (reply.status < 200 || reply.status >= 300) {
    return Status::unavailable(what + ": HTTP " + std::to_string(reply.status));
  }
  if (reply.header("x-ratelimit-remaining") == "0") {
    limit_reached_ = true;
    retry_after_s_ = std::max(retry_after_s_, retryAfterSeconds(reply, ::time(nullptr)));
  }
  Result<Json> body = parseJson(reply.body);
  if (!body.ok()) {
    return Status::invalidArgument(what + ": malformed JSON: " + body.status().message());
  }
  GithubPage page{std::move(*body), nextLink(reply.header("link"))};
  const std::string etag = reply.header("etag");
  if (cache && !etag.empty() && reply.body.size() <= kGithubMaxCachedReplyBytes) {
    next_->replies[target] = GithubCachedReply{etag, std::move(reply.body), page.next};
  }
  return page;
}

// The next links stay on the allowed hosts (the service client refuses others).
Status GithubApi::forEachPage(const std::string& first, bool cache,
                              const std::function<Status(const Json& page, bool* stop)>& each,
                              bool* cut) {
  std::string target = first;
  for (size_t pages = 0; !target.empty(); ++pages) {
    if (pages == kGithubMaxPages) {
      if (cut != nullptr) *cut = true;
      return Status();
    }
    WARD_ASSIGN_OR_RETURN(GithubPage page, get(target, cache));
    bool stop = false;
    WARD_RETURN_IF_ERROR(each(page.body, &stop));
    if (stop) return Status();
    target = page.next;
  }
  return Status();
}

}  // namespace ward::ingest
