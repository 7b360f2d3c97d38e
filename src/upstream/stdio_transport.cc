// MCP over stdio: the upstream is a child process; newline-delimited JSON-RPC on its stdin and
// stdout. Its stderr is drained into a small ring (diagnostics only, never parsed). A line that
// cannot be handled is logged and dropped: nothing the child writes can end Ward.
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <condition_variable>
#include <cstring>
#include <mutex>
#include <optional>
#include <system_error>
#include <thread>

#include "transport.h"
#include "ward/common/log.h"
#include "ward/common/mutex.h"

extern char** environ;

namespace ward::upstream {

namespace {

constexpr size_t kStderrTail = 4096;

// Writing to a child that has exited raises SIGPIPE, which would kill Ward; the error is seen
// as EPIPE instead. Asio already avoids SIGPIPE on sockets, so ignoring it changes nothing else.
void ignoreSigpipeOnce() {
  static std::once_flag once;
  std::call_once(once, [] { signal(SIGPIPE, SIG_IGN); });
}

std::string idKey(const Json& id) { return dumpJson(id); }

// A JSON-RPC error reply (-32603) to a request of the upstream.
Json refusal(const Json& request, const std::string& why) {
  return Json{
      {"jsonrpc", "2.0"}, {"id", idOf(request)}, {"error", {{"code", -32603}, {"message", why}}}};
}

class StdioTransport final : public Transport {
 public:
  StdioTransport(std::string name, size_t max_message, ServerMessageHandlers handlers)
      : name_(std::move(name)), max_message_(max_message), handlers_(std::move(handlers)) {}
  ~StdioTransport() override {
    close();
    // Writers hold a shared_ptr to this transport, so none is left once it is destroyed.
    if (in_fd_ >= 0) ::close(in_fd_);
  }

  Status start(const ResolvedEndpoint& e);

  Result<Json> roundTrip(const Json& request, const RequestHeaders&, int64_t timeout_ms,
                         const ServerRequestHandler& on_request) override {
    const std::string key = idKey(request["id"]);
    MutexLock lock(mu_);
    if (dead_) return Status::unavailable("upstream '" + name_ + "' is not running: " + why_dead_);
    pending_[key] = std::nullopt;
    if (on_request) routes_[key] = Route{on_request, ++route_serial_};
    lock.unlock();
    Status sent = writeLine(dumpJson(request));
    lock.lock();
    if (!sent.ok()) {
      pending_.erase(key);
      routes_.erase(key);
      return sent;
    }
    bool done = cv_.waitFor(lock, std::chrono::milliseconds(timeout_ms), [&]() WARD_REQUIRES(mu_) {
      return dead_ || (pending_.count(key) != 0 && pending_[key].has_value());
    });
    auto it = pending_.find(key);
    std::optional<Json> response = it == pending_.end() ? std::nullopt : it->second;
    if (it != pending_.end()) pending_.erase(it);
    routes_.erase(key);  // from now on its handler is not invoked (forwardOnThread checks)
    if (response) return std::move(*response);
    if (!done) {
      return Status::unavailable("upstream '" + name_ + "' did not answer within " +
                                 std::to_string(timeout_ms) + " ms");
    }
    return Status::unavailable("upstream '" + name_ + "' exited: " + why_dead_);
  }

  Status notify(const Json& notification, const RequestHeaders&) override {
    return writeLine(dumpJson(notification));
  }

  bool alive() const override {
    MutexLock lock(mu_);
    return !dead_;
  }

  bool heardFrom() const override { return heard_.load(std::memory_order_acquire); }

  Json describe() const override {
    MutexLock lock(mu_);
    return Json{{"pid", pid_}, {"running", !dead_}, {"exit", why_dead_}, {"stderr_tail", stderr_}};
  }

  void close() override {
    {
      MutexLock lock(mu_);
      if (closed_) return;
      closed_ = true;
      markDeadLocked("closed by Ward");
    }
    // The child's stdin is closed (it sees EOF) by putting /dev/null in its place: a forwarding
    // thread may still write a late reply, which must not land in a file descriptor that was
    // closed and reused. The destructor closes it.
    if (in_fd_ >= 0) {
      int devnull = ::open("/dev/null", O_WRONLY | O_CLOEXEC);
      if (devnull >= 0) {
        ::dup3(devnull, in_fd_, O_CLOEXEC);
        ::close(devnull);
      }
    }
    terminateChild();
    if (reader_.joinable()) reader_.join();
    if (err_reader_.joinable()) err_reader_.join();
    if (out_fd_ >= 0) ::close(out_fd_);
    if (err_fd_ >= 0) ::close(err_fd_);
  }

