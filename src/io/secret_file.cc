// Key files made on first use; contract in include/ward/io/secret_file.h.
#include "ward/io/secret_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

#include "ward/common/aead.h"
#include "ward/io/owner_only.h"

namespace ward::io {

namespace {

constexpr int kCompletionWaitUs = 50 * 1000;  // a concurrent creator still writing its key

Status ioError(std::string_view what, const std::string& doing, const std::string& path) {
  return Status::unavailable("cannot " + doing + " " + std::string(what) + " " + path + ": " +
                             std::strerror(errno));
}

Status writeAll(int fd, const std::string& bytes, std::string_view what, const std::string& path) {
  size_t put = 0;
  while (put < bytes.size()) {
    ssize_t n = ::write(fd, bytes.data() + put, bytes.size() - put);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return ioError(what, "write", path);
    put += static_cast<size_t>(n);
  }
  if (::fsync(fd) != 0) return ioError(what, "sync", path);
  return Status();
}

Result<std::string> readKey(int fd, size_t n_bytes, std::string_view what,
                            const std::string& path) {
  struct stat st {};
  if (::fstat(fd, &st) != 0) return ioError(what, "stat", path);
  if ((st.st_mode & 077) != 0) {
    return Status::failedPrecondition(std::string(what) + " " + path +
                                      " is accessible by group or others; chmod 600 it");
  }
  std::string key(n_bytes + 1, '\0');
  size_t got = 0;
  while (got < key.size()) {
    ssize_t n = ::read(fd, key.data() + got, key.size() - got);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return ioError(what, "read", path);
    if (n == 0) break;
    got += static_cast<size_t>(n);
  }
  if (got != n_bytes) {
    return Status::corruption(std::string(what) + " " + path + " must hold exactly " +
                              std::to_string(n_bytes) + " bytes");
  }
  key.resize(n_bytes);
  return key;
}

}  // namespace

Result<std::string> loadOrCreateSecretFile(const std::string& path, size_t n_bytes,
                                           std::string_view what) {
  std::error_code ec;
  const std::filesystem::path parent = std::filesystem::path(path).parent_path();
  if (!parent.empty()) std::filesystem::create_directories(parent, ec);
  if (ec) return Status::unavailable("cannot create " + parent.string() + ": " + ec.message());
  for (int attempt = 0; attempt < 2; ++attempt) {
    int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, kOwnerOnlyFileMode);
    if (fd >= 0) {
      Status written = writeAll(fd, randomBytes(n_bytes), what, path);
      ::close(fd);
      if (!written.ok()) {
        ::unlink(path.c_str());
        return written;
      }
    } else if (errno != EEXIST) {  // EEXIST: it exists, or another process made it first
      return ioError(what, "create", path);
    }
    fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return ioError(what, "open", path);
    Result<std::string> key = readKey(fd, n_bytes, what, path);
    ::close(fd);
    if (!key.ok() && key.status().code() == StatusCode::kCorruption && attempt == 0) {
      ::usleep(kCompletionWaitUs);
      continue;
    }
    return key;
  }
  return Status::internal("unreachable");
}

}  // namespace ward::io
