// The `git cat-file --batch` protocol of the git connector, in one place (docs/design/ingest.md,
// "Git"): the child started with its socket and pipe, its answers parsed from whatever pieces the
// pipe gives, and the one-blob-at-a-time reader built on both. The streamed reader of a whole pass
// (git_blob_stream.h) uses the same child and parser. Private to the ingest module.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <string>
#include <vector>

#include "ward/common/status.h"

namespace ward::ingest {

// A header line ("<oid> blob <size>") longer than this is a malformed answer.
inline constexpr size_t kMaxCatFileHeaderBytes = 1024;

// One answer: the blob's bytes, or its own refusal in `status` (NotFound: missing or not a blob;
// ResourceExhausted: larger than the parser's max_bytes, its bytes skipped, not kept).
struct StreamedBlob {
  Status status;
  std::string bytes;
};

// A running `git cat-file --batch` child. Owned by its reader, ended with endCatFile.
struct CatFileChild {
  pid_t pid = -1;
  int in = -1;   // our end of the child's stdin (a socket: writes never raise SIGPIPE)
  int out = -1;  // the child's stdout
};

// Starts `git cat-file --batch` (hardened, git_process.h) in `git_dir`; with `buffered`, git
// flushes its output only when its buffer fills or its input ends (--buffer). `pipe_bytes` > 0
// widens the stdout pipe to that (a refusal keeps the default).
Result<CatFileChild> startCatFile(const std::string& git_dir, bool buffered, int pipe_bytes);
// Kills the child (whatever it was doing), closes our ends and reaps it; `child` is then empty.
// Nothing to do for an empty one.
void endCatFile(CatFileChild& child);

// Parses cat-file's answers ("<oid> blob <size>\n<bytes>\n", "<oid> missing\n", another type's
// header and bytes) from successive pieces of its output. Not thread-safe.
class CatFileParser {
 public:
  // Blobs larger than `max_bytes` are skipped (ResourceExhausted).
  explicit CatFileParser(uint64_t max_bytes) : max_bytes_(max_bytes) {}

  // Parses `data[0, size)` as far as it goes, appending each complete answer to `out` in order;
  // the bytes used. What is left unused is the start of a header: give it again with what
  // follows. An error (a malformed answer, a header longer than kMaxCatFileHeaderBytes) ends
  // the stream.
  Result<size_t> parse(const char* data, size_t size, std::vector<StreamedBlob>& out);
  // Whether an answer is part-way parsed (its body, or the newline after it, still to come).
  bool midAnswer() const { return expect_ != Expect::kHeader; }

 private:
  enum class Expect { kHeader, kBody, kSkip, kNewline };
  // Starts the answer of a header line (without its newline); a missing object's answer is
  // complete at once.
  Status header(const char* line, size_t size, std::vector<StreamedBlob>& out);

  const uint64_t max_bytes_;
  Expect expect_ = Expect::kHeader;
  StreamedBlob blob_;  // the answer being parsed
  uint64_t left_ = 0;  // bytes of its body (kept or skipped) still to come
};

// One `git cat-file --batch` child for a pass's occasional reads: one request at a time (no
// process per file, no filter or textconv). Not thread-safe; the child is ended by the
// destructor, and restarted after an error.
class GitBlobReader {
 public:
  explicit GitBlobReader(std::string git_dir) : git_dir_(std::move(git_dir)) {}
  ~GitBlobReader() { endCatFile(child_); }
  GitBlobReader(const GitBlobReader&) = delete;
  GitBlobReader& operator=(const GitBlobReader&) = delete;

  // The blob's bytes; NotFound (missing, not a blob); ResourceExhausted (the bytes skipped) when
  // larger than `max_bytes`; Unavailable when the child could not be talked to.
  Result<std::string> read(const std::string& oid, uint64_t max_bytes);

 private:
  Result<std::string> exchange(const std::string& oid, uint64_t max_bytes);

  std::string git_dir_;
  CatFileChild child_;
};

}  // namespace ward::ingest
