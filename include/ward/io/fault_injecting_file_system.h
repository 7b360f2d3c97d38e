// A FileSystem wrapper for crash and fault tests (after leveldb's fault_injection_test).
//
// It forwards to a base FileSystem (usually a MemFileSystem) and remembers, per file, how many
// bytes were made durable by sync(). crash() then loses what a power cut may lose: data appended
// after the last sync, and files whose creation was never made durable by syncDir(). It can also
// fail the Nth mutating operation, and tear an append after a chosen number of bytes.
//
// Thread-safe. Files opened before a crash() fail every call afterwards, as a dead process would.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>

#include "ward/common/mutex.h"
#include "ward/io/file_system.h"

namespace ward::io {

enum class CrashMode {
  kDropUnsynced,  // unsynced appends vanish (the usual outcome)
  kKeepUnsynced,  // unsynced appends survive (what a torn write leaves behind)
};

class FaultInjectingFileSystem final : public FileSystem {
 public:
  // `base` must outlive this object.
  explicit FaultInjectingFileSystem(FileSystem& base);

  // After `ops` more successful append/sync/truncate calls, every further one fails with
  // Unavailable until clearFaults().
  void failAfter(int64_t ops);
  // The next append writes only its first `keep_bytes` bytes, then fails with Unavailable.
  void tearNextAppend(size_t keep_bytes);
  void clearFaults();
  // Every sync() takes at least this long (a slow disk), so concurrent writers pile up.
  void setSyncDelay(std::chrono::microseconds delay);
  std::chrono::microseconds syncDelay() const;
  // Simulates a power cut (see CrashMode); existing File handles become unusable.
  Status crash(CrashMode mode = CrashMode::kDropUnsynced);
  // Mutating operations seen so far (append, sync, truncate).
  int64_t mutatingOps() const;

  Status createDirs(const std::string& path) override;
  Result<std::vector<std::string>> list(const std::string& dir) const override;
  bool exists(const std::string& path) const override;
  Result<std::unique_ptr<File>> open(const std::string& path, const OpenOptions& options) override;
  Result<uint64_t> fileSize(const std::string& path) const override;
  Status rename(const std::string& from, const std::string& to) override;
  Status remove(const std::string& path) override;
  Status syncDir(const std::string& dir) override;
  Result<std::unique_ptr<FileLock>> lock(const std::string& path) override;
  Result<std::unique_ptr<FileLock>> tryLock(const std::string& path) override;

  // Used by the file handles.
  Status beforeMutation();
  std::optional<size_t> takeTear();
  void recordSync(const std::string& path, uint64_t size);
  uint64_t generation() const;

 private:
  struct Tracked {
    uint64_t synced = 0;
    bool created_unsynced = false;  // created since its directory was last synced
  };

  FileSystem& base_;
  mutable Mutex mu_;
  std::map<std::string, Tracked> tracked_ WARD_GUARDED_BY(mu_);
  int64_t ops_ WARD_GUARDED_BY(mu_) = 0;
  int64_t fail_after_ WARD_GUARDED_BY(mu_) = -1;  // -1: never
  std::optional<size_t> tear_ WARD_GUARDED_BY(mu_);
  uint64_t generation_ WARD_GUARDED_BY(mu_) = 0;  // bumped by crash()
  std::chrono::microseconds sync_delay_ WARD_GUARDED_BY(mu_){0};
};

}  // namespace ward::io
