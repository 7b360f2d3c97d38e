// Calls to Slack's Web API (slack_api.h).
#include "slack_api.h"
#include "ward/common/encoding.h"

#include <cctype>
#include <ctime>

namespace ward::ingest {

namespace {

// Slack's error codes that mean the token itself is refused.
bool isAuthError(const std::string& code) {
  return code == "invalid_auth" || code == "not_authed" || code == "token_expired" ||
         code == "token_revoked" || code == "account_inactive";
}

// Slack asks a rate-limited caller to wait a minute when it names no Retry-After.
constexpr int64_t kSlackDefaultRetryAfterS = 60;

}  // namespace

std::string SlackApi::errorCode(const Status& s) {
  if (s.code() != StatusCode::kFailedPrecondition) return "";
  const std::string& m = s.message();
  size_t sp = m.rfind(' ');
  return sp == std::string::npos ? m : m.substr(sp + 1);
}

Result<Json> SlackApi::call(const std::string& method, const SlackParams& params) {
  std::string target = "/" + method;
  for (size_t i = 0; i < params.size(); ++i) {
    target += (i == 0 ? "?" : "&") + params[i].first + "=" + percentEncode(params[i].second);
  }
  WARD_ASSIGN_OR_RETURN(net::OutboundReply reply, client_->get(target));
  const std::string where = "slack " + method;
  if (reply.status == 429) {
    int64_t wait = retryAfterSeconds(reply, ::time(nullptr));
    retry_after_s_ = wait > 0 ? wait : kSlackDefaultRetryAfterS;
    return Status::resourceExhausted(where + ": rate limited (retry after " +
                                     std::to_string(retry_after_s_) + " s)");
  }
  if (reply.status == 401 || reply.status == 403) {
    return Status::unauthenticated(where + ": the token was refused (HTTP " +
                                   std::to_string(reply.status) + ")");
  }
  if (reply.status != 200) {
    return Status::unavailable(where + ": HTTP " + std::to_string(reply.status));
  }
  auto body = parseJson(reply.body);
  if (!body.ok() || !body->is_object()) {
    return Status::unavailable(where + ": the reply is not a JSON object");
  }
  Json j = std::move(body).value();
  if (j.contains("ok") && j["ok"].is_boolean() && j["ok"].get<bool>()) return j;
  std::string code = j.contains("error") && j["error"].is_string()
                         ? client_->scrub(j["error"].get<std::string>())
                         : std::string("unknown_error");
  for (char& c : code) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_') c = '_';
  }
  if (code.size() > 64) code.resize(64);
  if (isAuthError(code)) {
    return Status::unauthenticated(where + ": the token was refused: " + code);
  }
  if (code == "ratelimited") {
    int64_t wait = retryAfterSeconds(reply, ::time(nullptr));
    retry_after_s_ = wait > 0 ? wait : kSlackDefaultRetryAfterS;
    return Status::resourceExhausted(where + ": rate limited (retry after " +
                                     std::to_string(retry_after_s_) + " s)");
  }
  return Status::failedPrecondition(where + ": " + code);
}

Status SlackApi::paginate(const std::string& method, SlackParams params,
                          const std::function<Status(const Json& page)>& on_page, bool* complete) {
  *complete = true;
  std::string cursor;
  for (int page = 0;; ++page) {
    if (page >= kSlackMaxPages) {
      *complete = false;
      return Status();
    }
    SlackParams p = params;
    if (!cursor.empty()) p.emplace_back("cursor", cursor);
    WARD_ASSIGN_OR_RETURN(Json j, call(method, p));
    WARD_RETURN_IF_ERROR(on_page(j));
    cursor.clear();
    if (j.contains("response_metadata") && j["response_metadata"].is_object()) {
      const Json& meta = j["response_metadata"];
      if (meta.contains("next_cursor") && meta["next_cursor"].is_string()) {
        cursor = meta["next_cursor"].get<std::string>();
      }
    }
    if (cursor.empty()) return Status();
  }
}

}  // namespace ward::ingest
