// The blobs a git pass reads, streamed (docs/design/ingest.md, "Git"): one `git cat-file --batch
// --buffer` child is given the pass's whole list of blob ids up front, and a reader thread takes
// its answers into a bounded queue while the pass emits the documents before them, so git
// inflates the next blobs while Ward parses, chunks and indexes the last ones (two processes on
// two cores rather than one waiting for the other). Private to the ingest module.
//
// Thread-safety: next() is called by one thread (the pass's); the reader thread is the stream's
// own. The destructor ends the child and the thread, whatever is left unread.
#pragma once

#include <cstdint>
#include <deque>
#include <string>
#include <thread>
#include <vector>

#include "git_cat_file.h"
#include "ward/common/mutex.h"
#include "ward/common/status.h"

namespace ward::ingest {

// Bytes of blobs queued (read from git, not yet taken by the pass) at most: the reader waits
// rather than pass it, besides what its current read holds (at most 1 MiB and the blob it is in);
// a blob larger than this is still queued, alone.
inline constexpr uint64_t kMaxStreamedBlobBytes = 16 << 20;

class GitBlobStream {
 public:
  // Blobs of `oids`, in that order (an id may repeat); each larger than `max_bytes` is skipped.
  GitBlobStream(std::string git_dir, std::vector<std::string> oids, uint64_t max_bytes);
  ~GitBlobStream();
  GitBlobStream(const GitBlobStream&) = delete;
  GitBlobStream& operator=(const GitBlobStream&) = delete;

  // Starts the child and the reader (a bad id is InvalidArgument, before git runs).
  Status start();
  // The next blob of the list, waiting for the reader if need be. An error means the stream
  // failed (git ended early, a malformed answer, no progress in kGitWallSeconds) or every blob
  // was taken; it repeats on later calls.
  Result<StreamedBlob> next();

 private:
  void read();  // the reader thread
  // Reads the child's answers until every one is queued or the stream fails; its failure.
  Status pump();
  // Queues the answers parsed from one read (`bytes` of blobs), waiting while the queue is full;
  // false when the stream is stopping. A full queue is taken from down to half its bound before
  // the reader goes on (fewer wake-ups of either thread).
  bool push(std::vector<StreamedBlob>& blobs, uint64_t bytes);

  const std::string git_dir_;
  const std::vector<std::string> oids_;
  const uint64_t max_bytes_;
  CatFileChild child_;
  std::thread reader_;

  Mutex mu_;
  CondVar changed_;  // a blob was queued or taken, the stream ended, or it is stopping
  std::deque<StreamedBlob> queue_ WARD_GUARDED_BY(mu_);
  uint64_t queued_bytes_ WARD_GUARDED_BY(mu_) = 0;
  Status ended_ WARD_GUARDED_BY(mu_);  // the reader's outcome, once `done_`
  bool done_ WARD_GUARDED_BY(mu_) = false;
  bool stopping_ WARD_GUARDED_BY(mu_) = false;
  bool reader_waiting_ WARD_GUARDED_BY(mu_) = false;  // for room in the queue
  bool taker_waiting_ WARD_GUARDED_BY(mu_) = false;   // for a blob
  size_t taken_ = 0;  // blobs next() returned (the pass's thread only)
};

}  // namespace ward::ingest
