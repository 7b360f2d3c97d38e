// Reading a folder tree for ingest without ever leaving it.
//
// A FolderRoot is an open directory handle. Everything beneath it is reached with openat(2) one
// component at a time, with O_NOFOLLOW: a symbolic link anywhere below the root is reported and
// never followed, so a link planted in an ingested folder cannot publish a file from elsewhere
// (Ward's signing key, its config). Directories in `refused_dirs` (Ward's data dir) are compared
// by device and inode, so a bind mount or a second path to them is refused too. Devices, FIFOs
// and sockets are reported and never opened. Only the root path itself is resolved (realpath):
// the operator named it.
//
// Thread-compatible: one owner at a time.
#pragma once

#include <sys/types.h>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "ward/common/status.h"

namespace ward::ingest {

// Folder levels below an ingested root that are walked; deeper folders are reported and skipped.
inline constexpr size_t kMaxWalkDepth = 32;
// Entries (files, folders, links, anything else) visited by one ingest call; past it the walk
// stops with one problem and the files found so far are ingested.
inline constexpr size_t kMaxWalkEntries = 1'000'000;

struct WalkLimits {
  size_t max_depth = kMaxWalkDepth;
  size_t max_entries = kMaxWalkEntries;
};

struct WalkedFile {
  std::string relative_path;  // '/'-separated path beneath the root; no "." or ".." components
  uint64_t size = 0;
  int64_t mtime_us = 0;  // modification time, whole seconds, in microseconds
  // What changes whenever the bytes may have (the sync's version): modification and status
  // change times in nanoseconds, and the inode.
  int64_t mtime_ns = 0;
  int64_t ctime_ns = 0;
  uint64_t inode = 0;
};

struct WalkProblem {
  std::string relative_path;  // beneath the root ("" = the root itself)
  std::string message;        // one line
};

// What walks found so far; one WalkOutput may collect several walks (one per PATH argument), and
// `entries` then counts against one WalkLimits::max_entries for all of them.
struct WalkOutput {
  std::vector<WalkedFile> files;
  std::vector<WalkProblem> problems;
  size_t entries = 0;
  bool truncated = false;  // max_entries was reached: nothing more is collected
};

class FolderRoot {
 public:
  ~FolderRoot();
  FolderRoot(const FolderRoot&) = delete;
  FolderRoot& operator=(const FolderRoot&) = delete;

  // Opens the directory `path` as a root. NotFound if it does not exist or is not a directory;
  // PermissionDenied if it is one of `refused_dirs` or inside one.
  static Result<std::unique_ptr<FolderRoot>> open(const std::string& path,
                                                  const std::vector<std::string>& refused_dirs);

  // The root's resolved absolute path (for messages to the operator, never for document ids).
  const std::string& realPath() const { return real_path_; }

  // Collects the regular files beneath `relative_dir` ("" = the root) into `out.files` in sorted
  // order, skipping hidden entries (names starting with '.'); links, devices, FIFOs, sockets,
  // refused and too-deep folders go to `out.problems`.
  void walk(const std::string& relative_dir, const WalkLimits& limits, WalkOutput& out) const;

  // Stats one regular file beneath the root without following links. InvalidArgument names what
  // it is when it is not a regular file (a link, a device...); NotFound when it does not exist.
  Result<WalkedFile> stat(const std::string& relative_path) const;

  // Reads one regular file beneath the root without following links; ResourceExhausted when it
  // holds more than `max_bytes`.
  Result<std::string> read(const std::string& relative_path, uint64_t max_bytes) const;

 private:
  FolderRoot(int fd, std::string real_path, std::vector<std::pair<dev_t, ino_t>> refused);
  // An fd for the directory holding `relative_path`'s last component (caller closes it), and
  // that component; each directory on the way opened with O_NOFOLLOW and checked against refused_.
  Result<std::pair<int, std::string>> openParent(const std::string& relative_path) const;
  bool isRefused(dev_t dev, ino_t ino) const;
  void walkDir(int dir_fd, const std::string& prefix, size_t depth, const WalkLimits& limits,
               WalkOutput& out) const;

  int fd_ = -1;  // owned, O_DIRECTORY
  std::string real_path_;
  std::vector<std::pair<dev_t, ino_t>> refused_;
};

}  // namespace ward::ingest
