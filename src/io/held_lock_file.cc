// HeldLockFile: the lock file kept open between locks (held_lock_file.h).
#include "ward/io/held_lock_file.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace ward::io {

namespace {

Status lockError(const std::string& what, const std::string& path, int err) {
  return Status::unavailable(what + " " + path + ": " + std::strerror(err));
}

Result<int> openLockFd(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0) return lockError("open lock file", path, errno);
  return fd;
}

Status flockRetrying(int fd, int op, const std::string& path) {
  while (::flock(fd, op) != 0) {
    if (errno != EINTR) return lockError("lock", path, errno);
  }
  return Status();
}

}  // namespace

// Holds the in-process mutex and either the flock on the kept-open file or the file system's
// own lock; releases both when destroyed.
class HeldLockFile::Held final : public FileLock {
 public:
  Held(std::unique_lock<std::mutex> in_process, int fd, std::unique_ptr<FileLock> fallback)
      : in_process_(std::move(in_process)), fd_(fd), fallback_(std::move(fallback)) {}
  ~Held() override {
    if (fd_ >= 0) ::flock(fd_, LOCK_UN);
    fallback_.reset();
  }

 private:
  std::unique_lock<std::mutex> in_process_;
  int fd_;
  std::unique_ptr<FileLock> fallback_;
};

HeldLockFile::HeldLockFile(FileSystem& fs, std::string path, int fd)
    : fs_(fs), path_(std::move(path)), fd_(fd) {}

HeldLockFile::~HeldLockFile() {
  if (fd_ >= 0) ::close(fd_);
}

Result<std::unique_ptr<HeldLockFile>> HeldLockFile::open(FileSystem& fs, const std::string& path) {
  int fd = -1;
  if (&fs == &posixFileSystem()) {
    WARD_ASSIGN_OR_RETURN(fd, openLockFd(path));
  }
  return std::unique_ptr<HeldLockFile>(new HeldLockFile(fs, path, fd));
}

Result<std::unique_ptr<FileLock>> HeldLockFile::lock() {
  std::unique_lock<std::mutex> in_process(mu_);
  if (fd_ < 0) {
    WARD_ASSIGN_OR_RETURN(auto lock, fs_.lock(path_));
    return std::unique_ptr<FileLock>(new Held(std::move(in_process), -1, std::move(lock)));
  }
  for (;;) {
    WARD_RETURN_IF_ERROR(flockRetrying(fd_, LOCK_EX, path_));
    struct stat st {};
    if (::fstat(fd_, &st) != 0) {
      int err = errno;
      ::flock(fd_, LOCK_UN);
      return lockError("stat lock file", path_, err);
    }
    if (st.st_nlink > 0) break;
    // Unlinked while kept open: a process that creates the path anew would lock another file.
    ::flock(fd_, LOCK_UN);
    WARD_ASSIGN_OR_RETURN(int fresh, openLockFd(path_));
    ::close(fd_);
    fd_ = fresh;
  }
  return std::unique_ptr<FileLock>(new Held(std::move(in_process), fd_, nullptr));
}

}  // namespace ward::io
