// FolderRoot: openat(2) beneath an open directory, one component at a time, never following a
// link. Checking types with fstatat before opening keeps FIFOs and devices from ever being opened
// (opening a FIFO blocks; opening some devices has side effects); re-checking the opened
// descriptor with fstat closes the window in which an entry could be swapped between the two.
#include "ward/ingest/folder_root.h"

#include <dirent.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

namespace ward::ingest {

namespace {

// Closes a descriptor on scope exit.
class FdCloser {
 public:
  explicit FdCloser(int fd) : fd_(fd) {}
  ~FdCloser() {
    if (fd_ >= 0) ::close(fd_);
  }
  FdCloser(const FdCloser&) = delete;
  FdCloser& operator=(const FdCloser&) = delete;

 private:
  int fd_;
};

std::string errnoText(int err) { return std::strerror(err); }

// Why an entry that is not a regular file or folder is not read.
std::string notRegularMessage(mode_t mode) {
  if (S_ISLNK(mode)) return "symbolic link: not followed";
  if (S_ISCHR(mode) || S_ISBLK(mode)) return "device: not read";
  if (S_ISFIFO(mode)) return "FIFO: not read";
  if (S_ISSOCK(mode)) return "socket: not read";
  if (S_ISDIR(mode)) return "is a folder";
  return "not a regular file: not read";
}

constexpr char kRefusedMessage[] = "Ward's data directory: never ingested";

Result<std::vector<std::string>> splitRelative(const std::string& relative_path) {
  std::vector<std::string> parts;
  size_t pos = 0;
  while (pos <= relative_path.size()) {
    size_t slash = relative_path.find('/', pos);
    if (slash == std::string::npos) slash = relative_path.size();
    std::string part = relative_path.substr(pos, slash - pos);
    if (part.empty() || part == "." || part == "..") {
      return Status::invalidArgument("'" + relative_path + "' is not a path beneath the root");
    }
    parts.push_back(std::move(part));
    pos = slash + 1;
  }
  return parts;
}

int64_t mtimeMicros(const struct stat& st) { return static_cast<int64_t>(st.st_mtime) * 1'000'000; }

int64_t nanos(const struct timespec& t) {
  return static_cast<int64_t>(t.tv_sec) * 1'000'000'000 + t.tv_nsec;
}

WalkedFile walkedFile(const std::string& rel, const struct stat& st) {
  return WalkedFile{rel,
                    static_cast<uint64_t>(st.st_size),
                    mtimeMicros(st),
                    nanos(st.st_mtim),
                    nanos(st.st_ctim),
                    static_cast<uint64_t>(st.st_ino)};
}

// The resolved path of `path`, or empty when it does not resolve.
std::string realPathOf(const std::string& path) {
  char buf[PATH_MAX];
  if (::realpath(path.c_str(), buf) == nullptr) return std::string();
  return std::string(buf);
}

bool isSameOrBeneath(const std::string& path, const std::string& dir) {
  if (dir.empty()) return false;
  if (path == dir) return true;
  std::string prefix = dir.back() == '/' ? dir : dir + "/";
  return path.compare(0, prefix.size(), prefix) == 0;
}

}  // namespace

FolderRoot::FolderRoot(int fd, std::string real_path, std::vector<std::pair<dev_t, ino_t>> refused)
    : fd_(fd), real_path_(std::move(real_path)), refused_(std::move(refused)) {}

FolderRoot::~FolderRoot() {
  if (fd_ >= 0) ::close(fd_);
}

Result<std::unique_ptr<FolderRoot>> FolderRoot::open(const std::string& path,
                                                     const std::vector<std::string>& refused_dirs) {
  std::string real = realPathOf(path);
  if (real.empty()) return Status::notFound("'" + path + "': no such file or directory");
  std::vector<std::pair<dev_t, ino_t>> refused;
  for (const auto& dir : refused_dirs) {
    std::string refused_real = realPathOf(dir);
    if (isSameOrBeneath(real, refused_real)) {
      return Status::permissionDenied("'" + path + "': inside " + kRefusedMessage);
    }
    struct stat st;
    if (!refused_real.empty() && ::stat(refused_real.c_str(), &st) == 0) {
      refused.emplace_back(st.st_dev, st.st_ino);
    }
  }
  int fd = ::open(real.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) {
    int err = errno;
    if (err == ENOTDIR) return Status::notFound("'" + path + "': not a folder");
    return Status::notFound("'" + path + "': cannot open: " + errnoText(err));
  }
  struct stat st;
  if (::fstat(fd, &st) != 0) {
    ::close(fd);
    return Status::notFound("'" + path + "': cannot stat");
  }
  for (const auto& r : refused) {
    if (r.first == st.st_dev && r.second == st.st_ino) {
      ::close(fd);
      return Status::permissionDenied("'" + path + "': " + kRefusedMessage);
    }
  }
  return std::unique_ptr<FolderRoot>(new FolderRoot(fd, std::move(real), std::move(refused)));
}

bool FolderRoot::isRefused(dev_t dev, ino_t ino) const {
  return std::any_of(refused_.begin(), refused_.end(),
                     [&](const auto& r) { return r.first == dev && r.second == ino; });
}

Result<std::pair<int, std::string>> FolderRoot::openParent(const std::string& relative_path) const {
  WARD_ASSIGN_OR_RETURN(std::vector<std::string> parts, splitRelative(relative_path));
  int cur = ::openat(fd_, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (cur < 0) return Status::unavailable("cannot open the ingest root: " + errnoText(errno));
  for (size_t i = 0; i + 1 < parts.size(); ++i) {
    struct stat st;
    if (::fstatat(cur, parts[i].c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0) {
      int err = errno;
      ::close(cur);
      return Status::notFound("'" + relative_path + "': " + errnoText(err));
    }
    if (!S_ISDIR(st.st_mode)) {
      ::close(cur);
      return Status::invalidArgument("'" + relative_path + "': '" + parts[i] +
                                     "' is not a folder (" + notRegularMessage(st.st_mode) + ")");
    }
    int next = ::openat(cur, parts[i].c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    int err = errno;
    ::close(cur);
    if (next < 0) return Status::notFound("'" + relative_path + "': " + errnoText(err));
    if (::fstat(next, &st) != 0 || isRefused(st.st_dev, st.st_ino)) {
      ::close(next);
      return Status::permissionDenied("'" + relative_path + "': " + kRefusedMessage);
    }
    cur = next;
  }
  return std::make_pair(cur, parts.back());
}

void FolderRoot::walk(const std::string& relative_dir, const WalkLimits& limits,
                      WalkOutput& out) const {
  if (out.truncated) return;
  if (relative_dir.empty()) {
    walkDir(fd_, "", 0, limits, out);
    return;
  }
  auto parent = openParent(relative_dir);
  if (!parent.ok()) {
    out.problems.push_back({relative_dir, parent.status().message()});
    return;
  }
  FdCloser close_parent(parent->first);
  size_t depth = static_cast<size_t>(std::count(relative_dir.begin(), relative_dir.end(), '/')) + 1;
  int dir = ::openat(parent->first, parent->second.c_str(),
                     O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (dir < 0) {
    out.problems.push_back({relative_dir, "cannot open folder: " + errnoText(errno)});
    return;
  }
  FdCloser close_dir(dir);
  struct stat st;
  if (::fstat(dir, &st) != 0 || isRefused(st.st_dev, st.st_ino)) {
    out.problems.push_back({relative_dir, kRefusedMessage});
    return;
  }
  if (depth > limits.max_depth) {
    out.problems.push_back({relative_dir, "more than " + std::to_string(limits.max_depth) +
                                              " folder levels below the root: not read"});
    return;
  }
  walkDir(dir, relative_dir + "/", depth, limits, out);
}

void FolderRoot::walkDir(int dir_fd, const std::string& prefix, size_t depth,
                         const WalkLimits& limits, WalkOutput& out) const {
  std::vector<std::string> names;
  {
    int list_fd = ::openat(dir_fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    DIR* dir = list_fd < 0 ? nullptr : ::fdopendir(list_fd);
    if (dir == nullptr) {
      if (list_fd >= 0) ::close(list_fd);
      out.problems.push_back({prefix, "cannot list folder: " + errnoText(errno)});
      return;
    }
    while (struct dirent* e = ::readdir(dir)) {
      if (e->d_name[0] == '.') continue;                           // hidden entries, "." and ".."
      if (out.entries + names.size() > limits.max_entries) break;  // one past: truncation
      names.emplace_back(e->d_name);
    }
    ::closedir(dir);
  }
  std::sort(names.begin(), names.end());
  for (const auto& name : names) {
    if (out.truncated) return;
    if (++out.entries > limits.max_entries) {
      out.truncated = true;
      out.problems.push_back({"", "more than " + std::to_string(limits.max_entries) +
                                      " entries: the walk stopped here; the files found before "
                                      "are ingested"});
      return;
    }
    const std::string rel = prefix + name;
    struct stat st;
    if (::fstatat(dir_fd, name.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0) {
      out.problems.push_back({rel, "cannot stat: " + errnoText(errno)});
      continue;
    }
    if (S_ISREG(st.st_mode)) {
      out.files.push_back(walkedFile(rel, st));
      continue;
    }
    if (!S_ISDIR(st.st_mode)) {
      out.problems.push_back({rel, notRegularMessage(st.st_mode)});
      continue;
    }
    if (isRefused(st.st_dev, st.st_ino)) {
      out.problems.push_back({rel, kRefusedMessage});
      continue;
    }
    if (depth + 1 > limits.max_depth) {
      out.problems.push_back({rel, "more than " + std::to_string(limits.max_depth) +
                                       " folder levels below the root: not read"});
      continue;
    }
    int child = ::openat(dir_fd, name.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (child < 0) {
      out.problems.push_back({rel, "cannot open folder: " + errnoText(errno)});
      continue;
    }
    FdCloser close_child(child);
    struct stat opened;
    if (::fstat(child, &opened) != 0 || opened.st_dev != st.st_dev || opened.st_ino != st.st_ino) {
      out.problems.push_back({rel, "changed while being read: not read"});
      continue;
    }
    walkDir(child, rel + "/", depth + 1, limits, out);
  }
}

Result<WalkedFile> FolderRoot::stat(const std::string& relative_path) const {
  WARD_ASSIGN_OR_RETURN(auto parent, openParent(relative_path));
  FdCloser close_parent(parent.first);
  struct stat st;
  if (::fstatat(parent.first, parent.second.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0) {
    return Status::notFound("'" + relative_path + "': " + errnoText(errno));
  }
  if (!S_ISREG(st.st_mode)) {
    return Status::invalidArgument(notRegularMessage(st.st_mode));
  }
  return walkedFile(relative_path, st);
}

Result<std::string> FolderRoot::read(const std::string& relative_path, uint64_t max_bytes) const {
  WARD_ASSIGN_OR_RETURN(auto parent, openParent(relative_path));
  FdCloser close_parent(parent.first);
  struct stat st;
  if (::fstatat(parent.first, parent.second.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0) {
    return Status::notFound("cannot stat: " + errnoText(errno));
  }
  if (!S_ISREG(st.st_mode)) return Status::invalidArgument(notRegularMessage(st.st_mode));
  int fd = ::openat(parent.first, parent.second.c_str(),
                    O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
  if (fd < 0) {
    int err = errno;
    if (err == ELOOP) return Status::invalidArgument(notRegularMessage(S_IFLNK));
    return Status::unavailable("cannot open: " + errnoText(err));
  }
  FdCloser close_fd(fd);
  if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    return Status::invalidArgument("changed while being read: not read");
  }
  if (static_cast<uint64_t>(st.st_size) > max_bytes) {
    return Status::resourceExhausted("larger than " + std::to_string(max_bytes) + " bytes");
  }
  std::string bytes;
  bytes.resize(static_cast<size_t>(st.st_size));
  size_t done = 0;
  while (done < bytes.size()) {
    ssize_t n = ::pread(fd, bytes.data() + done, bytes.size() - done, static_cast<off_t>(done));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return Status::unavailable("cannot read: " + errnoText(errno));
    if (n == 0) break;  // shrank while being read
    done += static_cast<size_t>(n);
  }
  bytes.resize(done);
  return bytes;
}

}  // namespace ward::ingest
