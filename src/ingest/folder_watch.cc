// inotify watches on a folder source (folder_watch.h).
#include "ward/ingest/folder_watch.h"

#include <dirent.h>
#include <fcntl.h>
#include <limits.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <vector>

#include "ward/common/log.h"

namespace ward::ingest {

namespace {

constexpr uint32_t kMask = IN_CREATE | IN_CLOSE_WRITE | IN_MOVED_FROM | IN_MOVED_TO | IN_DELETE |
                           IN_ATTRIB | IN_DELETE_SELF | IN_MOVE_SELF | IN_ONLYDIR | IN_DONT_FOLLOW |
                           IN_EXCL_UNLINK;

std::string join(const std::string& a, const std::string& b) { return a.empty() ? b : a + "/" + b; }

}  // namespace

FolderWatch::~FolderWatch() {
  if (fd_ >= 0) ::close(fd_);
}

Result<std::unique_ptr<FolderWatch>> FolderWatch::open(const std::string& root, size_t max_depth) {
  int fd = ::inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
  if (fd < 0) return Status::unavailable(std::string("inotify: ") + std::strerror(errno));
  std::unique_ptr<FolderWatch> w(new FolderWatch(fd, root, max_depth));
  w->addTree("", 0);
  if (w->paths_.empty()) return Status::notFound("cannot watch " + root);
  return w;
}

void FolderWatch::addTree(const std::string& relative, size_t depth) {
  if (paths_.size() >= kMaxWatchedFolders) {
    if (!warned_) {
      logWarn("sync: " + root_ + " has more than " + std::to_string(kMaxWatchedFolders) +
              " folders; the rest are not watched");
      warned_ = true;
    }
    return;
  }
  const std::string path = relative.empty() ? root_ : root_ + "/" + relative;
  int wd = ::inotify_add_watch(fd_, path.c_str(), kMask);
  if (wd < 0) return;  // gone, a link, not a folder: nothing to watch
  paths_[wd] = {relative, depth};
  if (depth >= max_depth_) return;
  int dfd = ::open(path.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (dfd < 0) return;
  DIR* dir = ::fdopendir(dfd);
  if (dir == nullptr) {
    ::close(dfd);
    return;
  }
  std::vector<std::string> subdirs;
  while (struct dirent* e = ::readdir(dir)) {
    if (e->d_name[0] == '.') continue;  // ".", ".." and hidden entries, as the walk skips them
    struct stat st;
    if (::fstatat(::dirfd(dir), e->d_name, &st, AT_SYMLINK_NOFOLLOW) != 0) continue;
    if (S_ISDIR(st.st_mode)) subdirs.push_back(e->d_name);
  }
  ::closedir(dir);
  for (const auto& s : subdirs) addTree(join(relative, s), depth + 1);
}

bool FolderWatch::drain() {
  alignas(struct inotify_event) char buf[16 * (sizeof(struct inotify_event) + NAME_MAX + 1)];
  bool changed = false;
  for (;;) {
    ssize_t n = ::read(fd_, buf, sizeof(buf));
    if (n <= 0) break;  // EAGAIN: nothing more pending
    for (char* p = buf; p < buf + n;) {
      auto* ev = reinterpret_cast<struct inotify_event*>(p);
      p += sizeof(struct inotify_event) + ev->len;
      if (ev->mask & IN_Q_OVERFLOW) {
        changed = true;
        continue;
      }
      if (ev->mask & IN_IGNORED) {
        paths_.erase(ev->wd);
        continue;
      }
      auto it = paths_.find(ev->wd);
      if (it == paths_.end()) continue;
      const std::string name = ev->len > 0 ? std::string(ev->name) : std::string();
      if (!name.empty() && name[0] == '.') continue;  // hidden: never listed
      changed = true;
      if ((ev->mask & IN_ISDIR) && (ev->mask & (IN_CREATE | IN_MOVED_TO)) &&
          it->second.second < max_depth_) {
        auto [relative, depth] = it->second;
        addTree(join(relative, name), depth + 1);
      }
    }
  }
  return changed;
}

}  // namespace ward::ingest
