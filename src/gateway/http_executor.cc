#include "http_executor.h"

#include <arpa/inet.h>
#include <curl/curl.h>
#include <netdb.h>

#include <cctype>
#include <chrono>
#include <memory>
#include <thread>

#include "address_policy.h"
#include "ward/common/log.h"

namespace ward::gateway {

namespace {

struct CurlGlobal {
  CurlGlobal() { curl_global_init(CURL_GLOBAL_DEFAULT); }
};

// One handle per thread: curl keeps its connections, so calls to one backend reuse them.
CURL* threadHandle() {
  static CurlGlobal global;
  struct Holder {
    CURL* h = curl_easy_init();
    ~Holder() { curl_easy_cleanup(h); }
  };
  thread_local Holder holder;
  return holder.h;
}

struct Body {
  std::string data;
  size_t limit = 0;
  bool too_large = false;
};

size_t writeBody(char* ptr, size_t size, size_t nmemb, void* user) {
  auto* body = static_cast<Body*>(user);
  size_t n = size * nmemb;
  if (body->data.size() + n > body->limit) {
    body->too_large = true;
    return 0;  // aborts the transfer
  }
  body->data.append(ptr, n);
  return n;
}

struct Target {
  std::string scheme, host, port, backend;  // backend = scheme://host:port
};

Result<Target> parseTarget(const std::string& url) {
  std::unique_ptr<CURLU, decltype(&curl_url_cleanup)> u(curl_url(), curl_url_cleanup);
  if (!u || curl_url_set(u.get(), CURLUPART_URL, url.c_str(), 0) != CURLUE_OK) {
    return Status::invalidArgument("backend url '" + url + "' is not a valid URL");
  }
  auto part = [&](CURLUPart p, unsigned flags) {
    char* v = nullptr;
    std::string out;
    if (curl_url_get(u.get(), p, &v, flags) == CURLUE_OK && v) out = v;
    curl_free(v);
    return out;
  };
  Target t;
  t.scheme = part(CURLUPART_SCHEME, 0);
  t.host = part(CURLUPART_HOST, 0);
  t.port = part(CURLUPART_PORT, CURLU_DEFAULT_PORT);
  if (t.host.size() >= 2 && t.host.front() == '[') t.host = t.host.substr(1, t.host.size() - 2);
  if (t.host.empty() || t.port.empty()) return Status::invalidArgument("backend url has no host");
  t.backend = t.scheme + "://" + t.host + ":" + t.port;
  return t;
}

// Resolves the host and returns the first address the policy allows, as numeric text.
Result<std::string> resolveChecked(const Target& t, bool allow_private) {
  addrinfo hints{};
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_family = AF_UNSPEC;
  addrinfo* res = nullptr;
  int rc = getaddrinfo(t.host.c_str(), t.port.c_str(), &hints, &res);
  if (rc != 0) {
    return Status::unavailable("cannot resolve backend host '" + t.host + "': " + gai_strerror(rc));
  }
  std::unique_ptr<addrinfo, decltype(&freeaddrinfo)> owned(res, freeaddrinfo);
  std::string refused;
  for (addrinfo* ai = res; ai; ai = ai->ai_next) {
    std::string cls = classifyAddress(ai->ai_addr);
    if (cls == "public" || (allow_private && cls != "invalid")) return addressText(ai->ai_addr);
    if (refused.empty()) refused = addressText(ai->ai_addr) + " (" + cls + ")";
  }
  return Status::permissionDenied("backend host '" + t.host + "' resolves to " + refused +
                                  ", which tools may not reach unless they set "
                                  "backend.allow_private");
}

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

std::string urlEncode(const std::string& s) {
  static const char* kHex = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : s) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out;
}

// Whether an expanded path segment is "." or ".." (also percent-encoded, any case).
bool isDotSegment(std::string segment) {
  for (size_t at; (at = segment.find("%2")) != std::string::npos && at + 2 < segment.size() &&
                  (segment[at + 2] == 'e' || segment[at + 2] == 'E');) {
    segment.replace(at, 3, ".");
  }
  return segment == "." || segment == "..";
}

// A numeric host: curl connects to it without resolving, so there is nothing to pin (and
// CURLOPT_RESOLVE cannot name an IPv6 literal host: it splits the entry at the first ':').
bool isIpLiteral(const std::string& host) {
  unsigned char buf[sizeof(in6_addr)];
  return inet_pton(AF_INET6, host.c_str(), buf) == 1 || inet_pton(AF_INET, host.c_str(), buf) == 1;
}

}  // namespace

HttpExecutor::HttpExecutor(const GatewayConfig& config, const Clock& clock, SecretLookup secrets,
                           const audit::Redactor* redactor)
    : config_(config),
      clock_(clock),
      secrets_(std::move(secrets)),
      redactor_(redactor),
      breakers_(clock) {}

std::string HttpExecutor::redacted(const std::string& text) const {
  return redactor_ != nullptr ? redactor_->redactText(text) : text;
}

