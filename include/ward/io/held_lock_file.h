// A lock file opened once and locked many times: the audit log's group-commit leader takes the
// cross-process lock for every group without opening and closing the file each time
// (docs/design/audit.md "The audit log").
//
// On the real file system (posixFileSystem()) the file stays open and each lock() is one
// flock(LOCK_EX) on it; a lock file that was unlinked meanwhile is opened again by path, so
// another process that creates it anew still excludes this one. On any other FileSystem, lock()
// is that file system's lock(path).
//
// lock() excludes other processes and other HeldLockFile objects on the same path, and, within
// this object, other threads: a second lock() waits until the first holder is released (flock
// alone would not exclude two holders of the same open file). Thread-safe.
#pragma once

#include <memory>
#include <mutex>
#include <string>

#include "ward/io/file_system.h"

namespace ward::io {

class HeldLockFile {
 public:
  // Opens (creates) `path` on `fs`; Status naming the path on failure.
  static Result<std::unique_ptr<HeldLockFile>> open(FileSystem& fs, const std::string& path);
  ~HeldLockFile();
  HeldLockFile(const HeldLockFile&) = delete;
  HeldLockFile& operator=(const HeldLockFile&) = delete;

  // Blocks until this process holds the exclusive lock; released when the result is destroyed,
  // which must happen before this object is destroyed.
  Result<std::unique_ptr<FileLock>> lock();

 private:
  HeldLockFile(FileSystem& fs, std::string path, int fd);
  class Held;

  FileSystem& fs_;
  const std::string path_;
  std::mutex mu_;  // held by the current holder (a Held), so one lock() at a time
  int fd_ = -1;    // the open lock file on the real file system; -1 otherwise. Guarded by mu_.
};

}  // namespace ward::io
