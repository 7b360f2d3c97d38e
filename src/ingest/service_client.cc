// A service connector's calls to its API (service_client.h).
#include "service_client.h"

#include <time.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <thread>

namespace ward::ingest {

namespace {

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

bool allDigits(const std::string& s) {
  return !s.empty() && s.size() <= 12 &&
         std::all_of(s.begin(), s.end(), [](unsigned char c) { return std::isdigit(c) != 0; });
}

}  // namespace

Result<std::unique_ptr<ServiceClient>> ServiceClient::open(const SourceConfig& source,
                                                           const ConnectorEnv& env,
                                                           const std::string& default_base_url) {
  std::unique_ptr<ServiceClient> c(new ServiceClient());
  const std::string where = "source '" + source.name + "': ";
  c->base_url_ = source.base_url.empty() ? default_base_url : source.base_url;
  while (!c->base_url_.empty() && c->base_url_.back() == '/') c->base_url_.pop_back();
  if (c->base_url_.empty()) return Status::invalidArgument(where + "base_url is required");
  Result<net::Origin> origin = net::parseOrigin(c->base_url_);
  if (!origin.ok()) {
    return Status::invalidArgument(where + "base_url: " + origin.status().message());
  }
  if (origin->scheme != "https" && !source.allow_private) {
    return Status::invalidArgument(where + "base_url must be https (http only with allow_private)");
  }
  for (const std::string& h : source.allowed_hosts) c->allowed_hosts_.push_back(lower(h));
  if (c->allowed_hosts_.empty() && source.base_url.empty()) {
    c->allowed_hosts_.push_back(lower(origin->host));
  }
  if (std::find(c->allowed_hosts_.begin(), c->allowed_hosts_.end(), lower(origin->host)) ==
      c->allowed_hosts_.end()) {
    return Status::invalidArgument(where + "base_url host '" + origin->host +
                                   "' is not on the source's allowed_hosts");
  }
  c->allow_private_ = source.allow_private;
  if (!source.token_secret.empty()) {
    if (!env.secret) {
      return Status::failedPrecondition(where + "secret '" + source.token_secret +
                                        "' cannot be read here");
    }
    Result<std::string> value = env.secret(source.token_secret);
    if (!value.ok() || value->empty()) {
      return Status::failedPrecondition(where + "secret '" + source.token_secret +
                                        "' is not set (ward secrets set " + source.token_secret +
                                        ")");
    }
    c->credential_ = std::move(*value);
    c->authorization_ = "Bearer " + c->credential_;
  }
  c->sleep_ = [](int64_t ms) { std::this_thread::sleep_for(std::chrono::milliseconds(ms)); };
  return c;
}

Result<std::string> ServiceClient::urlOf(const std::string& target) const {
  std::string url = target.find("://") == std::string::npos ? base_url_ + target : target;
  Result<net::Origin> origin = net::parseOrigin(url);
  if (!origin.ok()) return Status::invalidArgument("bad URL: " + origin.status().message());
  if (std::find(allowed_hosts_.begin(), allowed_hosts_.end(), lower(origin->host)) ==
      allowed_hosts_.end()) {
    return Status::invalidArgument("host '" + origin->host +
                                   "' is not on the source's allowed_hosts");
  }
  if (origin->scheme != "https" && !allow_private_) {
    return Status::invalidArgument("only https URLs are followed");
  }
  return url;
}

Result<net::OutboundReply> ServiceClient::send(const ServiceRequest& request) {
  WARD_ASSIGN_OR_RETURN(std::string url, urlOf(request.target));
  net::OutboundRequest out;
  out.method = request.method;
  out.url = url;
  out.headers = request.headers;
  if (!authorization_.empty()) out.headers.emplace_back("Authorization", authorization_);
  out.body = request.body;
  out.timeout_ms = kServiceTimeoutMs;
  out.max_response_bytes = kServiceMaxResponseBytes;
  out.reach = allow_private_ ? net::Reach::kAnyValid : net::Reach::kPublic;
  out.refusal_hint = "refused unless the source sets allow_private";
  Status last;
  for (int attempt = 0; attempt < kServiceMaxAttempts; ++attempt) {
    if (attempt > 0) sleep_(kServiceBackoffMs << (attempt - 1));
    ++requests_;
    net::SendInfo info;
    Result<net::OutboundReply> reply = net::send(out, nullptr, &info);
    if (!reply.ok()) {
      // A refused address or a bad request will not get better; a transport failure may.
      if (reply.status().code() != StatusCode::kUnavailable || info.too_large) {
        return Status(reply.status().code(), scrub(reply.status().message()));
      }
      last = Status::unavailable(scrub(reply.status().message()));
      continue;
    }
    if (reply->status == 429) {
      int64_t wait = retryAfterSeconds(*reply, ::time(nullptr));
      if (wait > kServiceInlineWaitMaxS || attempt + 1 == kServiceMaxAttempts) return reply;
      sleep_(std::max<int64_t>(wait, 0) * 1000);
      continue;
    }
    if (reply->status >= 500 && attempt + 1 < kServiceMaxAttempts) {
      last = Status::unavailable("HTTP " + std::to_string(reply->status));
      continue;
    }
    return reply;
  }
  return Status::unavailable(request.method + " " + scrub(url) + ": " + last.message());
}

Result<net::OutboundReply> ServiceClient::get(
    const std::string& target, std::vector<std::pair<std::string, std::string>> headers) {
  ServiceRequest r;
  r.target = target;
  r.headers = std::move(headers);
  return send(r);
}

std::string ServiceClient::scrub(std::string text) const {
  for (const std::string* secret : {&authorization_, &credential_}) {
    if (secret->empty()) continue;
    for (size_t at = text.find(*secret); at != std::string::npos;
         at = text.find(*secret, at + 10)) {
      text.replace(at, secret->size(), "[REDACTED]");
    }
  }
  return text;
}

int64_t retryAfterSeconds(const net::OutboundReply& reply, int64_t now_s) {
  const std::string after = reply.header("retry-after");
  if (allDigits(after)) return std::stoll(after);
  if (!after.empty()) {
    struct tm tm {};
    const char* end = ::strptime(after.c_str(), "%a, %d %b %Y %H:%M:%S", &tm);
    if (end != nullptr) return std::max<int64_t>(0, ::timegm(&tm) - now_s);
  }
  const std::string reset = reply.header("x-ratelimit-reset");
  if (reply.header("x-ratelimit-remaining") == "0" && allDigits(reset)) {
    return std::max<int64_t>(0, std::stoll(reset) - now_s);
  }
  return 0;
}

}  // namespace ward::ingest
