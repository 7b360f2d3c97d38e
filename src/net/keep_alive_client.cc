// sendKeepAlive(): plain http:// over kept-alive connections (keep_alive_client.h).
#include "ward/net/keep_alive_client.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "outbound_checks.h"

namespace ward::net {

namespace {

using Clock = std::chrono::steady_clock;

struct Idle {
  std::string key;  // "address|port"
  int fd = -1;
};

// This thread's idle connections, oldest first.
struct IdlePool {
  std::vector<Idle> idle;
  ~IdlePool() {
    for (const Idle& c : idle) ::close(c.fd);
  }
  int take(const std::string& key) {
    for (size_t i = idle.size(); i-- > 0;) {
      if (idle[i].key == key) {
        int fd = idle[i].fd;
        idle.erase(idle.begin() + static_cast<std::ptrdiff_t>(i));
        return fd;
      }
    }
    return -1;
  }
  void put(std::string key, int fd) {
    if (idle.size() >= kMaxIdleKeepAliveConnections) {
      ::close(idle.front().fd);
      idle.erase(idle.begin());
    }
    idle.push_back({std::move(key), fd});
  }
};

thread_local IdlePool pool;

// "http://authority/target#fragment" -> authority and target ("/" when empty); false when the
// URL is not plain http or names user information (then libcurl handles it).
bool splitPlainUrl(const std::string& url, std::string* authority, std::string* target) {
  constexpr std::string_view kScheme = "http://";
  if (url.size() < kScheme.size() || strncasecmp(url.c_str(), "http://", kScheme.size()) != 0) {
    return false;
  }
  const size_t start = kScheme.size();
  size_t end = url.find_first_of("/?#", start);
  if (end == std::string::npos) end = url.size();
  *authority = url.substr(start, end - start);
  if (authority->empty() || authority->find('@') != std::string::npos) return false;
  size_t hash = url.find('#', end);
  *target = url.substr(end, (hash == std::string::npos ? url.size() : hash) - end);
  if (target->empty() || (*target)[0] == '?') *target = "/" + *target;
  return true;
}

class Exchange {
 public:
  Exchange(const OutboundRequest& req, std::string where, Clock::time_point deadline)
      : req_(req), where_(std::move(where)), deadline_(deadline) {}

  Status failed(const std::string& why) const {
    return Status::unavailable("request to " + where_ + " failed: " + why);
  }

  // Waits until `fd` is ready for `events` or the exchange's time is up.
  Status wait(int fd, short events) const {
    for (;;) {
      const auto left =
          std::chrono::duration_cast<std::chrono::milliseconds>(deadline_ - Clock::now());
      if (left.count() <= 0) {
        return failed("timed out after " + std::to_string(req_.timeout_ms) + " ms");
      }
      pollfd p{fd, events, 0};
      int rc = ::poll(&p, 1, static_cast<int>(std::min<int64_t>(left.count(), 1 << 30)));
      if (rc > 0) return Status();
      if (rc < 0 && errno != EINTR) return failed(std::string("poll: ") + std::strerror(errno));
    }
  }

  Result<int> connectTo(const std::string& address, const std::string& port) {
    sockaddr_storage ss{};
    socklen_t len = 0;
    int family = AF_INET;
    auto* v4 = reinterpret_cast<sockaddr_in*>(&ss);
    auto* v6 = reinterpret_cast<sockaddr_in6*>(&ss);
    const uint16_t p = static_cast<uint16_t>(std::stoi(port));
    if (::inet_pton(AF_INET, address.c_str(), &v4->sin_addr) == 1) {
      v4->sin_family = AF_INET;
      v4->sin_port = htons(p);
      len = sizeof *v4;
    } else if (::inet_pton(AF_INET6, address.c_str(), &v6->sin6_addr) == 1) {
      family = AF_INET6;
      v6->sin6_family = AF_INET6;
      v6->sin6_port = htons(p);
      len = sizeof *v6;
    } else {
      return failed("not a numeric address: " + address);
    }
    int fd = ::socket(family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) return failed(std::string("socket: ") + std::strerror(errno));
    int one = 1;
    ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    if (::connect(fd, reinterpret_cast<sockaddr*>(&ss), len) != 0 && errno != EINPROGRESS) {
      int err = errno;
      ::close(fd);
      connect_failed_ = true;
      return failed(std::string("could not connect: ") + std::strerror(err));
    }
    Status ready = wait(fd, POLLOUT);
    int err = 0;
    socklen_t err_len = sizeof err;
    if (ready.ok() && ::getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &err_len) != 0) err = errno;
    if (!ready.ok() || err != 0) {
      ::close(fd);
      connect_failed_ = ready.ok();  // refused or unreachable; a timeout is not (as libcurl)
      return ready.ok() ? failed(std::string("could not connect: ") + std::strerror(err)) : ready;
    }
    return fd;
  }

