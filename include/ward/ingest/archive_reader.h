// Reading zip and tar.gz archives in memory for the archive connector (docs/design/ingest.md,
// "Archives"): entries are inflated through libarchive into memory, never extracted to disk, and
// every cap is counted while the bytes stream. Entry names are checked (zip slip): an absolute
// name, a ".." component, a control character or a name seen before is refused, and the rest of
// the archive goes on. Nested archives (an entry named *.zip, *.tar.gz, *.tgz) are read in turn,
// up to a nesting depth.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

#include "ward/common/status.h"

namespace ward::ingest {

// Entries read at most per archive, nested ones included (past it the listing stops).
inline constexpr size_t kMaxArchiveEntries = 10'000;
// Inflated bytes of all entries at most (past it the rest of the archive is not read).
inline constexpr uint64_t kMaxArchiveTotalBytes = 1 << 30;
// Inflated bytes of one entry at most (a larger entry is refused; the source's max_file_bytes
// when smaller).
inline constexpr uint64_t kMaxArchiveEntryBytes = 64 << 20;
// Inflated bytes per byte of the archive at most, once past kArchiveRatioFloorBytes (a zip bomb).
inline constexpr uint64_t kMaxArchiveRatio = 100;
inline constexpr uint64_t kArchiveRatioFloorBytes = 1 << 20;
// Archives inside archives: the outer archive is depth 1.
inline constexpr size_t kMaxArchiveDepth = 2;

struct ArchiveLimits {
  size_t max_entries = kMaxArchiveEntries;
  uint64_t max_total_bytes = kMaxArchiveTotalBytes;
  uint64_t max_entry_bytes = kMaxArchiveEntryBytes;
  uint64_t max_ratio = kMaxArchiveRatio;
  size_t max_depth = kMaxArchiveDepth;
};

struct ArchiveEntry {
  std::string name;  // nested entries: "<inner archive>!/<name>"
  std::string bytes;
};

struct ArchiveOutcome {
  size_t entries = 0;     // regular files delivered
  uint64_t inflated = 0;  // bytes inflated, refused entries included
  bool exhausted = true;  // false: a cap stopped the reading before the end
};

using ArchiveEntryFn = std::function<Status(ArchiveEntry&&)>;
// An entry (or the archive, name "") refused, and why (one line).
using ArchiveRefusalFn = std::function<Status(const std::string& name, const std::string& why)>;

// Reads `archive` (the bytes of a zip or a tar.gz). An error from a callback stops the reading
// and is returned; an archive that is not a zip or tar.gz is InvalidArgument.
Result<ArchiveOutcome> readArchive(std::string_view archive, const ArchiveLimits& limits,
                                   const ArchiveEntryFn& on_entry,
                                   const ArchiveRefusalFn& on_refused);

// Whether an entry name is acceptable: "" when it is, else why not ("an absolute path", ...).
std::string archiveNameProblem(std::string_view name);

// Whether a file name names an archive the reader nests into (.zip, .tar.gz, .tgz).
bool isArchiveName(std::string_view name);

}  // namespace ward::ingest
