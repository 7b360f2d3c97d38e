// MCP over Streamable HTTP: every message is a POST; the answer is a JSON body or an SSE stream
// that carries the response (and possibly notifications before it). libcurl, one easy handle per
// request (upstream calls are few compared to the HTTP backend's, which reuses handles).
#include <curl/curl.h>

#include <mutex>
#include <optional>

#include "transport.h"
#include "ward/common/log.h"

namespace ward::upstream {

namespace {

struct CurlGlobal {
  CurlGlobal() { curl_global_init(CURL_GLOBAL_DEFAULT); }
};

struct Exchange {
  std::string want_id;  // dump() of the request id ("" for a notification)
  size_t max_bytes = 0;
  NotificationSink* sink = nullptr;
  std::function<void(const Json&)> answer_server_request;
  const ServerRequestHandler* on_request = nullptr;  // the roundTrip's, if any
  std::string body;  // a JSON body, or the unparsed tail of an SSE stream
  bool sse = false;  // Content-Type: text/event-stream (set by the header callback)
  std::string data;  // the current SSE event's data lines
  std::optional<Json> response;
  std::string session;  // Mcp-Session-Id of the response
  bool too_big = false;
};

void deliver(Exchange& x, const std::string& text) {
  auto msg = parseJson(text);
  if (!msg.ok() || !msg->is_object()) return;
  const Json& m = *msg;
  if (m.contains("method")) {
    if (m.contains("id")) {
      x.answer_server_request(m);
    } else if (x.sink && *x.sink) {
      (*x.sink)(m["method"].is_string() ? m["method"].get<std::string>() : "",
                m.value("params", Json::object()));
    }
    return;
  }
  if (m.contains("id") && m["id"].dump() == x.want_id) x.response = m;
}

// Consumes complete lines of an SSE stream ("data:" fields joined by "\n", dispatched on a
// blank line); keeps the incomplete tail in x.body.
void consumeSse(Exchange& x) {
  size_t start = 0;
  for (size_t nl; (nl = x.body.find('\n', start)) != std::string::npos; start = nl + 1) {
    std::string line = x.body.substr(start, nl - start);
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.empty()) {
      if (!x.data.empty()) deliver(x, x.data);
      x.data.clear();
    } else if (line.rfind("data:", 0) == 0) {
      std::string v = line.substr(5);
      if (!v.empty() && v.front() == ' ') v.erase(0, 1);
      if (!x.data.empty()) x.data.push_back('\n');
      x.data += v;
    }  // event:, id:, retry: and comments carry nothing Ward needs
  }
  x.body.erase(0, start);
}

size_t onBody(char* p, size_t size, size_t n, void* user) {
  auto& x = *static_cast<Exchange*>(user);
  x.body.append(p, size * n);
  if (x.sse) {
    consumeSse(x);
    if (x.response) return 0;  // got what we asked for: stop reading the stream
  }
  if (x.body.size() + x.data.size() > x.max_bytes) {
    x.too_big = true;
    return 0;
  }
  return size * n;
}

size_t onHeader(char* p, size_t size, size_t n, void* user) {
  auto& x = *static_cast<Exchange*>(user);
  std::string line(p, size * n);
  auto colon = line.find(':');
  if (colon != std::string::npos) {
    std::string name = line.substr(0, colon);
    for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    std::string value = line.substr(colon + 1);
    while (!value.empty() && (value.front() == ' ')) value.erase(0, 1);
    while (!value.empty() && (value.back() == '\r' || value.back() == '\n' || value.back() == ' '))
      value.pop_back();
    if (name == "mcp-session-id") x.session = value;
    if (name == "content-type") x.sse = value.rfind("text/event-stream", 0) == 0;
  }
  return size * n;
}

class HttpTransport final : public Transport {
 public:
  HttpTransport(ResolvedEndpoint e, NotificationSink sink)
      : e_(std::move(e)), sink_(std::move(sink)) {}

  Result<Json> roundTrip(const Json& request, const RequestHeaders& headers, int64_t timeout_ms,
                         const ServerRequestHandler& on_request) override {
    Exchange x;
    x.want_id = request["id"].dump();
    if (on_request) x.on_request = &on_request;
    WARD_RETURN_IF_ERROR(post(request, headers, timeout_ms, x));
    if (x.response) return std::move(*x.response);
    return Status::unavailable("upstream '" + e_.config.name + "' sent no response to request " +
                               x.want_id);
  }

  Status notify(const Json& notification, const RequestHeaders& headers) override {
    Exchange x;
    return post(notification, headers, e_.config.timeout_ms, x);
  }

  bool alive() const override { return true; }  // each request connects anew

