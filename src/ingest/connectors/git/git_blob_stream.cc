// Streamed blob reads for a git pass (git_blob_stream.h).
#include "git_blob_stream.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>

#include "git_process.h"

namespace ward::ingest {

namespace {

// The child's stdout pipe is widened to this (Linux's default unprivileged maximum), so git
// inflates up to this far ahead of the reader between two wake-ups; a refusal keeps the default.
constexpr int kStreamPipeBytes = 1 << 20;
// The reader's buffer: one read takes up to this much of git's output.
constexpr size_t kStreamReadBytes = 1 << 20;
// A header line ("<oid> blob <size>") longer than this is a malformed answer.
constexpr size_t kMaxHeaderBytes = 1024;

}  // namespace

GitBlobStream::GitBlobStream(std::string git_dir, std::vector<std::string> oids, uint64_t max_bytes)
    : git_dir_(std::move(git_dir)), oids_(std::move(oids)), max_bytes_(max_bytes) {}

GitBlobStream::~GitBlobStream() {
  {
    MutexLock lock(mu_);
    stopping_ = true;
  }
  changed_.notifyAll();
  // The child is killed whatever it was doing: its output ends, so the reader stops reading. A
  // child that already answered everything is a zombie until the waitpid below.
  if (pid_ > 0) ::kill(pid_, SIGKILL);
  if (reader_.joinable()) reader_.join();
  if (in_ >= 0) ::close(in_);
  if (out_ >= 0) ::close(out_);
  if (pid_ > 0) {
    int wstatus = 0;
    while (::waitpid(pid_, &wstatus, 0) < 0 && errno == EINTR) {
    }
  }
}

Status GitBlobStream::start() {
  for (const auto& oid : oids_) {
    if (oid.empty() || oid.find_first_of(" \n") != std::string::npos) {
      return Status::invalidArgument("git cat-file: a bad object id");
    }
  }
  if (oids_.empty()) {
    MutexLock lock(mu_);
    done_ = true;
    return Status();
  }
  int in[2];
  int out[2];
  if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, in) != 0) {
    return Status::unavailable("git: cannot make a socket pair");
  }
  if (::pipe2(out, O_CLOEXEC) != 0) {
    ::close(in[0]);
    ::close(in[1]);
    return Status::unavailable("git: cannot make a pipe");
  }
  (void)::fcntl(out[0], F_SETPIPE_SZ, kStreamPipeBytes);
  // --buffer: git's stdout is flushed when its buffer fills, not after every object (the reader
  // takes whole pipe-fulls); the last answers are flushed when the requests end (shutdown below).
  auto spawned = spawnGit(GitCommand{git_dir_, {"cat-file", "--batch", "--buffer"}, {}, 0, {}, {}},
                          in[1], out[1], -1);
  ::close(in[1]);
  ::close(out[1]);
  if (!spawned.ok()) {
    ::close(in[0]);
    ::close(out[0]);
    return spawned.status();
  }
  pid_ = *spawned;
  in_ = in[0];
  out_ = out[0];
  reader_ = std::thread([this] { read(); });
  return Status();
}

Result<StreamedBlob> GitBlobStream::next() {
  if (taken_ >= oids_.size()) {
    return Status::internal("git cat-file: every blob of the stream was taken");
  }
  MutexLock lock(mu_);
  while (queue_.empty() && !done_) {
    taker_waiting_ = true;
    changed_.wait(lock);
  }
  taker_waiting_ = false;
  if (queue_.empty()) {
    return ended_.ok() ? Status::unavailable("git cat-file: ended early") : ended_;
  }
  StreamedBlob blob = std::move(queue_.front());
  queue_.pop_front();
  queued_bytes_ -= blob.bytes.size();
  ++taken_;
  if (reader_waiting_ && queued_bytes_ <= kMaxStreamedBlobBytes / 2) changed_.notifyAll();
  return blob;
}

bool GitBlobStream::push(std::vector<StreamedBlob>& blobs, uint64_t bytes) {
  if (blobs.empty()) return true;
  MutexLock lock(mu_);
  if (!queue_.empty() && queued_bytes_ + bytes > kMaxStreamedBlobBytes) {
    reader_waiting_ = true;
    while (!stopping_ && !queue_.empty() && queued_bytes_ + bytes > kMaxStreamedBlobBytes / 2) {
      changed_.wait(lock);
    }
    reader_waiting_ = false;
  }
  if (stopping_) return false;
  queued_bytes_ += bytes;
  for (auto& b : blobs) queue_.push_back(std::move(b));
  blobs.clear();
  if (taker_waiting_) changed_.notifyAll();
  return true;
}

void GitBlobStream::read() {
  Status outcome = pump();
  {
    MutexLock lock(mu_);
    ended_ = std::move(outcome);
    done_ = true;
  }
  changed_.notifyAll();
}