  Status writeAll(int fd, std::string_view data) {
    size_t off = 0;
    while (off < data.size()) {
      ssize_t n = ::send(fd, data.data() + off, data.size() - off, MSG_NOSIGNAL);
      if (n > 0) {
        off += static_cast<size_t>(n);
      } else if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
        WARD_RETURN_IF_ERROR(wait(fd, POLLOUT));
      } else if (n < 0 && errno != EINTR) {
        closed_early_ = !any_byte_ && (errno == EPIPE || errno == ECONNRESET);
        return failed(std::string("send: ") + std::strerror(errno));
      }
    }
    wrote_ = true;
    return Status();
  }

  // Reads what the socket has into buf_ (waiting for it when `poll_first` or none is there);
  // false at the end of the stream.
  Result<bool> fill(int fd, bool poll_first) {
    if (poll_first) WARD_RETURN_IF_ERROR(wait(fd, POLLIN));
    char chunk[16 * 1024];
    for (;;) {
      ssize_t n = ::recv(fd, chunk, sizeof chunk, 0);
      if (n > 0) {
        buf_.append(chunk, static_cast<size_t>(n));
        any_byte_ = true;
        return true;
      }
      if (n == 0 || (n < 0 && errno == ECONNRESET)) {
        closed_early_ = !any_byte_;
        return false;
      }
      if (errno == EAGAIN || errno == EWOULDBLOCK) {
        WARD_RETURN_IF_ERROR(wait(fd, POLLIN));
      } else if (errno != EINTR) {
        return failed(std::string("recv: ") + std::strerror(errno));
      }
    }
  }

  std::string& buf() { return buf_; }
  // The connection closed (or was reset) before any byte of the answer came back.
  bool closedEarly() const { return closed_early_; }
  bool connectFailed() const { return connect_failed_; }
  // The whole request was written (exchangeOn then called while_waiting).
  bool wrote() const { return wrote_; }

 private:
  const OutboundRequest& req_;
  const std::string where_;
  const Clock::time_point deadline_;
  std::string buf_;
  bool any_byte_ = false;
  bool closed_early_ = false;
  bool connect_failed_ = false;
  bool wrote_ = false;
};

struct Head {
  int status = 0;
  bool http11 = false;
  std::map<std::string, std::string> headers;
};

// Parses "HTTP/1.x SSS reason\r\nName: value\r\n...\r\n\r\n" (head without the final CRLF pair).
bool parseHead(std::string_view text, Head* head) {
  size_t eol = text.find("\r\n");
  std::string_view line = text.substr(0, eol);
  if (line.size() < 12 || line.substr(0, 5) != "HTTP/" || line[8] != ' ') return false;
  head->http11 = line.substr(5, 3) == "1.1";
  const std::string_view code = line.substr(9, 3);
  if (code.find_first_not_of("0123456789") != std::string_view::npos) return false;
  head->status = std::stoi(std::string(code));
  head->headers.clear();
  size_t at = eol == std::string_view::npos ? text.size() : eol + 2;
  while (at < text.size()) {
    size_t end = text.find("\r\n", at);
    if (end == std::string_view::npos) end = text.size();
    std::string_view h = text.substr(at, end - at);
    at = end + 2;
    size_t colon = h.find(':');
    if (colon == std::string_view::npos || colon == 0) continue;
    std::string name(h.substr(0, colon));
    for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    std::string_view value = h.substr(colon + 1);
    while (!value.empty() && (value.front() == ' ' || value.front() == '\t'))
      value.remove_prefix(1);
    while (!value.empty() && (value.back() == ' ' || value.back() == '\t')) value.remove_suffix(1);
    head->headers[name] = std::string(value);  // a repeated header keeps the last, as send()
  }
  return true;
}

bool containsToken(const std::string& value, std::string_view token) {
  std::string lower = value;
  for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return lower.find(token) != std::string::npos;
}

enum class Outcome { kDone, kTooLarge, kStopped };

