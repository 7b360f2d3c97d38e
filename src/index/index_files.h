// The persisted index under <data>/index/ (docs/formats/index-segments.md): the writer lock,
// the manifest, one file per frozen segment and one state file per checkpoint.
//
// Only the process holding index/LOCK writes; every other one only reads. Not thread-safe: the
// index calls it from its catch-up path (one at a time).
#pragma once

#include <memory>
#include <string>

#include "index_state.h"
#include "segment_set.h"
#include "ward/common/status.h"
#include "ward/io/file_system.h"
#include "ward/store/store.h"

namespace ward::index {

class IndexFiles {
 public:
  IndexFiles(io::FileSystem& fs, std::string dir) : fs_(fs), dir_(std::move(dir)) {}

  // Takes the writer lock unless another process holds it; returns whether this is the writer.
  Result<bool> tryBecomeWriter();
  bool writer() const { return lock_ != nullptr; }

  // Loads the manifest's files into `state` (empty) and `segments`. NotFound: there is no
  // manifest. Any other error (damage, version, another store, files gone) says why, and leaves
  // `state` and `segments` to be reset by the caller.
  Status load(store::Store& store, IndexState* state, SegmentSet* segments);

  // Writes a checkpoint of `state` and `segments` (writer only): new segment files, a state
  // file, then the manifest, then removes files the manifest no longer names.
  Status save(store::Store& store, const IndexState& state, SegmentSet& segments);

  const std::string& dir() const { return dir_; }

 private:
  Status loadOnce(store::Store& store, IndexState* state, SegmentSet* segments);
  Result<std::string> readChecked(const std::string& name, uint64_t bytes, uint32_t crc,
                                  const char* magic);
  Result<FrozenSegment::FileInfo> writeFile(uint64_t number, const char* kind, const char* magic,
                                            const std::string& payload);
  Status removeUnnamed(const std::vector<std::string>& keep);
  std::string path(const std::string& name) const { return dir_ + "/" + name; }

  io::FileSystem& fs_;
  std::string dir_;
  std::unique_ptr<io::FileLock> lock_;
  uint64_t next_file_ = 1;
};

}  // namespace ward::index
