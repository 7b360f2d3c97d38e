#include "parse_sandbox.h"

#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <new>

#include "parse_budget.h"
#include "ward/common/clock.h"

#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
#define WARD_SANITIZER_BUILD 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer) || \
    __has_feature(memory_sanitizer)
#define WARD_SANITIZER_BUILD 1
#endif
#endif

namespace ward::ingest {

namespace {

// --- wire form ---------------------------------------------------------------------------------
// Little-endian u64 lengths and numbers; strings are a length then bytes. The first byte is 0 for
// a document, 1 for a Status (code, message).

void putU64(std::string& out, uint64_t v) {
  for (int i = 0; i < 8; ++i) out.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
}
void putString(std::string& out, std::string_view s) {
  putU64(out, s.size());
  out.append(s);
}
void putStrings(std::string& out, const std::vector<std::string>& v) {
  putU64(out, v.size());
  for (const auto& s : v) putString(out, s);
}

class Reader {
 public:
  explicit Reader(std::string_view in) : in_(in) {}
  bool u64(uint64_t& v) {
    if (in_.size() < 8) return false;
    v = 0;
    for (int i = 0; i < 8; ++i)
      v |= static_cast<uint64_t>(static_cast<unsigned char>(in_[i])) << (8 * i);
    in_.remove_prefix(8);
    return true;
  }
  bool string(std::string& s) {
    uint64_t n;
    if (!u64(n) || n > in_.size()) return false;
    s.assign(in_.substr(0, n));
    in_.remove_prefix(n);
    return true;
  }
  bool strings(std::vector<std::string>& v) {
    uint64_t n;
    if (!u64(n) || n > in_.size()) return false;  // each string takes at least 8 bytes
    v.resize(n);
    for (auto& s : v) {
      if (!string(s)) return false;
    }
    return true;
  }
  bool done() const { return in_.empty(); }

 private:
  std::string_view in_;
};

// --- the child ---------------------------------------------------------------------------------

// Virtual memory the process maps now (what RLIMIT_AS counts), from /proc/self/statm.
uint64_t mappedBytes() {
  FILE* f = std::fopen("/proc/self/statm", "r");
  if (f == nullptr) return 0;
  unsigned long long pages = 0;
  int got = std::fscanf(f, "%llu", &pages);
  std::fclose(f);
  return got == 1 ? pages * static_cast<uint64_t>(::sysconf(_SC_PAGESIZE)) : 0;
}

void applyLimits(const ParseLimits& limits) {
  // The CPU limit must end the child even if the process ignores, catches or blocks SIGXCPU.
  ::signal(SIGXCPU, SIG_DFL);
  sigset_t xcpu;
  sigemptyset(&xcpu);
  sigaddset(&xcpu, SIGXCPU);
  ::pthread_sigmask(SIG_UNBLOCK, &xcpu, nullptr);
  struct rlimit cpu;
  cpu.rlim_cur = static_cast<rlim_t>(limits.cpu_seconds);
  cpu.rlim_max = static_cast<rlim_t>(limits.cpu_seconds) + 1;  // SIGXCPU first, then SIGKILL
  ::setrlimit(RLIMIT_CPU, &cpu);
#ifndef WARD_SANITIZER_BUILD
  // Sanitizers reserve terabytes of shadow memory and cannot run under an address-space limit;
  // their builds keep the CPU and wall-clock limits only.
  uint64_t base = mappedBytes();
  if (base > 0) {
    struct rlimit as;
    as.rlim_cur = as.rlim_max = static_cast<rlim_t>(base + limits.memory_bytes);
    ::setrlimit(RLIMIT_AS, &as);
  }
#endif
}

bool writeAll(int fd, std::string_view data) {
  while (!data.empty()) {
    ssize_t n = ::write(fd, data.data(), data.size());
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    data.remove_prefix(static_cast<size_t>(n));
  }
  return true;
}

[[noreturn]] void runChild(int fd, std::string_view format, const ParseLimits& limits,
                           const ParseFn& parse) {
  applyLimits(limits);
  Result<ExtractedDocument> result = Status::internal("unreachable");
  try {
    result = parse();
  } catch (const std::bad_alloc&) {
    result = Status::resourceExhausted(std::string(format) + ": needs more than " +
                                       describeBytes(limits.memory_bytes) +
                                       " of memory (the parse limit); not ingested");
  } catch (...) {
    result = Status::invalidArgument(std::string(format) + ": cannot parse");
  }
  bool sent = false;
  try {
    sent = writeAll(fd, encodeParseResult(result));
  } catch (...) {  // no memory left to encode the answer: the parent reports the exit code
  }
  ::_exit(sent ? 0 : 2);
}

// --- the parent --------------------------------------------------------------------------------

std::string signalName(int sig) {
  const char* name = ::strsignal(sig);
  return name != nullptr ? std::string(name) : "signal " + std::to_string(sig);
}

}  // namespace

std::string encodeParseResult(const Result<ExtractedDocument>& result) {
  std::string out;
  if (!result.ok()) {
    out.push_back(1);
    putU64(out, static_cast<uint64_t>(result.status().code()));
    putString(out, result.status().message());
    return out;
  }
  const ExtractedDocument& doc = result.value();
  out.reserve(doc.text.size() + doc.blocks.size() * 64 + 64);
  out.push_back(0);
  putString(out, doc.title);
  putString(out, doc.text);
  putU64(out, doc.blocks.size());
  for (const Block& b : doc.blocks) {
    putU64(out, static_cast<uint64_t>(b.kind));
    putU64(out, b.start);
    putU64(out, b.end);
    putU64(out, static_cast<uint64_t>(b.page));
    putU64(out, static_cast<uint64_t>(b.heading_level));
    putStrings(out, b.heading_path);
    putStrings(out, b.table_header);
    putU64(out, b.table_rows.size());
    for (const auto& row : b.table_rows) putStrings(out, row);
    putString(out, b.symbol);
  }
  return out;
}

Result<ExtractedDocument> decodeParseResult(std::string_view bytes) {
  const Status bad = Status::internal("parse sandbox: malformed answer from the child");
  if (bytes.empty()) return bad;
  Reader r(bytes.substr(1));
  if (bytes[0] == 1) {
    uint64_t code;
    std::string message;
    if (!r.u64(code) || !r.string(message) || code == 0 ||
        code > static_cast<uint64_t>(StatusCode::kInternal)) {
      return bad;
    }
    return Status(static_cast<StatusCode>(code), std::move(message));
  }
  if (bytes[0] != 0) return bad;
  ExtractedDocument doc;
  uint64_t blocks;
  if (!r.string(doc.title) || !r.string(doc.text) || !r.u64(blocks) || blocks > bytes.size()) {
    return bad;
  }
  doc.blocks.resize(blocks);
  for (Block& b : doc.blocks) {
    uint64_t kind, start, end, page, level, rows;
    if (!r.u64(kind) || !r.u64(start) || !r.u64(end) || !r.u64(page) || !r.u64(level) ||
        !r.strings(b.heading_path) || !r.strings(b.table_header) || !r.u64(rows) ||
        kind > static_cast<uint64_t>(Block::Kind::kClause) || rows > bytes.size()) {
      return bad;
    }
    b.kind = static_cast<Block::Kind>(kind);
    b.start = start;
    b.end = end;
    b.page = static_cast<int>(page);
    b.heading_level = static_cast<int>(level);
    b.table_rows.resize(rows);
    for (auto& row : b.table_rows) {
      if (!r.strings(row)) return bad;
    }
    if (!r.string(b.symbol)) return bad;
  }
  if (!r.done()) return bad;
  return doc;
}

Result<ExtractedDocument> parseInChild(std::string_view format, const ParseLimits& limits,
                                       const ParseFn& parse) {
  const std::string prefix = std::string(format) + ": ";
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) {
    return Status::unavailable(prefix + "cannot start the parser process: " + strerror(errno));
  }
  pid_t pid = ::fork();
  if (pid < 0) {
    int err = errno;
    ::close(fds[0]);
    ::close(fds[1]);
    return Status::unavailable(prefix + "cannot start the parser process: " + strerror(err));
  }
  if (pid == 0) {
    ::close(fds[0]);
    runChild(fds[1], format, limits, parse);
  }
  ::close(fds[1]);