// One request on `fd` and its answer into `reply`. `reusable` tells whether `fd` may carry the
// next request (the answer was read to its end and the server keeps the connection).
Result<Outcome> exchangeOn(int fd, const std::string& request, const OutboundRequest& req,
                           const BodySink* sink, Exchange& ex, OutboundReply& reply, SendInfo& out,
                           bool* reusable, const std::function<void()>* while_waiting) {
  *reusable = false;
  WARD_RETURN_IF_ERROR(ex.writeAll(fd, request));
  if (while_waiting != nullptr && *while_waiting) (*while_waiting)();
  std::string& buf = ex.buf();
  Head head;
  bool first = true;
  size_t head_end = 0;
  for (;;) {  // until a final (non-1xx) head
    while ((head_end = buf.find("\r\n\r\n")) == std::string::npos) {
      if (buf.size() > kMaxResponseHeadBytes) return ex.failed("the response head is too large");
      WARD_ASSIGN_OR_RETURN(bool more, ex.fill(fd, first));
      first = false;
      if (!more) return ex.failed("the connection closed before a complete response head");
    }
    if (!parseHead(std::string_view(buf).substr(0, head_end), &head)) {
      return ex.failed("the response is not HTTP/1.x");
    }
    buf.erase(0, head_end + 4);
    if (head.status >= 200 || head.status == 101) break;
  }
  reply.status = head.status;
  reply.headers = head.headers;
  out.reached = true;
  out.status = head.status;

  size_t received = 0;
  const bool to_sink = sink != nullptr && head.status >= 200 && head.status < 300;
  Outcome outcome = Outcome::kDone;
  // Hands decoded body bytes on; false stops the transfer.
  auto deliver = [&](std::string_view bytes) -> bool {
    if (bytes.empty()) return true;
    received += bytes.size();
    if (received > req.max_response_bytes) {
      outcome = Outcome::kTooLarge;
      return false;
    }
    if (!to_sink) {
      reply.body.append(bytes);
      return true;
    }
    bool go = false;
    try {
      go = (*sink)(bytes);
    } catch (...) {
      go = false;
    }
    if (!go) outcome = Outcome::kStopped;
    return go;
  };

  const bool no_body =
      req.method == "HEAD" || head.status == 204 || head.status == 304 || head.status < 200;
  auto te = head.headers.find("transfer-encoding");
  auto cl = head.headers.find("content-length");
  auto connection = head.headers.find("connection");
  const bool keep = head.http11 && !(connection != head.headers.end() &&
                                     containsToken(connection->second, "close"));
  if (no_body) {
    *reusable = keep && buf.empty();
    return outcome;
  }
  if (te != head.headers.end() && containsToken(te->second, "chunked")) {
    for (;;) {
      size_t eol;
      while ((eol = buf.find("\r\n")) == std::string::npos) {
        if (buf.size() > 1024) return ex.failed("a chunk size line is too long");
        WARD_ASSIGN_OR_RETURN(bool more, ex.fill(fd, false));
        if (!more) return ex.failed("the connection closed inside a chunked body");
      }
      const std::string size_text = buf.substr(0, buf.find_first_of(";\r"));
      char* end = nullptr;
      unsigned long long size = std::strtoull(size_text.c_str(), &end, 16);
      if (size_text.empty() || end == size_text.c_str() ||
          size_text.find_first_not_of("0123456789abcdefABCDEF \t") != std::string::npos) {
        return ex.failed("a malformed chunk size");
      }
      buf.erase(0, eol + 2);
      if (size == 0) {
        // Trailers (ignored) up to the empty line.
        for (;;) {
          while ((eol = buf.find("\r\n")) == std::string::npos) {
            if (buf.size() > kMaxResponseHeadBytes) return ex.failed("the trailers are too large");
            WARD_ASSIGN_OR_RETURN(bool more, ex.fill(fd, false));
            if (!more) return ex.failed("the connection closed inside the trailers");
          }
          buf.erase(0, eol + 2);
          if (eol == 0) break;
        }
        *reusable = keep && buf.empty();
        return outcome;
      }
      if (size > req.max_response_bytes) {
        outcome = Outcome::kTooLarge;
        return outcome;
      }
      size_t left = static_cast<size_t>(size);
      while (left > 0) {
        if (buf.empty()) {
          WARD_ASSIGN_OR_RETURN(bool more, ex.fill(fd, false));
          if (!more) return ex.failed("the connection closed inside a chunk");
        }
        const size_t n = std::min(left, buf.size());
        const bool go = deliver(std::string_view(buf).substr(0, n));
        buf.erase(0, n);
        left -= n;
        if (!go) return outcome;
      }
      while (buf.size() < 2) {
        WARD_ASSIGN_OR_RETURN(bool more, ex.fill(fd, false));
        if (!more) return ex.failed("the connection closed after a chunk");
      }
      if (buf.compare(0, 2, "\r\n") != 0) return ex.failed("a chunk does not end with CRLF");
      buf.erase(0, 2);
    }
  }
  if (cl != head.headers.end()) {
    char* end = nullptr;
    unsigned long long length = std::strtoull(cl->second.c_str(), &end, 10);
    if (cl->second.empty() || *end != '\0') return ex.failed("a malformed Content-Length");
    if (length > req.max_response_bytes) {
      outcome = Outcome::kTooLarge;
      return outcome;
    }
    size_t left = static_cast<size_t>(length);
    while (left > 0) {
      if (buf.empty()) {
        WARD_ASSIGN_OR_RETURN(bool more, ex.fill(fd, false));
        if (!more) return ex.failed("the connection closed before the end of the body");
      }
      const size_t n = std::min(left, buf.size());
      const bool go = deliver(std::string_view(buf).substr(0, n));
      buf.erase(0, n);
      left -= n;
      if (!go) return outcome;
    }
    *reusable = keep && buf.empty();
    return outcome;
  }
  // No length: the body ends when the server closes the connection.
  for (;;) {
    if (!deliver(buf)) return outcome;
    buf.clear();
    WARD_ASSIGN_OR_RETURN(bool more, ex.fill(fd, false));
    if (!more) return outcome;
  }
}

}  // namespace

