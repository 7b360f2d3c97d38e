#include "ward/net/http_client.h"

#include <curl/curl.h>
#include <netdb.h>

#include <cctype>
#include <chrono>
#include <memory>

#include "outbound_checks.h"
#include "ward/net/address_policy.h"

namespace ward::net {

namespace {

struct CurlGlobal {
  CurlGlobal() { curl_global_init(CURL_GLOBAL_DEFAULT); }
};

// One handle per thread: curl keeps its connections, so calls to one provider reuse them.
CURL* threadHandle() {
  static CurlGlobal global;
  struct Holder {
    CURL* h = curl_easy_init();
    ~Holder() { curl_easy_cleanup(h); }
  };
  thread_local Holder holder;
  return holder.h;
}

struct Exchange {
  OutboundReply* reply = nullptr;
  const BodySink* sink = nullptr;
  size_t limit = 0;
  size_t received = 0;
  bool too_large = false;
  bool sink_stopped = false;
};

size_t onBody(char* p, size_t size, size_t n, void* user) {
  auto& x = *static_cast<Exchange*>(user);
  const size_t len = size * n;
  x.received += len;
  if (x.received > x.limit) {
    x.too_large = true;
    return 0;
  }
  try {
    if (x.sink != nullptr && x.reply->status >= 200 && x.reply->status < 300) {
      if (!(*x.sink)(std::string_view(p, len))) {
        x.sink_stopped = true;
        return 0;
      }
    } else {
      x.reply->body.append(p, len);
    }
  } catch (...) {
    x.sink_stopped = true;
    return 0;
  }
  return len;
}

size_t onHeader(char* p, size_t size, size_t n, void* user) {
  auto& x = *static_cast<Exchange*>(user);
  const size_t len = size * n;
  try {
    std::string line(p, len);
    while (!line.empty() && (line.back() == '\r' || line.back() == '\n')) line.pop_back();
    if (line.rfind("HTTP/", 0) == 0) {
      // A new response (after a 100 Continue): its status and headers replace the old ones.
      x.reply->headers.clear();
      size_t sp = line.find(' ');
      x.reply->status = sp == std::string::npos ? 0 : std::atoi(line.c_str() + sp + 1);
      return len;
    }
    size_t colon = line.find(':');
    if (colon == std::string::npos) return len;
    std::string name = line.substr(0, colon);
    for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    size_t v = line.find_first_not_of(' ', colon + 1);
    x.reply->headers[name] = v == std::string::npos ? "" : line.substr(v);
  } catch (...) {
    return 0;
  }
  return len;
}

bool hasLineBreak(const std::string& s) { return s.find_first_of("\r\n") != std::string::npos; }

}  // namespace

namespace internal {

Result<std::string> resolveChecked(const Origin& t, const OutboundRequest& req) {
  const Reach reach = req.allow_private ? Reach::kAnyValid : req.reach;
  addrinfo hints{};
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_family = AF_UNSPEC;
  addrinfo* res = nullptr;
  int rc = getaddrinfo(t.host.c_str(), t.port.c_str(), &hints, &res);
  if (rc != 0) {
    return Status::unavailable("cannot resolve host '" + t.host + "': " + gai_strerror(rc));
  }
  std::unique_ptr<addrinfo, decltype(&freeaddrinfo)> owned(res, freeaddrinfo);
  std::string refused;
  for (addrinfo* ai = res; ai; ai = ai->ai_next) {
    std::string cls = classifyAddress(ai->ai_addr);
    if (reachable(cls, reach, req.allow_loopback)) return addressText(ai->ai_addr);
    if (refused.empty()) refused = addressText(ai->ai_addr) + " (" + cls + ")";
  }
  return Status::permissionDenied("host '" + t.host + "' resolves to " + refused + ", " +
                                  req.refusal_hint);
}

Status checkHeaders(const OutboundRequest& req) {
  for (const auto& [k, v] : req.headers) {
    if (k.empty() || hasLineBreak(k) || hasLineBreak(v) || k.find(':') != std::string::npos) {
      return Status::invalidArgument("header '" + k + "' contains a forbidden character");
    }
  }
  return Status();
}

}  // namespace internal

Result<Origin> parseOrigin(const std::string& url) {
  std::unique_ptr<CURLU, decltype(&curl_url_cleanup)> u(curl_url(), curl_url_cleanup);
  if (!u || curl_url_set(u.get(), CURLUPART_URL, url.c_str(), 0) != CURLUE_OK) {
    return Status::invalidArgument("url '" + url + "' is not a valid URL");
  }
  auto part = [&](CURLUPart p, unsigned flags) {
    char* v = nullptr;
    std::string out;
    if (curl_url_get(u.get(), p, &v, flags) == CURLUE_OK && v) out = v;
    curl_free(v);
    return out;
  };
  Origin t;
  t.scheme = part(CURLUPART_SCHEME, 0);
  t.host = part(CURLUPART_HOST, 0);
  t.port = part(CURLUPART_PORT, CURLU_DEFAULT_PORT);
  t.has_credentials = !part(CURLUPART_USER, 0).empty();
  t.has_query = !part(CURLUPART_QUERY, 0).empty();
  if (t.host.size() >= 2 && t.host.front() == '[') t.host = t.host.substr(1, t.host.size() - 2);
  if (t.scheme != "http" && t.scheme != "https") {
    return Status::invalidArgument("url '" + url + "' must be http or https");
  }
  if (t.host.empty() || t.port.empty()) return Status::invalidArgument("url has no host");
  return t;
}

std::string pinEntry(const std::string& host, const std::string& port, const std::string& address) {
  if (isIpLiteral(host)) return "";
  return host + ":" + port + ":" +
         (address.find(':') != std::string::npos ? "[" + address + "]" : address);
}

std::string OutboundReply::header(const std::string& name) const {
  auto it = headers.find(name);
  return it == headers.end() ? "" : it->second;
}

Result<OutboundReply> send(const OutboundRequest& req, const BodySink* sink, SendInfo* info) {
  SendInfo ignored;
  SendInfo& out = info != nullptr ? *info : ignored;
  out = SendInfo{};
  WARD_ASSIGN_OR_RETURN(Origin target, parseOrigin(req.url));
  WARD_RETURN_IF_ERROR(internal::checkHeaders(req));
  WARD_ASSIGN_OR_RETURN(std::string address, internal::resolveChecked(target, req));
  const std::string pin = pinEntry(target.host, target.port, address);
  CURL* h = threadHandle();
  if (h == nullptr) return Status::internal("curl_easy_init failed");
  curl_easy_reset(h);
  curl_slist* resolve = pin.empty() ? nullptr : curl_slist_append(nullptr, pin.c_str());
  curl_slist* headers = nullptr;
  for (const auto& [k, v] : req.headers)
    headers = curl_slist_append(headers, (k + ": " + v).c_str());
  // libcurl would add "Expect: 100-continue" to large bodies: one more round trip for nothing.
  headers = curl_slist_append(headers, "Expect:");
  OutboundReply reply;
  Exchange x;
  x.reply = &reply;
  x.sink = sink;
  x.limit = req.max_response_bytes;
  curl_easy_setopt(h, CURLOPT_URL, req.url.c_str());
  curl_easy_setopt(h, CURLOPT_RESOLVE, resolve);
  curl_easy_setopt(h, CURLOPT_HTTPHEADER, headers);
  curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, req.method.c_str());
  if (req.method != "GET") {
    curl_easy_setopt(h, CURLOPT_POSTFIELDS, req.body.data());
    curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE, static_cast<long>(req.body.size()));
  }
  curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 0L);
  // No proxy from the environment: a proxy would connect on our behalf to an unchecked address.
  curl_easy_setopt(h, CURLOPT_PROXY, "");
  curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, static_cast<long>(req.timeout_ms));
  curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(req.timeout_ms));
  curl_easy_setopt(h, CURLOPT_TCP_NODELAY, 1L);
  curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, onBody);
  curl_easy_setopt(h, CURLOPT_WRITEDATA, &x);
  curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, onHeader);
  curl_easy_setopt(h, CURLOPT_HEADERDATA, &x);
  out.sent = true;
  const auto start = std::chrono::steady_clock::now();
  CURLcode rc = curl_easy_perform(h);
  reply.elapsed_us = std::chrono::duration_cast<std::chrono::microseconds>(
                         std::chrono::steady_clock::now() - start)
                         .count();
  // Unset pointers into locals before they go out of scope (the handle is reused).
  curl_easy_setopt(h, CURLOPT_RESOLVE, nullptr);
  curl_easy_setopt(h, CURLOPT_HTTPHEADER, nullptr);
  curl_easy_setopt(h, CURLOPT_WRITEDATA, nullptr);
  curl_easy_setopt(h, CURLOPT_HEADERDATA, nullptr);
  curl_slist_free_all(resolve);
  curl_slist_free_all(headers);
  out.reached = reply.status != 0;
  out.status = reply.status;
  out.connect_failed = rc == CURLE_COULDNT_CONNECT || rc == CURLE_COULDNT_RESOLVE_HOST;
  out.too_large = x.too_large || rc == CURLE_FILESIZE_EXCEEDED;
  const std::string where = target.text();
  if (out.too_large) {
    return Status::unavailable("the response of " + where + " exceeds " +
                               std::to_string(req.max_response_bytes) + " bytes");
  }
  if (x.sink_stopped) return Status::unavailable("the transfer from " + where + " was stopped");
  if (rc != CURLE_OK) {
    return Status::unavailable("request to " + where + " failed: " + curl_easy_strerror(rc));
  }
  return reply;
}

}  // namespace ward::net
