// Streamed blob reads for a git pass (git_blob_stream.h).
#include "git_blob_stream.h"

#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "git_process.h"

namespace ward::ingest {

namespace {

// The child's stdout pipe is widened to this (Linux's default unprivileged maximum), so git
// inflates up to this far ahead of the reader between two wake-ups; a refusal keeps the default.
constexpr int kStreamPipeBytes = 1 << 20;
// The reader's buffer: one read takes up to this much of git's output.
constexpr size_t kStreamReadBytes = 1 << 20;

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
  // child that already answered everything is a zombie until endCatFile reaps it.
  if (child_.pid > 0) ::kill(child_.pid, SIGKILL);
  if (reader_.joinable()) reader_.join();
  endCatFile(child_);
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
  // --buffer: git's stdout is flushed when its buffer fills, not after every object (the reader
  // takes whole pipe-fulls); the last answers are flushed when the requests end (shutdown below).
  WARD_ASSIGN_OR_RETURN(child_, startCatFile(git_dir_, true, kStreamPipeBytes));
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
  size_t begin = 0;  // buf[begin, end) is read but not parsed yet (the start of a header)
  size_t end = 0;
  CatFileParser parser(max_bytes_);
  size_t answered = 0;
  std::vector<StreamedBlob> parsed;  // answers complete since the last push
  for (;;) {
    WARD_ASSIGN_OR_RETURN(size_t used, parser.parse(buf.data() + begin, end - begin, parsed));
    begin += used;
    answered += parsed.size();
    if (answered > oids_.size())
      return Status::unavailable("git cat-file: more answers than asked");
    uint64_t parsed_bytes = 0;
    for (const auto& b : parsed) parsed_bytes += b.bytes.size();
    if (!push(parsed, parsed_bytes)) return Status::unavailable("git cat-file: stopped");
    if (answered == oids_.size()) return Status();
    // Keep the unparsed tail (part of a header) at the front, then wait for git.
    if (begin == end) {
      begin = end = 0;
    } else if (begin > 0) {
      std::memmove(buf.data(), buf.data() + begin, end - begin);
      end -= begin;
      begin = 0;
    }
    pollfd fds[2] = {{child_.out, POLLIN, 0}, {child_.in, POLLOUT, 0}};
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
      const ssize_t n = ::send(child_.in, request.data() + sent, request.size() - sent,
                               MSG_NOSIGNAL | MSG_DONTWAIT);
      if (n > 0) {
        sent += static_cast<size_t>(n);
        // Every request is sent: git answers them all, flushes and exits.
        if (sent == request.size()) ::shutdown(child_.in, SHUT_WR);
      } else if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) {
        return Status::unavailable("git cat-file: cannot send a request");
      }
    }
    if ((fds[0].revents & (POLLIN | POLLHUP | POLLERR)) != 0) {
      const ssize_t n = ::read(child_.out, buf.data() + end, buf.size() - end);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) return Status::unavailable("git cat-file: ended early");
      end += static_cast<size_t>(n);
    }
  }
}

}  // namespace ward::ingest