Result<OutboundReply> sendKeepAlive(const OutboundRequest& req, const BodySink* sink,
                                    SendInfo* info, const std::function<void()>* while_waiting) {
  std::string authority, target;
  if (!splitPlainUrl(req.url, &authority, &target)) return send(req, sink, info);
  SendInfo ignored;
  SendInfo& out = info != nullptr ? *info : ignored;
  out = SendInfo{};
  WARD_ASSIGN_OR_RETURN(Origin origin, parseOrigin(req.url));
  WARD_RETURN_IF_ERROR(internal::checkHeaders(req));
  if (req.method.empty() || req.method.find_first_of(" \r\n") != std::string::npos) {
    return Status::invalidArgument("method '" + req.method + "' is not valid");
  }
  WARD_ASSIGN_OR_RETURN(std::string address, internal::resolveChecked(origin, req));
  const std::string where = origin.text();
  const std::string key = address + "|" + origin.port;

  std::string request = req.method + " " + target + " HTTP/1.1\r\nHost: " + authority + "\r\n";
  bool has_accept = false;
  for (const auto& [k, v] : req.headers) {
    if (strcasecmp(k.c_str(), "accept") == 0) has_accept = true;
    request += k + ": " + v + "\r\n";
  }
  if (!has_accept) request += "Accept: */*\r\n";
  if (req.method != "GET" || !req.body.empty()) {
    request += "Content-Length: " + std::to_string(req.body.size()) + "\r\n";
  }
  request += "\r\n";
  request += req.body;

  out.sent = true;
  const auto start = Clock::now();
  const auto deadline = start + std::chrono::milliseconds(req.timeout_ms);
  for (int attempt = 0;; ++attempt) {
    int fd = attempt == 0 ? pool.take(key) : -1;
    const bool reused = fd >= 0;
    Exchange ex(req, where, deadline);
    if (!reused) {
      auto connected = ex.connectTo(address, origin.port);
      if (!connected.ok()) {
        out.connect_failed = ex.connectFailed();
        return connected.status();
      }
      fd = *connected;
    }
    OutboundReply reply;
    bool reusable = false;
    Result<Outcome> outcome =
        exchangeOn(fd, request, req, sink, ex, reply, out, &reusable, while_waiting);
    if (ex.wrote()) while_waiting = nullptr;  // once: a resent request does not call it again
    if (!outcome.ok() && reused && ex.closedEarly()) {
      // A kept connection the server had closed: the request never reached it. Once more.
      ::close(fd);
      out.reached = false;
      out.status = 0;
      continue;
    }
    reply.elapsed_us =
        std::chrono::duration_cast<std::chrono::microseconds>(Clock::now() - start).count();
    if (outcome.ok() && *outcome == Outcome::kDone && reusable) {
      pool.put(key, fd);
    } else {
      ::close(fd);
    }
    if (!outcome.ok()) return outcome.status();
    if (*outcome == Outcome::kTooLarge) {
      out.too_large = true;
      return Status::unavailable("the response of " + where + " exceeds " +
                                 std::to_string(req.max_response_bytes) + " bytes");
    }
    if (*outcome == Outcome::kStopped) {
      return Status::unavailable("the transfer from " + where + " was stopped");
    }
    return reply;
  }
}

}  // namespace ward::net
