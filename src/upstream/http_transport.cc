// MCP over Streamable HTTP: every message is a POST; the answer is a JSON body or an SSE stream
// that carries the response (and possibly notifications before it). libcurl, one easy handle per
// request (upstream calls are few compared to the HTTP backend's, which reuses handles).
// No exception leaves a libcurl callback: a failure there is recorded and aborts the transfer.
#include <curl/curl.h>

#include <mutex>
#include <optional>

#include "transport.h"
#include "ward/common/log.h"
#include "ward/common/mutex.h"

namespace ward::upstream {

namespace {

struct CurlGlobal {
  CurlGlobal() { curl_global_init(CURL_GLOBAL_DEFAULT); }
};

struct Exchange {
  std::string want_id;  // dump() of the request id ("" for a notification)
  size_t max_bytes = 0;
  const NotificationSink* sink = nullptr;
  std::function<void(const Json&)> answer_server_request;
  const ServerRequestHandler* on_request = nullptr;  // the roundTrip's, if any
  // This POST carries Ward's reply to a server request. A server request in its response is
  // not answered: each answer would be another such POST, without end.
  bool carries_reply = false;
  std::string failure;  // what went wrong inside a callback (the transfer was aborted)
  std::string body;     // a JSON body, or the unparsed tail of an SSE stream
  bool sse = false;     // Content-Type: text/event-stream (set by the header callback)
  std::string data;     // the current SSE event's data lines
  std::optional<Json> response;
  std::string session;  // Mcp-Session-Id of the response
  bool too_big = false;
};

void deliverMessage(Exchange& x, const Json& m) {
  if (m.contains("method")) {
    if (!m.contains("id")) {
      if (x.sink && *x.sink) (*x.sink)(stringMember(m, "method"), objectMember(m, "params"));
    } else if (x.carries_reply) {
      logWarn("an upstream answered Ward's reply with another request (" +
              stringMember(m, "method").substr(0, 64) + "); ignored");
    } else {
      x.answer_server_request(m);
    }
    return;
  }
  if (m.contains("id") && dumpJson(m["id"]) == x.want_id) x.response = m;
}

// One JSON-RPC message of the body or stream. Runs inside libcurl's write callback (or after
// the transfer): nothing may throw out of it.
void deliver(Exchange& x, const std::string& text) {
  auto msg = parseJson(text);
  if (!msg.ok() || !msg->is_object()) return;
  try {
    deliverMessage(x, *msg);
  } catch (const std::exception& e) {
    x.failure = std::string("a message could not be handled: ") + e.what();
  } catch (...) {
    x.failure = "a message could not be handled";
  }
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
  try {
    x.body.append(p, size * n);
    if (x.sse) {
      consumeSse(x);
      if (!x.failure.empty()) return 0;
      if (x.response) return 0;  // got what we asked for: stop reading the stream
    }
    if (x.body.size() + x.data.size() > x.max_bytes) {
      x.too_big = true;
      return 0;
    }
  } catch (const std::exception& e) {
    x.failure = std::string("cannot read the response: ") + e.what();
    return 0;
  }
  return size * n;
}

size_t onHeader(char* p, size_t size, size_t n, void* user) {
  auto& x = *static_cast<Exchange*>(user);
  try {
    std::string line(p, size * n);
    auto colon = line.find(':');
    if (colon != std::string::npos) {
      std::string name = line.substr(0, colon);
      for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      std::string value = line.substr(colon + 1);
      while (!value.empty() && (value.front() == ' ')) value.erase(0, 1);
      while (!value.empty() &&
             (value.back() == '\r' || value.back() == '\n' || value.back() == ' '))
        value.pop_back();
      if (name == "mcp-session-id") x.session = value;
      if (name == "content-type") x.sse = value.rfind("text/event-stream", 0) == 0;
    }
  } catch (const std::exception& e) {
    x.failure = std::string("cannot read the response headers: ") + e.what();
    return 0;
  }
  return size * n;
}

// A header that would split the request or smuggle another: CR, LF or NUL in its name or value
// (values may come from callers, e.g. a resource URI in Mcp-Name, or from secrets).
bool unsafeHeader(const std::string& name, const std::string& value) {
  const std::string_view bad("\r\n\0", 3);
  return name.empty() || name.find_first_of(bad) != std::string::npos ||
         name.find(':') != std::string::npos || value.find_first_of(bad) != std::string::npos;
}

class HttpTransport final : public Transport {
 public:
  HttpTransport(ResolvedEndpoint e, ServerMessageHandlers handlers)
      : e_(std::move(e)), handlers_(std::move(handlers)) {}

