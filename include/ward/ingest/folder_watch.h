// Watching a folder source with inotify (docs/design/ingest.md, "Watching folders"): one watch per
// folder beneath the root (not following links, skipping hidden folders, at most max_depth levels
// and kMaxWatchedFolders folders), added for folders created or moved in while watching. It only
// says that something changed: the sync run that follows lists the folder and finds what.
//
// Thread-compatible: one owner at a time.
#pragma once

#include <cstddef>
#include <map>
#include <memory>
#include <string>

#include "ward/common/status.h"

namespace ward::ingest {

// Folders watched per source; past it the rest is not watched (a warning is logged) and only the
// source's schedule finds their changes.
inline constexpr size_t kMaxWatchedFolders = 8192;

class FolderWatch {
 public:
  ~FolderWatch();
  FolderWatch(const FolderWatch&) = delete;
  FolderWatch& operator=(const FolderWatch&) = delete;

  // Watches `root` and the folders beneath it up to `max_depth` levels.
  static Result<std::unique_ptr<FolderWatch>> open(const std::string& root, size_t max_depth);

  // The inotify descriptor, readable when events are pending (for poll).
  int fd() const { return fd_; }
  // Reads the pending events without blocking and watches new folders; true when any event may
  // have changed the listing (a file created, written, moved, deleted or its attributes changed,
  // or the kernel's queue overflowed).
  bool drain();
  size_t watched() const { return paths_.size(); }

 private:
  FolderWatch(int fd, std::string root, size_t max_depth)
      : fd_(fd), root_(std::move(root)), max_depth_(max_depth) {}
  // Watches `relative` ("" = the root) and the folders beneath it.
  void addTree(const std::string& relative, size_t depth);

  int fd_ = -1;
  std::string root_;
  size_t max_depth_;
  std::map<int, std::pair<std::string, size_t>> paths_;  // watch -> (relative folder, depth)
  bool warned_ = false;
};

}  // namespace ward::ingest
