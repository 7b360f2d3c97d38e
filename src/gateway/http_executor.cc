#include "http_executor.h"

#include <chrono>
#include <thread>

#include "ward/net/http_client.h"
#include "ward/common/encoding.h"

namespace ward::gateway {

namespace {

// The first kMaxErrorExcerptBytes of a backend's error body, cut at a UTF-8 character boundary.
// The body was redacted whole before it is cut, so no secret is shown in part.
std::string excerptOf(const std::string& redacted) {
  if (redacted.size() <= kMaxErrorExcerptBytes) return redacted;
  size_t end = kMaxErrorExcerptBytes;
  while (end > 0 && (static_cast<unsigned char>(redacted[end]) & 0xC0) == 0x80) --end;
  return redacted.substr(0, end) + "...";
}

Status statusForHttp(long code, const std::string& redacted_body) {
  std::string excerpt = excerptOf(redacted_body);
  std::string m =
      "backend answered HTTP " + std::to_string(code) + (excerpt.empty() ? "" : ": " + excerpt);
  if (code >= 300 && code < 400) {
    return Status::failedPrecondition("backend answered HTTP " + std::to_string(code) +
                                      " (a redirect; the gateway never follows redirects)" +
                                      (excerpt.empty() ? "" : ": " + excerpt));
  }
  if (code == 404) return Status::notFound(m);
  if (code == 400 || code == 422) return Status::invalidArgument(m);
  if (code == 409 || (code >= 400 && code < 500 && code != 429)) {
    return Status::failedPrecondition(m);
  }
  if (code == 429) return Status::resourceExhausted(m);
  return Status::unavailable(m);
}

// Whether an expanded path segment is "." or ".." (also percent-encoded, any case).
bool isDotSegment(std::string segment) {
  for (size_t at; (at = segment.find("%2")) != std::string::npos && at + 2 < segment.size() &&
                  (segment[at + 2] == 'e' || segment[at + 2] == 'E');) {
    segment.replace(at, 3, ".");
  }
  return segment == "." || segment == "..";
}

}  // namespace

HttpExecutor::HttpExecutor(const GatewayConfig& config, const Clock& clock, SecretLookup secrets,
                           const trace::Redactor* redactor)
    : config_(config),
      clock_(clock),
      secrets_(std::move(secrets)),
      redactor_(redactor),
      breakers_(clock) {}

std::string HttpExecutor::redacted(const std::string& text) const {
  return redactor_ != nullptr ? redactor_->redactText(text) : text;
}

Result<std::string> HttpExecutor::expandUrl(const std::string& tmpl, const Json& args) {
  std::string out;
  // Where the path ends in the template (its query or fragment): placeholders before it are path
  // segment values, which may not be dot segments (they would climb out of the template's path).
  const size_t authority = tmpl.find("://");
  const size_t path_start = tmpl.find('/', authority == std::string::npos ? 0 : authority + 3);
  const size_t path_end =
      tmpl.find_first_of("?#", path_start == std::string::npos ? 0 : path_start);
  size_t i = 0;
  while (i < tmpl.size()) {
    size_t open = tmpl.find('{', i);
    if (open == std::string::npos) {
      out += tmpl.substr(i);
      break;
    }
    size_t close = tmpl.find('}', open);
    if (close == std::string::npos) return Status::invalidArgument("backend url: unclosed '{'");
    out += tmpl.substr(i, open - i);
    std::string name = tmpl.substr(open + 1, close - open - 1);
    if (!args.is_object() || !args.contains(name)) {
      return Status::invalidArgument("argument '" + name + "' is required by the backend url");
    }
    const Json& v = args[name];
    std::string text;
    if (v.is_string())
      text = v.get<std::string>();
    else if (v.is_number() || v.is_boolean())
      text = dumpJson(v);
    else
      return Status::invalidArgument("argument '" + name + "' must be a string or number");
    const std::string encoded = percentEncode(text);
    if (open > path_start && open < path_end && isDotSegment(encoded)) {
      return Status::invalidArgument("argument '" + name + "' is '" + text +
                                     "', a dot segment, which a backend url path may not contain");
    }
    out += encoded;
    i = close + 1;
  }
  // Two placeholders in one segment ("{a}{b}" = "." + ".") can form a dot segment too.
  const size_t out_authority = out.find("://");
  const size_t out_path = out.find('/', out_authority == std::string::npos ? 0 : out_authority + 3);
  if (out_path != std::string::npos) {
    const std::string path = out.substr(out_path, out.find_first_of("?#", out_path) - out_path);
    size_t start = 1;
    while (start <= path.size()) {
      size_t slash = path.find('/', start);
      if (slash == std::string::npos) slash = path.size();
      if (isDotSegment(path.substr(start, slash - start))) {
        return Status::invalidArgument("backend url path '" + path +
                                       "' contains a dot segment ('.' or '..')");
      }
      start = slash + 1;
    }
  }
  return out;
}

Result<Json> HttpExecutor::execute(CallContext& call) {
  const ToolDefinition& def = call.tool->definition;
  const HttpBackend& hb = def.backend.http;
  WARD_ASSIGN_OR_RETURN(std::string url, expandUrl(hb.url_template, call.request.args));
  auto origin = net::parseOrigin(url);
  if (!origin.ok()) return Status::invalidArgument("backend " + origin.status().message());
  const std::string backend = origin->text();
  WARD_RETURN_IF_ERROR(breakers_.admit(backend));

  net::OutboundRequest request;
  request.method = hb.method;
  request.url = url;
  request.headers = {{"Accept", "application/json"},
                     {"Content-Type", "application/json"},
                     {"traceparent", call.request.trace.traceparent()}};
  if (!call.request.idempotency_key.empty()) {
    request.headers.emplace_back("Idempotency-Key", call.request.idempotency_key);
  }
  for (const auto& [k, v] : hb.headers) request.headers.emplace_back(k, v);
  if (!hb.auth_secret.empty()) {
    auto secret = secrets_(call.request.principal.tenant, hb.auth_secret);
    if (!secret.ok()) {
      return Status::failedPrecondition("tool '" + def.name + "' needs the tenant secret '" +
                                        hb.auth_secret + "': " + secret.status().message());
    }
    request.headers.emplace_back(hb.auth_header,
                                 hb.auth_scheme.empty() ? *secret : hb.auth_scheme + " " + *secret);
  }
  if (hb.method != "GET") request.body = dumpJson(call.request.args);
  request.timeout_ms = hb.timeout_ms > 0 ? hb.timeout_ms : config_.timeout_ms;
  request.max_response_bytes = config_.max_response_bytes;
  request.reach = hb.allow_private ? net::Reach::kAnyValid : net::Reach::kPublic;
  request.refusal_hint = "which tools may not reach unless they set backend.allow_private";
  const int attempts = def.risk == Risk::kRead ? 1 + config_.retries : 1;

  Status last;
  for (int attempt = 0; attempt < attempts; ++attempt) {
    if (attempt > 0)
      std::this_thread::sleep_for(std::chrono::milliseconds(retryBackoffMs(attempt)));
    net::SendInfo info;
    const int64_t start = clock_.monotonicNanos();
    auto reply = net::send(request, nullptr, &info);
    call.backend_ns += clock_.monotonicNanos() - start;
    call.backend_status = info.status;
    if (!info.sent) {
      // Refused before any connection (a header, an address the policy refuses, a name that
      // does not resolve): nothing reached the backend, and trying again would not help.
      return reply.status();
    }
    call.backend_contacted = true;
    if (info.too_large) {
      breakers_.recordFailure(backend);
      return Status::unavailable("backend response exceeds gateway.max_response_bytes (" +
                                 std::to_string(config_.max_response_bytes) + ")");
    }
    if (!reply.ok()) {
      call.backend_error = false;  // a retry that got no answer: unavailable, not an error answer
      if (info.connect_failed) call.backend_contacted = attempt > 0;
      breakers_.recordFailure(backend);
      last = Status::unavailable("backend " + reply.status().message());
      continue;
    }
    const int code = reply->status;
    if (code >= 500 || code == 429) {
      breakers_.recordFailure(backend);
      call.backend_error = true;
      last = statusForHttp(code, redacted(reply->body));
      continue;
    }
    breakers_.recordSuccess(backend);
    if (code >= 300) {
      call.backend_error = true;
      return statusForHttp(code, redacted(reply->body));
    }
    if (reply->body.empty()) return Json(nullptr);
    auto parsed = parseJson(reply->body);
    if (!parsed.ok()) return Status::unavailable("backend answered with invalid JSON");
    return parsed;
  }
  return last;
}

}  // namespace ward::gateway
