// Parsing git plumbing output for the git connector (docs/design/ingest.md, "Git"): `git ls-tree
// -r -z --long` (the tree at a commit) and `git diff-tree -r -z --raw` (what changed between two
// commits). Pure functions over the bytes git printed; a record that does not parse
// is an error naming it (the pass then stops: a listing that may be wrong deletes nothing).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "ward/common/status.h"

namespace ward::ingest {

// The object id of git's empty tree (SHA-1): the base of an initial sync's diff.
inline constexpr const char* kGitEmptyTree = "4b825dc642cb6eb9a060e54bf8d69288fbee4904";

enum class GitEntryKind {
  kBlob,       // a file (mode 100644 or 100755)
  kSymlink,    // mode 120000: never followed, never a document
  kSubmodule,  // mode 160000 (a gitlink): never fetched, never a document
};

struct GitTreeEntry {
  GitEntryKind kind = GitEntryKind::kBlob;
  std::string mode;   // "100644"
  std::string oid;    // the blob id (hex)
  uint64_t size = 0;  // bytes (0 for submodules)
  std::string path;   // relative to the repository's root, '/'-separated
};

// `git ls-tree -r -z --long <commit>`: "<mode> SP <type> SP <oid> SP* <size> TAB <path> NUL".
Result<std::vector<GitTreeEntry>> parseLsTree(std::string_view out);

enum class GitChange {
  kAdded,     // A
  kModified,  // M or T (type change)
  kDeleted,   // D
};

struct GitDiffEntry {
  GitChange change = GitChange::kModified;
  std::string path;
  std::string old_oid;
  std::string new_oid;
  std::string new_mode;
};

// `git diff-tree -r -z --raw <old> <new>`: ":<old mode> <new mode> <old oid> <new oid> <status>
// NUL <path> NUL", and for a rename or copy (R/C with a score) "NUL <old path> NUL <new path>
// NUL". A rename becomes a delete of the old path and an add of the new one; a copy an add.
Result<std::vector<GitDiffEntry>> parseDiffTree(std::string_view out);

// Components of a '/'-separated path ("a/b/c.md" is 3 deep).
size_t gitPathDepth(std::string_view path);

}  // namespace ward::ingest