  std::string answer;
  bool timed_out = false;
  const int64_t deadline = SystemClock::instance().monotonicNanos() +
                           static_cast<int64_t>(limits.wall_seconds) * 1'000'000'000;
  char buf[1 << 16];
  for (;;) {
    int64_t left_ms = (deadline - SystemClock::instance().monotonicNanos()) / 1'000'000;
    if (left_ms <= 0) {
      timed_out = true;
      break;
    }
    struct pollfd p {
      fds[0], POLLIN, 0
    };
    int ready = ::poll(&p, 1, static_cast<int>(std::min<int64_t>(left_ms, 1'000'000)));
    if (ready < 0 && errno == EINTR) continue;
    if (ready <= 0) continue;  // re-check the deadline
    ssize_t n = ::read(fds[0], buf, sizeof(buf));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;  // EOF: the child is done (or dead)
    answer.append(buf, static_cast<size_t>(n));
  }
  ::close(fds[0]);
  if (timed_out) ::kill(pid, SIGKILL);
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (timed_out) {
    return Status::resourceExhausted(prefix + "parsing took more than " +
                                     std::to_string(limits.wall_seconds) +
                                     " s (the parse limit); not ingested");
  }
  if (WIFSIGNALED(status)) {
    int sig = WTERMSIG(status);
    if (sig == SIGXCPU || sig == SIGKILL) {
      return Status::resourceExhausted(prefix + "parsing used more than " +
                                       std::to_string(limits.cpu_seconds) +
                                       " s of CPU (the parse limit); not ingested");
    }
    return Status::resourceExhausted(prefix + "the parser died (" + signalName(sig) +
                                     "), most likely at the " + describeBytes(limits.memory_bytes) +
                                     " memory limit of a parse; not ingested");
  }
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    return Status::resourceExhausted(prefix + "the parser process failed (exit " +
                                     std::to_string(WEXITSTATUS(status)) + "); not ingested");
  }
  return decodeParseResult(answer);
}

}  // namespace ward::ingest