Status GitBlobStream::pump() {
  std::string request;
  request.reserve(oids_.size() * 41);
  for (const auto& oid : oids_) request.append(oid).push_back('\n');
  size_t sent = 0;
  std::vector<char> buf(kStreamReadBytes);
  size_t begin = 0;  // buf[begin, end) is read but not parsed yet
  size_t end = 0;
  enum class Expect { kHeader, kBody, kSkip, kNewline } expect = Expect::kHeader;
  StreamedBlob blob;
  uint64_t left = 0;  // bytes of the body (kept or skipped) still to come
  size_t answered = 0;
  std::vector<StreamedBlob> parsed;  // answers complete since the last push
  uint64_t parsed_bytes = 0;
  while (answered < oids_.size()) {
    // Parse what is buffered, as far as it goes.
    bool more = true;
    while (more && answered < oids_.size()) {
      const size_t avail = end - begin;
      switch (expect) {
        case Expect::kHeader: {
          const char* from = buf.data() + begin;
          const char* nl = static_cast<const char*>(std::memchr(from, '\n', avail));
          if (nl == nullptr) {
            if (avail > kMaxHeaderBytes)
              return Status::unavailable("git cat-file: a header too long");
            more = false;
            break;
          }
          const std::string header(from, static_cast<size_t>(nl - from));
          begin += header.size() + 1;
          // "<oid> blob <size>" or "<oid> missing"
          const size_t sp1 = header.find(' ');
          const size_t sp2 = sp1 == std::string::npos ? sp1 : header.find(' ', sp1 + 1);
          if (sp2 == std::string::npos) {
            parsed.push_back(StreamedBlob{Status::notFound("git cat-file: " + header), {}});
            ++answered;
            break;
          }
          left = std::strtoull(header.c_str() + sp2 + 1, nullptr, 10);
          const std::string& oid = oids_[answered];
          if (header.compare(sp1 + 1, sp2 - sp1 - 1, "blob") != 0) {
            blob.status = Status::notFound("git cat-file: " + oid + " is not a blob");
            expect = Expect::kSkip;
          } else if (left > max_bytes_) {
            blob.status = Status::resourceExhausted("blob " + oid + " is larger than " +
                                                    std::to_string(max_bytes_) + " bytes");
            expect = Expect::kSkip;
          } else {
            blob.bytes.reserve(static_cast<size_t>(left));
            expect = Expect::kBody;
          }
          if (left == 0) expect = Expect::kNewline;
          break;
        }
        case Expect::kBody:
        case Expect::kSkip: {
          const size_t n = static_cast<size_t>(std::min<uint64_t>(left, avail));
          if (expect == Expect::kBody) blob.bytes.append(buf.data() + begin, n);
          begin += n;
          left -= n;
          if (left == 0) expect = Expect::kNewline;
          more = n > 0;
          break;
        }
        case Expect::kNewline:
          if (avail == 0) {
            more = false;
            break;
          }
          if (buf[begin] != '\n') return Status::unavailable("git cat-file: a malformed answer");
          ++begin;
          parsed_bytes += blob.bytes.size();
          parsed.push_back(std::move(blob));
          blob = StreamedBlob{};
          ++answered;
          expect = Expect::kHeader;
          break;
      }
    }
    if (!push(parsed, parsed_bytes)) return Status::unavailable("git cat-file: stopped");
    parsed_bytes = 0;
    if (answered == oids_.size()) break;
    // Keep the unparsed tail (part of a header) at the front, then wait for git.
    if (begin == end) {
      begin = end = 0;
    } else if (begin > 0) {
      std::memmove(buf.data(), buf.data() + begin, end - begin);
      end -= begin;
      begin = 0;
    }
    pollfd fds[2] = {{out_, POLLIN, 0}, {in_, POLLOUT, 0}};
    const nfds_t nfds = sent < request.size() ? 2 : 1;
    const int ready = ::poll(fds, nfds, kGitWallSeconds * 1000);
    if (ready == 0) {
      return Status::unavailable("git cat-file: no answer in " + std::to_string(kGitWallSeconds) +
                                 " s");
    }
    if (ready < 0) {
      if (errno == EINTR) continue;
      return Status::unavailable("git cat-file: poll failed");
    }
    if (nfds == 2 && (fds[1].revents & (POLLOUT | POLLERR | POLLHUP)) != 0) {
      const ssize_t n =
          ::send(in_, request.data() + sent, request.size() - sent, MSG_NOSIGNAL | MSG_DONTWAIT);
      if (n > 0) {
        sent += static_cast<size_t>(n);
        // Every request is sent: git answers them all, flushes and exits.
        if (sent == request.size()) ::shutdown(in_, SHUT_WR);
      } else if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) {
        return Status::unavailable("git cat-file: cannot send a request");
      }
    }
    if ((fds[0].revents & (POLLIN | POLLHUP | POLLERR)) != 0) {
      const ssize_t n = ::read(out_, buf.data() + end, buf.size() - end);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) return Status::unavailable("git cat-file: ended early");
      end += static_cast<size_t>(n);
    }
  }
  return Status();
}

}  // namespace ward::ingest