  Result<Json> roundTrip(const Json& request, const RequestHeaders& headers, int64_t timeout_ms,
                         const ServerRequestHandler& on_request) override {
    Exchange x;
    x.want_id = dumpJson(request["id"]);
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
    MutexLock lock(mu_);
    session_ = id;
  }
  std::string sessionFromServer() const override {
    MutexLock lock(mu_);
    return server_session_;
  }

  Json describe() const override {
    MutexLock lock(mu_);
    // Never the headers: they may hold credentials.
    return Json{{"url", e_.config.url}, {"session", !session_.empty()}};
  }

  void close() override {}

 private:
  Status post(const Json& message, const RequestHeaders& extra, int64_t timeout_ms, Exchange& x) {
    const std::string& name = e_.config.name;
    x.max_bytes = e_.config.max_message_bytes;
    x.sink = &handlers_.on_notification;
    x.answer_server_request = [this, &x](const Json& m) { answerServerRequest(m, x.on_request); };
    std::string session;
    {
      MutexLock lock(mu_);
      session = session_;
    }
    RequestHeaders all = extra;
    if (!session.empty()) all["Mcp-Session-Id"] = session;
    for (const auto& [k, v] : e_.headers) all[k] = v;
    for (const auto& [k, v] : all) {
      // Only the name: the value may be a secret.
      if (unsafeHeader(k, v)) {
        return Status::invalidArgument("upstream '" + name + "': header '" + clipName(k) +
                                       "' contains CR, LF or NUL; the request was not sent");
      }
    }
    static CurlGlobal global;
    CURL* curl = curl_easy_init();
    if (curl == nullptr) return Status::unavailable("curl_easy_init failed");
    struct curl_slist* hdrs = nullptr;
    hdrs = curl_slist_append(hdrs, "Content-Type: application/json");
    hdrs = curl_slist_append(hdrs, "Accept: application/json, text/event-stream");
    for (const auto& [k, v] : all) hdrs = curl_slist_append(hdrs, (k + ": " + v).c_str());
    const std::string body = dumpJson(message);
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
      MutexLock lock(mu_);
      server_session_ = x.session;
    }
    if (!x.failure.empty()) return Status::unavailable("upstream '" + name + "': " + x.failure);
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
    if (!x.failure.empty()) return Status::unavailable("upstream '" + name + "': " + x.failure);
    if (status == 404 && !session.empty()) {
      return Status::notFound("upstream '" + name + "': session expired (HTTP 404)");
    }
    if (x.response) return Status();  // a JSON-RPC error may come with a 4xx status
    if (status >= 200 && status < 300) return Status();
    return Status::unavailable("upstream '" + name + "' answered HTTP " + std::to_string(status));
  }

  // A request on this POST's stream: the call's handler answers it (this blocks the stream,
  // which the server holds open until it has the answer), else the unclaimed reply. The answer
  // is a POST of its own whose response may carry no further request to answer.
  void answerServerRequest(const Json& m, const ServerRequestHandler* on_request) {
    Json reply;
    try {
      if (on_request) {
        reply = (*on_request)(m);
      } else {
        reply = handlers_.on_unclaimed_request ? handlers_.on_unclaimed_request(m)
                                               : defaultServerReply(m);
      }
    } catch (const std::exception& e) {
      reply = refusal(m, std::string("Ward could not answer: ") + e.what());
    } catch (...) {
      reply = refusal(m, "Ward could not answer");
    }
    Exchange x;
    x.carries_reply = true;
    Status st = post(reply, {}, e_.config.timeout_ms, x);
    if (!st.ok()) {
      logWarn("cannot answer a request of upstream '" + e_.config.name + "': " + st.message());
    }
  }

  static Json refusal(const Json& request, const std::string& why) {
    return Json{
        {"jsonrpc", "2.0"}, {"id", idOf(request)}, {"error", {{"code", -32603}, {"message", why}}}};
  }

  static std::string clipName(const std::string& s) {
    std::string out;
    for (char c : s.substr(0, 64)) out.push_back(c == '\r' || c == '\n' || c == '\0' ? '?' : c);
    return out;
  }

  ResolvedEndpoint e_;
  ServerMessageHandlers handlers_;
  mutable Mutex mu_;
  std::string session_ WARD_GUARDED_BY(mu_);
  std::string server_session_ WARD_GUARDED_BY(mu_);
};

}  // namespace

Result<std::unique_ptr<Transport>> openHttpTransport(const ResolvedEndpoint& endpoint,
                                                     ServerMessageHandlers handlers) {
  return std::unique_ptr<Transport>(new HttpTransport(endpoint, std::move(handlers)));
}

}  // namespace ward::upstream
