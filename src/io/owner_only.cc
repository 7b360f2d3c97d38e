#include "ward/io/owner_only.h"

#include <sys/stat.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

namespace ward::io {

namespace {

namespace fs = std::filesystem;

// Clears the group and other bits of one entry (lstat: a link itself is left alone).
Status restrictEntry(const fs::path& path) {
  struct stat st;
  if (::lstat(path.c_str(), &st) != 0) {
    if (errno == ENOENT) return Status();  // removed meanwhile (a -shm file, a temp file)
    return Status::unavailable("cannot stat " + path.string() + ": " + std::strerror(errno));
  }
  mode_t want;
  if (S_ISDIR(st.st_mode)) {
    want = kOwnerOnlyDirMode;
  } else if (S_ISREG(st.st_mode)) {
    want = kOwnerOnlyFileMode;
  } else {
    return Status();  // links, sockets, FIFOs: not Ward's files
  }
  if ((st.st_mode & 07777) == want) return Status();
  if (::chmod(path.c_str(), want) != 0 && errno != ENOENT) {
    return Status::unavailable("cannot make " + path.string() +
                               " private to its owner: " + std::strerror(errno));
  }
  return Status();
}

}  // namespace

Status restrictToOwner(const std::string& dir, const std::vector<std::string>& entries) {
  ::umask(static_cast<mode_t>(kOwnerOnlyUmask));
  std::error_code ec;
  if (!fs::exists(fs::symlink_status(dir, ec))) return Status();
  WARD_RETURN_IF_ERROR(restrictEntry(dir));
  for (const std::string& name : entries) {
    const fs::path top = fs::path(dir) / name;
    WARD_RETURN_IF_ERROR(restrictEntry(top));
    if (!fs::is_directory(fs::symlink_status(top, ec))) continue;
    fs::recursive_directory_iterator it(top, fs::directory_options::skip_permission_denied, ec);
    if (ec) return Status::unavailable("cannot list " + top.string() + ": " + ec.message());
    for (; it != fs::recursive_directory_iterator(); it.increment(ec)) {
      if (ec) return Status::unavailable("cannot list " + top.string() + ": " + ec.message());
      WARD_RETURN_IF_ERROR(restrictEntry(it->path()));
    }
    if (ec) return Status::unavailable("cannot list " + top.string() + ": " + ec.message());
  }
  return Status();
}

}  // namespace ward::io
