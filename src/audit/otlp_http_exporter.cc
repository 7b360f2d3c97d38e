// POSTs OTLP JSON batches to <endpoint>/v1/traces with libcurl, under the outbound address rule
// of docs/formats/otlp-export.md: the collector is an operator-configured endpoint, so private
// addresses are allowed, but loopback only with otlp_allow_loopback, and link-local (cloud
// metadata), unspecified and multicast addresses never. The host is resolved per batch and the
// checked address pinned with CURLOPT_RESOLVE, so DNS cannot swap it between check and connect.
#include <arpa/inet.h>
#include <curl/curl.h>
#include <netdb.h>

#include <cstring>
#include <memory>

#include "ward/audit/trace_export.h"

namespace ward::audit {

namespace {

struct CurlGlobal {
  CurlGlobal() { curl_global_init(CURL_GLOBAL_DEFAULT); }
};

struct Endpoint {
  std::string url;  // <endpoint>/v1/traces
  std::string host, port;
};

// "loopback", "link-local", "unspecified", "multicast" or "" (allowed for a collector).
std::string classify(const sockaddr* sa) {
  if (sa->sa_family == AF_INET) {
    uint32_t a = ntohl(reinterpret_cast<const sockaddr_in*>(sa)->sin_addr.s_addr);
    if ((a >> 24) == 127) return "loopback";
    if ((a >> 16) == 0xA9FE) return "link-local";
    if (a == 0) return "unspecified";
    if ((a >> 28) == 0xE) return "multicast";
    return "";
  }
  if (sa->sa_family == AF_INET6) {
    const auto* b = reinterpret_cast<const sockaddr_in6*>(sa)->sin6_addr.s6_addr;
    static const unsigned char kLoop[16] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1};
    static const unsigned char kZero[16] = {};
    if (memcmp(b, kLoop, 16) == 0) return "loopback";
    if (memcmp(b, kZero, 16) == 0) return "unspecified";
    if (b[0] == 0xFE && (b[1] & 0xC0) == 0x80) return "link-local";
    if (b[0] == 0xFF) return "multicast";
    // IPv4-mapped (::ffff:a.b.c.d): judge the IPv4 address.
    static const unsigned char kMapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xFF, 0xFF};
    if (memcmp(b, kMapped, 12) == 0) {
      sockaddr_in v4{};
      v4.sin_family = AF_INET;
      memcpy(&v4.sin_addr, b + 12, 4);
      return classify(reinterpret_cast<const sockaddr*>(&v4));
    }
    return "";
  }
  return "unspecified";
}

std::string addressText(const sockaddr* sa) {
  char buf[INET6_ADDRSTRLEN] = {};
  if (sa->sa_family == AF_INET) {
    inet_ntop(AF_INET, &reinterpret_cast<const sockaddr_in*>(sa)->sin_addr, buf, sizeof buf);
    return buf;
  }
  inet_ntop(AF_INET6, &reinterpret_cast<const sockaddr_in6*>(sa)->sin6_addr, buf, sizeof buf);
  return std::string("[") + buf + "]";
}

Result<Endpoint> parseEndpoint(const std::string& base) {
  std::unique_ptr<CURLU, decltype(&curl_url_cleanup)> u(curl_url(), curl_url_cleanup);
  if (!u || curl_url_set(u.get(), CURLUPART_URL, base.c_str(), 0) != CURLUE_OK) {
    return Status::invalidArgument("audit.export.otlp_endpoint '" + base + "' is not a URL");
  }
  auto part = [&](CURLUPart p, unsigned flags) {
    char* v = nullptr;
    std::string out;
    if (curl_url_get(u.get(), p, &v, flags) == CURLUE_OK && v) out = v;
    curl_free(v);
    return out;
  };
  Endpoint e;
  std::string scheme = part(CURLUPART_SCHEME, 0);
  if (scheme != "http" && scheme != "https") {
    return Status::invalidArgument("audit.export.otlp_endpoint must be http:// or https://");
  }
  if (!part(CURLUPART_USER, 0).empty() || !part(CURLUPART_QUERY, 0).empty()) {
    return Status::invalidArgument(
        "audit.export.otlp_endpoint must not carry credentials or a query");
  }
  e.host = part(CURLUPART_HOST, 0);
  e.port = part(CURLUPART_PORT, CURLU_DEFAULT_PORT);
  if (e.host.size() >= 2 && e.host.front() == '[') e.host = e.host.substr(1, e.host.size() - 2);
  if (e.host.empty()) return Status::invalidArgument("audit.export.otlp_endpoint has no host");
  std::string trimmed = base;
  while (!trimmed.empty() && trimmed.back() == '/') trimmed.pop_back();
  e.url = trimmed + "/v1/traces";
  return e;
}

size_t collect(char* ptr, size_t size, size_t nmemb, void* user) {
  auto* body = static_cast<std::pair<std::string, size_t>*>(user);
  size_t n = size * nmemb;
  if (body->first.size() + n > body->second) return 0;  // aborts: the answer is too large
  body->first.append(ptr, n);
  return n;
}

class OtlpHttpExporter final : public TraceExporter {
 public:
  OtlpHttpExporter(OtlpOptions options, Endpoint endpoint)
      : options_(std::move(options)), endpoint_(std::move(endpoint)) {}
  ~OtlpHttpExporter() override {
    if (curl_ != nullptr) curl_easy_cleanup(curl_);
  }

