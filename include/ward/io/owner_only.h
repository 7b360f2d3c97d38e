// Keeping a data directory private to the user that runs Ward (docs/formats/data-dir.md,
// "Permissions"): ward.db, its WAL, the audit log, the index and the keys hold tenant data.
#pragma once

#include <string>
#include <vector>

#include "ward/common/status.h"

namespace ward::io {

inline constexpr unsigned kOwnerOnlyDirMode = 0700;
inline constexpr unsigned kOwnerOnlyFileMode = 0600;
// The umask that makes every file and directory created afterwards owner-only.
inline constexpr unsigned kOwnerOnlyUmask = 077;

// Sets the process umask to kOwnerOnlyUmask (so SQLite's database, -wal and -shm files, and
// everything else this process creates, are owner-only), then makes `dir` kOwnerOnlyDirMode and
// each of `entries` (names in `dir`) owner-only: a directory and every directory beneath it
// kOwnerOnlyDirMode, every regular file kOwnerOnlyFileMode. Only the named entries are touched,
// so a data dir that shares a folder with other files never changes those. Symbolic links are
// neither followed nor changed; missing entries (or a missing `dir`) are fine; nothing is
// created. An entry that cannot be changed (owned by someone else) is an error naming it. Not
// thread-safe: the umask is process-wide; call it before other threads create files.
Status restrictToOwner(const std::string& dir, const std::vector<std::string>& entries);

}  // namespace ward::io
