// Calls to Slack's Web API for the Slack connector (docs/design/ingest.md, "Slack"): GET
// https://slack.com/api/<method>?<params> through the source's ServiceClient (the bot token only
// in the Authorization header), with Slack's `ok` envelope turned into Status codes and cursor
// pagination (`response_metadata.next_cursor`). Private to the ingest module.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "../../service_client.h"
#include "ward/common/json.h"
#include "ward/common/status.h"

namespace ward::ingest {

inline constexpr const char* kSlackDefaultBaseUrl = "https://slack.com/api";
// Items asked for per page (`limit`; Slack allows up to 1000 on most list methods).
inline constexpr int kSlackPageLimit = 200;
// Pages of one listing at most: a cursor that never ends stops there (the listing is then not
// exhausted).
inline constexpr int kSlackMaxPages = 10'000;

using SlackParams = std::vector<std::pair<std::string, std::string>>;

// How one call ended. Unauthenticated: the token is refused (invalid_auth, not_authed,
// token_expired, token_revoked, account_inactive, or HTTP 401/403); ResourceExhausted: rate
// limited for longer than the client waits (retryAfter() says how long); FailedPrecondition:
// any other `ok: false` error (its code is the message's last word: not_in_channel,
// channel_not_found, missing_scope, ...); Unavailable: transport, 5xx or a reply that is not a
// JSON object.
class SlackApi {
 public:
  explicit SlackApi(std::unique_ptr<ServiceClient> client) : client_(std::move(client)) {}

  Result<Json> call(const std::string& method, const SlackParams& params);
  // Every page of a cursor-paginated method: `on_page` gets each reply. Sets `*complete` to false
  // when kSlackMaxPages stopped it.
  Status paginate(const std::string& method, SlackParams params,
                  const std::function<Status(const Json& page)>& on_page, bool* complete);

  int64_t retryAfter() const { return retry_after_s_; }
  int64_t requests() const { return client_->requests(); }
  ServiceClient& client() { return *client_; }

  // The error code of a FailedPrecondition from call() ("" for other statuses).
  static std::string errorCode(const Status& s);

 private:
  std::unique_ptr<ServiceClient> client_;
  int64_t retry_after_s_ = 0;
};

}  // namespace ward::ingest