 private:
  Status writeLine(std::string line) {
    line.push_back('\n');
    MutexLock lock(write_mu_);
    size_t off = 0;
    while (off < line.size()) {
      ssize_t n = ::write(in_fd_, line.data() + off, line.size() - off);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) return Status::unavailable("upstream '" + name_ + "': cannot write to stdin");
      off += static_cast<size_t>(n);
    }
    return Status();
  }

  void markDeadLocked(const std::string& why) WARD_REQUIRES(mu_) {
    if (!dead_) {
      dead_ = true;
      why_dead_ = why;
    }
    cv_.notifyAll();
  }

  void handleLine(const std::string& line) {
    heard_.store(true, std::memory_order_release);
    auto msg = parseJson(line);
    if (!msg.ok() || !msg->is_object()) {
      logWarn("upstream '" + name_ + "' wrote a line that is not a JSON-RPC message; ignored");
      return;
    }
    const Json& m = *msg;
    if (m.contains("method")) {
      const std::string method = stringMember(m, "method");
      if (m.contains("id")) {
        answerServerRequest(m, method);
      } else if (handlers_.on_notification) {
        handlers_.on_notification(method, objectMember(m, "params"));
      }
      return;
    }
    if (!m.contains("id")) return;
    MutexLock lock(mu_);
    auto it = pending_.find(idKey(m["id"]));
    if (it != pending_.end()) {
      it->second = m;
      cv_.notifyAll();
    }
  }

  // A server-to-client request. stdio carries no link to the request it belongs to, so it goes to
  // the handler of the one call in flight that has one (a call whose caller can be asked); with
  // none it gets the unclaimed reply, with several (ambiguous) a refusal. A handler may wait on
  // a person: it runs on its own thread so that this reader goes on reading, at most
  // kMaxForwardedRequests at once (more are refused at once), and writes only while the
  // transport lives.
  void answerServerRequest(const Json& m, const std::string& method) {
    ServerRequestHandler handler;
    std::string key;
    uint64_t serial = 0;
    size_t routes = 0;
    bool at_limit = false;
    if (method != "ping") {
      MutexLock lock(mu_);
      routes = routes_.size();
      if (routes == 1 && forwarding_ >= kMaxForwardedRequests) {
        at_limit = true;
      } else if (routes == 1) {
        ++forwarding_;
        key = routes_.begin()->first;
        handler = routes_.begin()->second.handler;
        serial = routes_.begin()->second.serial;
      }
    }
    if (!handler) {
      Json reply;
      if (routes > 1) {
        reply = refusal(m,
                        "several calls that can forward requests are in flight; Ward cannot "
                        "tell which one this request belongs to");
      } else if (at_limit) {
        reply = refusal(m, "upstream '" + name_ + "' already has " +
                               std::to_string(kMaxForwardedRequests) +
                               " requests being forwarded, Ward's limit; this one is refused");
      } else {
        reply = handlers_.on_unclaimed_request ? handlers_.on_unclaimed_request(m)
                                               : defaultServerReply(m);
      }
      writeLine(dumpJson(reply))
          .ignore("a failed write means the upstream died; readStdout says so");
      return;
    }
    std::weak_ptr<Transport> weak = weak_from_this();
    try {
      std::thread([weak, handler = std::move(handler), m, key, serial] {
        forwardOnThread(weak, handler, m, key, serial);
      }).detach();
    } catch (const std::system_error&) {
      endForwarding();
      writeLine(dumpJson(refusal(m, "Ward cannot start a thread to forward this request")))
          .ignore("a failed write means the upstream died; readStdout says so");
    }
  }

  // The body of a forwarding thread. The handler belongs to a round trip that may have ended
  // (timed out) since the reader picked it: then it is not invoked, and the upstream is told.
  static void forwardOnThread(const std::weak_ptr<Transport>& weak,
                              const ServerRequestHandler& handler, const Json& m,
                              const std::string& key, uint64_t serial) {
    bool live = false;
    if (auto self = weak.lock()) live = static_cast<StdioTransport&>(*self).routeLive(key, serial);
    Json reply;
    if (!live) {
      reply = refusal(m, "the call this request belonged to has ended");
    } else {
      try {
        reply = handler(m);
      } catch (const std::exception& e) {
        reply = refusal(m, std::string("Ward could not answer: ") + e.what());
      } catch (...) {
        reply = refusal(m, "Ward could not answer");
      }
    }
    if (auto self = weak.lock()) {
      auto& t = static_cast<StdioTransport&>(*self);
      t.writeLine(dumpJson(reply))
          .ignore("a failed write means the upstream died; readStdout says so");
      t.endForwarding();
    }
  }

