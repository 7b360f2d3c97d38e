// The cat-file protocol of the git connector (git_cat_file.h).
#include "git_cat_file.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cstring>
#include <string_view>

#include "git_process.h"

namespace ward::ingest {

namespace {

// One read of the one-at-a-time reader takes up to this much of git's output.
constexpr size_t kReaderReadBytes = 64 << 10;

}  // namespace

Result<CatFileChild> startCatFile(const std::string& git_dir, bool buffered, int pipe_bytes) {
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
  if (pipe_bytes > 0) (void)::fcntl(out[0], F_SETPIPE_SZ, pipe_bytes);
  std::vector<std::string> args = {"cat-file", "--batch"};
  if (buffered) args.push_back("--buffer");
  auto spawned = spawnGit(GitCommand{git_dir, std::move(args), {}, 0, {}, {}}, in[1], out[1], -1);
  ::close(in[1]);
  ::close(out[1]);
  if (!spawned.ok()) {
    ::close(in[0]);
    ::close(out[0]);
    return spawned.status();
  }
  return CatFileChild{*spawned, in[0], out[0]};
}

void endCatFile(CatFileChild& child) {
  if (child.pid <= 0) return;
  // Killed, not asked: a child blocked on a full pipe or stuck in a slow read ends either way.
  // One that already exited is a zombie until the waitpid below (its id cannot be reused).
  ::kill(child.pid, SIGKILL);
  if (child.in >= 0) ::close(child.in);
  if (child.out >= 0) ::close(child.out);
  int wstatus = 0;
  while (::waitpid(child.pid, &wstatus, 0) < 0 && errno == EINTR) {
  }
  child = CatFileChild{};
}

Status CatFileParser::header(const char* line, size_t size, std::vector<StreamedBlob>& out) {
  // "<oid> <type> <size>", or "<request> missing" (one space).
  const std::string_view h(line, size);
  const size_t sp1 = h.find(' ');
  const size_t sp2 = sp1 == std::string_view::npos ? sp1 : h.find(' ', sp1 + 1);
  if (sp2 == std::string_view::npos) {
    out.push_back(StreamedBlob{Status::notFound("git cat-file: " + std::string(h)), {}});
    return Status();
  }
  const char* digits = line + sp2 + 1;
  const auto [end, ec] = std::from_chars(digits, line + size, left_);
  if (ec != std::errc() || end != line + size) {
    return Status::unavailable("git cat-file: a malformed answer");
  }
  const std::string oid(h.substr(0, sp1));
  if (h.substr(sp1 + 1, sp2 - sp1 - 1) != "blob") {
    blob_.status = Status::notFound("git cat-file: " + oid + " is not a blob");
    expect_ = Expect::kSkip;
  } else if (left_ > max_bytes_) {
    blob_.status = Status::resourceExhausted("blob " + oid + " is larger than " +
                                             std::to_string(max_bytes_) + " bytes");
    expect_ = Expect::kSkip;
  } else {
    blob_.bytes.reserve(static_cast<size_t>(left_));
    expect_ = Expect::kBody;
  }
  if (left_ == 0) expect_ = Expect::kNewline;
  return Status();
}

Result<size_t> CatFileParser::parse(const char* data, size_t size, std::vector<StreamedBlob>& out) {
  size_t at = 0;
  for (;;) {
    const size_t avail = size - at;
    switch (expect_) {
      case Expect::kHeader: {
        const char* from = data + at;
        const char* nl = static_cast<const char*>(std::memchr(from, '\n', avail));
        const size_t len = nl == nullptr ? avail : static_cast<size_t>(nl - from);
        if (len > kMaxCatFileHeaderBytes) {
          return Status::unavailable("git cat-file: a header too long");
        }
        if (nl == nullptr) return at;
        WARD_RETURN_IF_ERROR(header(from, len, out));
        at += len + 1;
        break;
      }
      case Expect::kBody:
      case Expect::kSkip: {
        const size_t n = static_cast<size_t>(std::min<uint64_t>(left_, avail));
        if (n == 0) return at;
        if (expect_ == Expect::kBody) blob_.bytes.append(data + at, n);
        at += n;
        left_ -= n;
        if (left_ == 0) expect_ = Expect::kNewline;
        break;
      }
      case Expect::kNewline:
        if (avail == 0) return at;
        if (data[at] != '\n') return Status::unavailable("git cat-file: a malformed answer");
        ++at;
        out.push_back(std::move(blob_));
        blob_ = StreamedBlob{};
        expect_ = Expect::kHeader;
        break;
    }
  }
}

Result<std::string> GitBlobReader::read(const std::string& oid, uint64_t max_bytes) {
  if (oid.empty() || oid.find_first_of(" \n") != std::string::npos) {
    return Status::invalidArgument("git cat-file: a bad object id");
  }
  auto bytes = exchange(oid, max_bytes);
  // A child that could not be talked to is out of step: the next read starts another.
  if (!bytes.ok() && bytes.status().code() == StatusCode::kUnavailable) endCatFile(child_);
  return bytes;
}

Result<std::string> GitBlobReader::exchange(const std::string& oid, uint64_t max_bytes) {
  if (child_.pid < 0) {
    WARD_ASSIGN_OR_RETURN(child_, startCatFile(git_dir_, false, 0));
  }
  const std::string request = oid + "\n";
  size_t sent = 0;
  while (sent < request.size()) {
    const ssize_t n = ::send(child_.in, request.data() + sent, request.size() - sent, MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return Status::unavailable("git cat-file: cannot send a request");
    sent += static_cast<size_t>(n);
  }
  CatFileParser parser(max_bytes);
  std::vector<StreamedBlob> answers;
  std::string pending;  // read, not yet used by the parser (the start of a header)
  while (answers.empty()) {
    pollfd p{child_.out, POLLIN, 0};
    const int ready = ::poll(&p, 1, kGitWallSeconds * 1000);
    if (ready == 0) {
      return Status::unavailable("git cat-file: no answer in " + std::to_string(kGitWallSeconds) +
                                 " s");
    }
    if (ready < 0) {
      if (errno == EINTR) continue;
      return Status::unavailable("git cat-file: poll failed");
    }
    const size_t had = pending.size();
    pending.resize(had + kReaderReadBytes);
    const ssize_t r = ::read(child_.out, pending.data() + had, kReaderReadBytes);
    pending.resize(had + static_cast<size_t>(std::max<ssize_t>(r, 0)));
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) return Status::unavailable("git cat-file: ended early");
    WARD_ASSIGN_OR_RETURN(size_t used, parser.parse(pending.data(), pending.size(), answers));
    pending.erase(0, used);
  }
  // One request, one answer: anything more is out of step.
  if (answers.size() != 1 || !pending.empty() || parser.midAnswer()) {
    return Status::unavailable("git cat-file: a malformed answer");
  }
  if (!answers[0].status.ok()) return answers[0].status;
  return std::move(answers[0].bytes);
}

}  // namespace ward::ingest