  void setSession(const std::string& id) override {
    std::lock_guard<std::mutex> lock(mu_);
    session_ = id;
  }
  std::string sessionFromServer() const override {
    std::lock_guard<std::mutex> lock(mu_);
    return server_session_;
  }

  Json describe() const override {
    std::lock_guard<std::mutex> lock(mu_);
    // Never the headers: they may hold credentials.
    return Json{{"url", e_.config.url}, {"session", !session_.empty()}};
  }

  void close() override {}

 private:
  Status post(const Json& message, const RequestHeaders& extra, int64_t timeout_ms, Exchange& x) {
    const std::string& name = e_.config.name;
    x.max_bytes = e_.config.max_message_bytes;
    x.sink = &sink_;
    x.answer_server_request = [this, &x](const Json& m) { answerServerRequest(m, x.on_request); };
    std::string session;
    {
      std::lock_guard<std::mutex> lock(mu_);
      session = session_;
    }
    static CurlGlobal global;
    CURL* curl = curl_easy_init();
    if (curl == nullptr) return Status::unavailable("curl_easy_init failed");
    struct curl_slist* hdrs = nullptr;
    hdrs = curl_slist_append(hdrs, "Content-Type: application/json");
    hdrs = curl_slist_append(hdrs, "Accept: application/json, text/event-stream");
    if (!session.empty()) hdrs = curl_slist_append(hdrs, ("Mcp-Session-Id: " + session).c_str());
    for (const auto& [k, v] : extra) hdrs = curl_slist_append(hdrs, (k + ": " + v).c_str());
    for (const auto& [k, v] : e_.headers) hdrs = curl_slist_append(hdrs, (k + ": " + v).c_str());
    const std::string body = message.dump();
    curl_easy_setopt(curl, CURLOPT_URL, e_.config.url.c_str());
    curl_easy_setopt(curl, CURLOPT_HTTPHEADER, hdrs);
    curl_easy_setopt(curl, CURLOPT_POSTFIELDS, body.c_str());
    curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE, static_cast<long>(body.size()));
    curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(curl, CURLOPT_FOLLOWLOCATION, 0L);
    curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, static_cast<long>(timeout_ms));
    curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, onBody);
    curl_easy_setopt(curl, CURLOPT_WRITEDATA, &x);
    curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, onHeader);
    curl_easy_setopt(curl, CURLOPT_HEADERDATA, &x);
    CURLcode rc = curl_easy_perform(curl);
    long status = 0;
    curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
    curl_slist_free_all(hdrs);
    curl_easy_cleanup(curl);
    if (!x.session.empty()) {
      std::lock_guard<std::mutex> lock(mu_);
      server_session_ = x.session;
    }
    if (x.too_big) {
      return Status::unavailable("upstream '" + name + "': response exceeds max_message_bytes (" +
                                 std::to_string(x.max_bytes) + ")");
    }
    if (x.response) return Status();  // a write error we caused after the response arrived
    if (rc != CURLE_OK) {
      return Status::unavailable("upstream '" + name + "': " + curl_easy_strerror(rc));
    }
    if (x.sse) {
      x.body.push_back('\n');
      consumeSse(x);
      if (!x.data.empty()) deliver(x, x.data);
    } else if (!x.body.empty() && !x.want_id.empty()) {
      deliver(x, x.body);
    }
    if (status == 404 && !session.empty()) {
      return Status::notFound("upstream '" + name + "': session expired (HTTP 404)");
    }
    if (x.response) return Status();  // a JSON-RPC error may come with a 4xx status
    if (status >= 200 && status < 300) return Status();
    return Status::unavailable("upstream '" + name + "' answered HTTP " + std::to_string(status));
  }

  // A request on this POST's stream: the call's handler answers it (this blocks the stream,
  // which the server holds open until it has the answer), else the default reply.
  void answerServerRequest(const Json& m, const ServerRequestHandler* on_request) {
    Json reply = on_request ? (*on_request)(m) : defaultServerReply(m);
    Exchange x;
    Status st = post(reply, {}, e_.config.timeout_ms, x);
    if (!st.ok()) logWarn("cannot answer a request of upstream '" + e_.config.name + "'");
  }

  ResolvedEndpoint e_;
  NotificationSink sink_;
  mutable std::mutex mu_;
  std::string session_;         // guarded by mu_
  std::string server_session_;  // guarded by mu_
};

}  // namespace

Result<std::unique_ptr<Transport>> openHttpTransport(const ResolvedEndpoint& endpoint,
                                                     NotificationSink sink) {
  return std::unique_ptr<Transport>(new HttpTransport(endpoint, std::move(sink)));
}

}  // namespace ward::upstream