  bool routeLive(const std::string& key, uint64_t serial) const {
    MutexLock lock(mu_);
    auto it = routes_.find(key);
    return it != routes_.end() && it->second.serial == serial;
  }

  void endForwarding() {
    MutexLock lock(mu_);
    --forwarding_;
  }

  void handleLineSafely(const std::string& line) {
    try {
      handleLine(line);
    } catch (const std::exception& e) {
      logWarn("upstream '" + name_ + "' wrote a message Ward could not handle; dropped (" +
              e.what() + ")");
    } catch (...) {
      logWarn("upstream '" + name_ + "' wrote a message Ward could not handle; dropped");
    }
  }

  void readStdout() {
    std::string buf;
    char chunk[65536];
    while (true) {
      ssize_t n = ::read(out_fd_, chunk, sizeof chunk);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) break;
      buf.append(chunk, static_cast<size_t>(n));
      size_t start = 0;
      for (size_t nl; (nl = buf.find('\n', start)) != std::string::npos; start = nl + 1) {
        std::string line = buf.substr(start, nl - start);
        if (!line.empty() && line.back() == '\r') line.pop_back();
        if (!line.empty()) handleLineSafely(line);
      }
      buf.erase(0, start);
      if (buf.size() > max_message_) {
        MutexLock lock(mu_);
        markDeadLocked("a message exceeded max_message_bytes (" + std::to_string(max_message_) +
                       ")");
        break;
      }
    }
    terminateChild();
    MutexLock lock(mu_);
    markDeadLocked(exit_text_.empty() ? "stdout closed" : exit_text_);
  }

  void readStderr() {
    char chunk[4096];
    while (true) {
      ssize_t n = ::read(err_fd_, chunk, sizeof chunk);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) break;
      MutexLock lock(mu_);
      stderr_.append(chunk, static_cast<size_t>(n));
      if (stderr_.size() > kStderrTail) stderr_.erase(0, stderr_.size() - kStderrTail);
    }
  }

  // Ends the child's process group (npx and shells spawn grandchildren) and reaps it.
  void terminateChild() {
    MutexLock lock(reap_mu_);
    if (pid_ <= 0 || reaped_) return;
    int status = 0;
    pid_t r = ::waitpid(pid_, &status, WNOHANG);
    if (r == 0) {
      ::kill(-pid_, SIGTERM);
      for (int i = 0; i < 50 && r == 0; ++i) {
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
        r = ::waitpid(pid_, &status, WNOHANG);
      }
      if (r == 0) {
        ::kill(-pid_, SIGKILL);
        r = ::waitpid(pid_, &status, 0);
      }
    }
    reaped_ = true;
    std::string text;
    if (r == pid_ && WIFEXITED(status)) {
      text = "exited with status " + std::to_string(WEXITSTATUS(status));
    } else if (r == pid_ && WIFSIGNALED(status)) {
      text = "killed by signal " + std::to_string(WTERMSIG(status));
    }
    MutexLock l2(mu_);
    exit_text_ = text;
  }

  // A call in flight whose server requests go to its handler.
  struct Route {
    ServerRequestHandler handler;
    uint64_t serial = 0;  // tells a later round trip that reused the id from this one
  };

  std::string name_;
  size_t max_message_;
  ServerMessageHandlers handlers_;
  pid_t pid_ = -1;
  int in_fd_ = -1, out_fd_ = -1, err_fd_ = -1;
  std::thread reader_, err_reader_;
  Mutex write_mu_;
  Mutex reap_mu_;
  bool reaped_ = false;
  mutable Mutex mu_;
  CondVar cv_;
  std::map<std::string, std::optional<Json>> pending_ WARD_GUARDED_BY(mu_);
  std::map<std::string, Route> routes_ WARD_GUARDED_BY(mu_);  // by pending id
  uint64_t route_serial_ WARD_GUARDED_BY(mu_) = 0;
  int forwarding_ WARD_GUARDED_BY(mu_) = 0;  // forwarding threads running
  bool dead_ WARD_GUARDED_BY(mu_) = false;
  std::atomic<bool> heard_{false};  // a line came from the child's stdout
  bool closed_ WARD_GUARDED_BY(mu_) = false;
  std::string why_dead_ WARD_GUARDED_BY(mu_);
  std::string exit_text_ WARD_GUARDED_BY(mu_);
  std::string stderr_ WARD_GUARDED_BY(mu_);
};

