// The file-system seam: everything Ward writes durably (today the audit log) goes through a
// FileSystem, so crash and fault tests run on an in-memory, fault-injecting one.
//
// Paths are plain strings ('/'-separated). Every fallible call returns a Status naming the path.
// A FileSystem is safe to use from many threads; a single File object is not (one owner at a
// time), except that reads may run concurrently with each other.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "ward/common/status.h"

namespace ward::io {

// An open file. Writes always go to the end (append mode); reads are positional.
class File {
 public:
  virtual ~File() = default;
  // Appends all of `data` at the end of the file (the OS may keep it in a cache until sync()).
  virtual Status append(std::string_view data) = 0;
  // Reads up to `n` bytes at `offset`; fewer only at the end of the file.
  virtual Result<std::string> readAt(uint64_t offset, size_t n) const = 0;
  // Current size in bytes, including data not yet synced.
  virtual Result<uint64_t> size() const = 0;
  // Makes everything appended so far durable (fdatasync).
  virtual Status sync() = 0;
  // Cuts the file to `size` bytes (not durable until sync()).
  virtual Status truncate(uint64_t size) = 0;
};

// Holds an exclusive advisory lock (flock on POSIX) until destroyed.
class FileLock {
 public:
  virtual ~FileLock() = default;
};

struct OpenOptions {
  bool create = true;      // create the file if it does not exist
  bool exclusive = false;  // with create: fail with AlreadyExists if it exists
  bool read_only = false;  // append() / truncate() then fail
  unsigned mode = 0600;    // permissions of a created file
};

class FileSystem {
 public:
  virtual ~FileSystem() = default;

  // Creates `path` and missing parents (like mkdir -p); an existing directory is fine.
  virtual Status createDirs(const std::string& path) = 0;
  // Names (not paths) of the entries of a directory, sorted; NotFound if it does not exist.
  virtual Result<std::vector<std::string>> list(const std::string& dir) const = 0;
  virtual bool exists(const std::string& path) const = 0;
  // Opens a file for appending and positional reads (or only reads with read_only).
  virtual Result<std::unique_ptr<File>> open(const std::string& path,
                                             const OpenOptions& options) = 0;
  virtual Result<uint64_t> fileSize(const std::string& path) const = 0;
  // Atomically replaces `to` with `from` (durable once the directory is synced).
  virtual Status rename(const std::string& from, const std::string& to) = 0;
  virtual Status remove(const std::string& path) = 0;
  // Makes creations, renames and removals in `dir` durable.
  virtual Status syncDir(const std::string& dir) = 0;
  // Blocks until this process holds the exclusive lock on `path` (created if missing).
  virtual Result<std::unique_ptr<FileLock>> lock(const std::string& path) = 0;
  // Like lock(), but returns a null pointer at once when another holder has the lock.
  virtual Result<std::unique_ptr<FileLock>> tryLock(const std::string& path) = 0;
};

// The real file system (POSIX calls, EINTR retried).
FileSystem& posixFileSystem();

// Whole-file helpers built on the interface.
Result<std::string> readFile(FileSystem& fs, const std::string& path);
// Writes `data` to `path` via a temporary file, sync and rename, then syncs the directory.
Status writeFileAtomic(FileSystem& fs, const std::string& path, std::string_view data,
                       unsigned mode = 0600);
// "a/b/c" -> "a/b"; "c" -> ".".
std::string parentDir(const std::string& path);

}  // namespace ward::io