  std::string name() const override { return "otlp"; }

  Status exportBatch(const std::vector<StoredTraceEvent>& batch) override {
    WARD_ASSIGN_OR_RETURN(std::string address, resolve());
    std::string body = dumpJson(encodeOtlpTraces(batch, options_));
    if (curl_ == nullptr) curl_ = curl_easy_init();
    if (curl_ == nullptr) return Status::unavailable("curl_easy_init failed");
    CURL* h = curl_;
    curl_easy_reset(h);
    std::string pin = endpoint_.host + ":" + endpoint_.port + ":" + address;
    std::unique_ptr<curl_slist, decltype(&curl_slist_free_all)> resolve_list(
        curl_slist_append(nullptr, pin.c_str()), curl_slist_free_all);
    std::unique_ptr<curl_slist, decltype(&curl_slist_free_all)> headers(
        curl_slist_append(nullptr, "Content-Type: application/json"), curl_slist_free_all);
    std::pair<std::string, size_t> answer{"", options_.max_response_bytes};
    curl_easy_setopt(h, CURLOPT_URL, endpoint_.url.c_str());
    curl_easy_setopt(h, CURLOPT_RESOLVE, resolve_list.get());
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, headers.get());
    curl_easy_setopt(h, CURLOPT_POSTFIELDS, body.data());
    curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(body.size()));
    curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, static_cast<long>(options_.timeout_ms));
    curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(options_.timeout_ms));
    curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 0L);
    curl_easy_setopt(h, CURLOPT_PROXY, "");  // never a proxy from the environment
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, collect);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, &answer);
    CURLcode rc = curl_easy_perform(h);
    if (rc != CURLE_OK) {
      return Status::unavailable("OTLP collector " + endpoint_.url + ": " + curl_easy_strerror(rc));
    }
    long code = 0;
    curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &code);
    if (code >= 200 && code < 300) return Status();
    std::string m =
        "OTLP collector answered HTTP " + std::to_string(code) + ": " + answer.first.substr(0, 200);
    // The OTLP/HTTP spec: 429, 502, 503 and 504 are retryable; other errors are not.
    if (code == 429 || code == 502 || code == 503 || code == 504) return Status::unavailable(m);
    return Status::invalidArgument(m);
  }

 private:
  Result<std::string> resolve() {
    addrinfo hints{};
    hints.ai_socktype = SOCK_STREAM;
    addrinfo* res = nullptr;
    int rc = getaddrinfo(endpoint_.host.c_str(), endpoint_.port.c_str(), &hints, &res);
    if (rc != 0) {
      return Status::unavailable("cannot resolve OTLP collector host '" + endpoint_.host +
                                 "': " + gai_strerror(rc));
    }
    std::unique_ptr<addrinfo, decltype(&freeaddrinfo)> owned(res, freeaddrinfo);
    std::string refused;
    for (addrinfo* ai = res; ai != nullptr; ai = ai->ai_next) {
      std::string cls = classify(ai->ai_addr);
      if (cls.empty() || (cls == "loopback" && options_.allow_loopback)) {
        return addressText(ai->ai_addr);
      }
      if (refused.empty()) refused = addressText(ai->ai_addr) + " (" + cls + ")";
    }
    return Status::permissionDenied(
        "OTLP collector host '" + endpoint_.host + "' resolves to " + refused +
        ", which is refused (loopback needs audit.export.otlp_allow_loopback = true)");
  }

  const OtlpOptions options_;
  const Endpoint endpoint_;
  CURL* curl_ = nullptr;  // one handle, used by the exporter thread only (keeps connections)
};

}  // namespace

Result<std::unique_ptr<TraceExporter>> makeOtlpHttpExporter(const OtlpOptions& options) {
  static CurlGlobal global;
  WARD_ASSIGN_OR_RETURN(Endpoint endpoint, parseEndpoint(options.endpoint));
  // A literal address is judged now, so a bad configuration fails at start, not at export.
  in6_addr v6{};
  in_addr v4{};
  sockaddr_storage ss{};
  if (inet_pton(AF_INET, endpoint.host.c_str(), &v4) == 1) {
    auto* sin = reinterpret_cast<sockaddr_in*>(&ss);
    sin->sin_family = AF_INET;
    sin->sin_addr = v4;
  } else if (inet_pton(AF_INET6, endpoint.host.c_str(), &v6) == 1) {
    auto* sin6 = reinterpret_cast<sockaddr_in6*>(&ss);
    sin6->sin6_family = AF_INET6;
    sin6->sin6_addr = v6;
  }
  if (ss.ss_family != 0) {
    std::string cls = classify(reinterpret_cast<const sockaddr*>(&ss));
    if (!cls.empty() && !(cls == "loopback" && options.allow_loopback)) {
      return Status::permissionDenied(
          "audit.export.otlp_endpoint " + endpoint.host + " is " + cls + "; refused" +
          (cls == "loopback" ? " unless audit.export.otlp_allow_loopback = true" : ""));
    }
  }
  return std::unique_ptr<TraceExporter>(new OtlpHttpExporter(options, std::move(endpoint)));
}

}  // namespace ward::audit