Status StdioTransport::start(const ResolvedEndpoint& e) {
  ignoreSigpipeOnce();
  int in[2], out[2], err[2];
  if (pipe2(in, O_CLOEXEC) != 0)
    return Status::unavailable("pipe: " + std::string(strerror(errno)));
  if (pipe2(out, O_CLOEXEC) != 0) {
    ::close(in[0]);
    ::close(in[1]);
    return Status::unavailable("pipe: " + std::string(strerror(errno)));
  }
  if (pipe2(err, O_CLOEXEC) != 0) {
    for (int fd : {in[0], in[1], out[0], out[1]}) ::close(fd);
    return Status::unavailable("pipe: " + std::string(strerror(errno)));
  }
  // The child gets a minimal environment: Ward's own (keys, tokens) is never passed on.
  std::map<std::string, std::string> env;
  for (const char* k : {"PATH", "HOME", "LANG", "TMPDIR"}) {
    if (const char* v = getenv(k)) env[k] = v;
  }
  for (const auto& [k, v] : e.env) env[k] = v;
  std::vector<std::string> env_strings, argv_strings;
  for (const auto& [k, v] : env) env_strings.push_back(k + "=" + v);
  argv_strings.push_back(e.config.command);
  for (const std::string& a : e.config.args) argv_strings.push_back(a);
  std::vector<char*> envp, argv;
  for (auto& s : env_strings) envp.push_back(s.data());
  envp.push_back(nullptr);
  for (auto& s : argv_strings) argv.push_back(s.data());
  argv.push_back(nullptr);

  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_adddup2(&fa, in[0], 0);
  posix_spawn_file_actions_adddup2(&fa, out[1], 1);
  posix_spawn_file_actions_adddup2(&fa, err[1], 2);
  if (!e.config.cwd.empty()) posix_spawn_file_actions_addchdir_np(&fa, e.config.cwd.c_str());
  posix_spawnattr_t attr;
  posix_spawnattr_init(&attr);
  posix_spawnattr_setflags(&attr,
                           POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK);
  posix_spawnattr_setpgroup(&attr, 0);
  sigset_t all, none;
  sigfillset(&all);
  sigemptyset(&none);
  posix_spawnattr_setsigdefault(&attr, &all);  // undo SIG_IGN (SIGPIPE) in the child
  posix_spawnattr_setsigmask(&attr, &none);    // `ward serve` blocks SIGINT/SIGTERM
  // posix_spawnp looks the program up in Ward's PATH, which the child also receives.
  int rc = posix_spawnp(&pid_, e.config.command.c_str(), &fa, &attr, argv.data(), envp.data());
  posix_spawn_file_actions_destroy(&fa);
  posix_spawnattr_destroy(&attr);
  ::close(in[0]);
  ::close(out[1]);
  ::close(err[1]);
  in_fd_ = in[1];
  out_fd_ = out[0];
  err_fd_ = err[0];
  if (rc != 0) {
    pid_ = -1;
    MutexLock lock(mu_);  // uncontended: no thread runs yet
    dead_ = true;
    why_dead_ = "cannot start '" + e.config.command + "': " + strerror(rc);
    return Status::unavailable("upstream '" + name_ + "': " + why_dead_);
  }
  reader_ = std::thread([this] { readStdout(); });
  err_reader_ = std::thread([this] { readStderr(); });
  return Status();
}

}  // namespace

Result<std::unique_ptr<Transport>> startStdioTransport(const ResolvedEndpoint& endpoint,
                                                       ServerMessageHandlers handlers) {
  auto t = std::make_unique<StdioTransport>(endpoint.config.name, endpoint.config.max_message_bytes,
                                            std::move(handlers));
  WARD_RETURN_IF_ERROR(t->start(endpoint));
  return std::unique_ptr<Transport>(std::move(t));
}

}  // namespace ward::upstream
