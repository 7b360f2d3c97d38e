// The real file system: POSIX calls with EINTR retried and errno in every message.
#include <dirent.h>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "ward/io/file_system.h"

namespace ward::io {

namespace {

Status errnoStatus(const std::string& what, const std::string& path, int err) {
  std::string msg = what + " " + path + ": " + std::strerror(err);
  if (err == ENOENT) return Status::notFound(msg);
  if (err == EEXIST) return Status::alreadyExists(msg);
  if (err == EACCES || err == EPERM) return Status::permissionDenied(msg);
  if (err == ENOSPC || err == EDQUOT) return Status::resourceExhausted(msg);
  return Status::unavailable(msg);
}

class PosixFile final : public File {
 public:
  PosixFile(int fd, std::string path) : fd_(fd), path_(std::move(path)) {}
  ~PosixFile() override { ::close(fd_); }

  Status append(std::string_view data) override {
    size_t off = 0;
    while (off < data.size()) {
      ssize_t n = ::write(fd_, data.data() + off, data.size() - off);
      if (n < 0) {
        if (errno == EINTR) continue;
        return errnoStatus("write", path_, errno);
      }
      off += static_cast<size_t>(n);
    }
    return Status();
  }

  Result<std::string> readAt(uint64_t offset, size_t n) const override {
    std::string out(n, '\0');
    size_t got = 0;
    while (got < n) {
      ssize_t r = ::pread(fd_, out.data() + got, n - got, static_cast<off_t>(offset + got));
      if (r < 0) {
        if (errno == EINTR) continue;
        return errnoStatus("read", path_, errno);
      }
      if (r == 0) break;
      got += static_cast<size_t>(r);
    }
    out.resize(got);
    return out;
  }

  Result<uint64_t> size() const override {
    struct stat st;
    if (::fstat(fd_, &st) != 0) return errnoStatus("stat", path_, errno);
    return static_cast<uint64_t>(st.st_size);
  }

  Status sync() override {
    while (::fdatasync(fd_) != 0) {
      if (errno != EINTR) return errnoStatus("fsync", path_, errno);
    }
    return Status();
  }

  Status truncate(uint64_t size) override {
    while (::ftruncate(fd_, static_cast<off_t>(size)) != 0) {
      if (errno != EINTR) return errnoStatus("truncate", path_, errno);
    }
    return Status();
  }

 private:
  int fd_;
  std::string path_;
};

class PosixFileLock final : public FileLock {
 public:
  explicit PosixFileLock(int fd) : fd_(fd) {}
  ~PosixFileLock() override {
    ::flock(fd_, LOCK_UN);
    ::close(fd_);
  }

 private:
  int fd_;
};

class PosixFileSystem final : public FileSystem {
 public:
  Status createDirs(const std::string& path) override {
    if (path.empty()) return Status::invalidArgument("empty directory path");
    std::string cur;
    size_t pos = 0;
    while (pos <= path.size()) {
      size_t slash = path.find('/', pos);
      if (slash == std::string::npos) slash = path.size();
      cur = path.substr(0, slash);
      pos = slash + 1;
      if (cur.empty()) continue;
      if (::mkdir(cur.c_str(), 0755) != 0 && errno != EEXIST) {
        return errnoStatus("mkdir", cur, errno);
      }
    }
    struct stat st;
    if (::stat(path.c_str(), &st) != 0) return errnoStatus("stat", path, errno);
    if (!S_ISDIR(st.st_mode)) return Status::failedPrecondition(path + " is not a directory");
    return Status();
  }

  Result<std::vector<std::string>> list(const std::string& dir) const override {
    DIR* d = ::opendir(dir.c_str());
    if (d == nullptr) return errnoStatus("list", dir, errno);
    std::vector<std::string> out;
    while (struct dirent* e = ::readdir(d)) {
      std::string name = e->d_name;
      if (name != "." && name != "..") out.push_back(name);
    }
    ::closedir(d);
    std::sort(out.begin(), out.end());
    return out;
  }

  bool exists(const std::string& path) const override {
    struct stat st;
    return ::stat(path.c_str(), &st) == 0;
  }

  Result<std::unique_ptr<File>> open(const std::string& path, const OpenOptions& options) override {
    int flags = O_CLOEXEC;
    if (options.read_only) {
      flags |= O_RDONLY;
    } else {
      flags |= O_RDWR | O_APPEND;
      if (options.create) flags |= O_CREAT;
      if (options.create && options.exclusive) flags |= O_EXCL;
    }
    int fd;
    do {
      fd = ::open(path.c_str(), flags, options.mode);
    } while (fd < 0 && errno == EINTR);
    if (fd < 0) return errnoStatus("open", path, errno);
    return std::unique_ptr<File>(new PosixFile(fd, path));
  }

  Result<uint64_t> fileSize(const std::string& path) const override {
    struct stat st;
    if (::stat(path.c_str(), &st) != 0) return errnoStatus("stat", path, errno);
    return static_cast<uint64_t>(st.st_size);
  }

  Status rename(const std::string& from, const std::string& to) override {
    if (::rename(from.c_str(), to.c_str()) != 0) return errnoStatus("rename", from, errno);
    return Status();
  }

  Status remove(const std::string& path) override {
    if (::unlink(path.c_str()) != 0) return errnoStatus("remove", path, errno);
    return Status();
  }

  Status syncDir(const std::string& dir) override {
    int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) return errnoStatus("open directory", dir, errno);
    int rc;
    do {
      rc = ::fsync(fd);
    } while (rc != 0 && errno == EINTR);
    int err = errno;
    ::close(fd);
    if (rc != 0) return errnoStatus("fsync directory", dir, err);
    return Status();
  }

  Result<std::unique_ptr<FileLock>> lock(const std::string& path) override {
    int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (fd < 0) return errnoStatus("open lock file", path, errno);
    while (::flock(fd, LOCK_EX) != 0) {
      if (errno != EINTR) {
        int err = errno;
        ::close(fd);
        return errnoStatus("lock", path, err);
      }
    }
    return std::unique_ptr<FileLock>(new PosixFileLock(fd));
  }

  Result<std::unique_ptr<FileLock>> tryLock(const std::string& path) override {
    int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (fd < 0) return errnoStatus("open lock file", path, errno);
    while (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
      int err = errno;
      if (err == EINTR) continue;
      ::close(fd);
      if (err == EWOULDBLOCK) return std::unique_ptr<FileLock>();
      return errnoStatus("lock", path, err);
    }
    return std::unique_ptr<FileLock>(new PosixFileLock(fd));
  }
};

}  // namespace

FileSystem& posixFileSystem() {
  static PosixFileSystem fs;
  return fs;
}

}  // namespace ward::io