std::string HttpExecutor::pinEntry(const std::string& host, const std::string& port,
                                   const std::string& address) {
  if (isIpLiteral(host)) return "";
  return host + ":" + port + ":" +
         (address.find(':') != std::string::npos ? "[" + address + "]" : address);
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
    const std::string encoded = urlEncode(text);
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
  WARD_ASSIGN_OR_RETURN(Target target, parseTarget(url));
  if (target.scheme != "http" && target.scheme != "https") {
    return Status::invalidArgument("backend url must be http or https");
  }
  WARD_RETURN_IF_ERROR(breakers_.admit(target.backend));
  WARD_ASSIGN_OR_RETURN(std::string address, resolveChecked(target, hb.allow_private));

  std::string secret_header;
  if (!hb.auth_secret.empty()) {
    auto secret = secrets_(call.request.principal.tenant, hb.auth_secret);
    if (!secret.ok()) {
      return Status::failedPrecondition("tool '" + def.name + "' needs the tenant secret '" +
                                        hb.auth_secret + "': " + secret.status().message());
    }
    secret_header =
        hb.auth_header + ": " + (hb.auth_scheme.empty() ? *secret : hb.auth_scheme + " " + *secret);
  }
  const std::string payload = hb.method == "GET" ? "" : dumpJson(call.request.args);
  const std::string pin = pinEntry(target.host, target.port, address);
  const int64_t timeout_ms = hb.timeout_ms > 0 ? hb.timeout_ms : config_.timeout_ms;
  const int attempts = def.risk == Risk::kRead ? 1 + config_.retries : 1;

  Status last;
  for (int attempt = 0; attempt < attempts; ++attempt) {
    if (attempt > 0) std::this_thread::sleep_for(std::chrono::milliseconds(20 << attempt));
    CURL* h = threadHandle();
    if (h == nullptr) return Status::internal("curl_easy_init failed");
    curl_easy_reset(h);
    curl_slist* resolve = pin.empty() ? nullptr : curl_slist_append(nullptr, pin.c_str());
    curl_slist* headers = curl_slist_append(nullptr, "Accept: application/json");
    headers = curl_slist_append(headers, "Content-Type: application/json");
    headers =
        curl_slist_append(headers, ("traceparent: " + call.request.trace.traceparent()).c_str());
    if (!call.request.idempotency_key.empty()) {
      headers =
          curl_slist_append(headers, ("Idempotency-Key: " + call.request.idempotency_key).c_str());
    }
    for (const auto& [k, v] : hb.headers)
      headers = curl_slist_append(headers, (k + ": " + v).c_str());
    if (!secret_header.empty()) headers = curl_slist_append(headers, secret_header.c_str());
    Body body;
    body.limit = config_.max_response_bytes;
    curl_easy_setopt(h, CURLOPT_URL, url.c_str());
    curl_easy_setopt(h, CURLOPT_RESOLVE, resolve);
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, headers);
    curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, hb.method.c_str());
    if (hb.method != "GET") {
      curl_easy_setopt(h, CURLOPT_POSTFIELDS, payload.data());
      curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE, static_cast<long>(payload.size()));
    }
    curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 0L);
    // No proxy from the environment: a proxy would connect on our behalf to an unchecked address.
    curl_easy_setopt(h, CURLOPT_PROXY, "");
    curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, static_cast<long>(timeout_ms));
    curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(timeout_ms));
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, writeBody);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, &body);
    curl_easy_setopt(h, CURLOPT_MAXFILESIZE_LARGE,
                     static_cast<curl_off_t>(config_.max_response_bytes));
    const int64_t start = clock_.monotonicNanos();
    call.backend_contacted = true;
    CURLcode rc = curl_easy_perform(h);
    call.backend_ns += clock_.monotonicNanos() - start;
    long code = 0;
    curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &code);
    // Unset pointers into locals before they go out of scope (the handle is reused).
    curl_easy_setopt(h, CURLOPT_RESOLVE, nullptr);
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, nullptr);
    curl_slist_free_all(resolve);
    curl_slist_free_all(headers);
    call.backend_status = static_cast<int>(code);
    if (body.too_large || rc == CURLE_FILESIZE_EXCEEDED) {
      breakers_.recordFailure(target.backend);
      return Status::unavailable("backend response exceeds gateway.max_response_bytes (" +
                                 std::to_string(config_.max_response_bytes) + ")");
    }
    if (rc != CURLE_OK) {
      call.backend_error = false;  // a retry that got no answer: unavailable, not an error answer
      if (rc == CURLE_COULDNT_CONNECT) call.backend_contacted = attempt > 0;
      breakers_.recordFailure(target.backend);
      last =
          Status::unavailable("backend " + target.backend + " failed: " + curl_easy_strerror(rc));
      continue;
    }
    if (code >= 500 || code == 429) {
      breakers_.recordFailure(target.backend);
      call.backend_error = true;
      last = statusForHttp(code, redacted(body.data));
      continue;
    }
    breakers_.recordSuccess(target.backend);
    if (code >= 300) {
      call.backend_error = true;
      return statusForHttp(code, redacted(body.data));
    }
    if (body.data.empty()) return Json(nullptr);
    auto parsed = parseJson(body.data);
    if (!parsed.ok()) return Status::unavailable("backend answered with invalid JSON");
    return parsed;
  }
  return last;
}

}  // namespace ward::gateway
