// The git connector (docs/design/ingest.md, "Git"): a repository (a local path, a file:// or an
// https:// URL whose host is on the source's allowed_hosts and passes the SSRF address rule)
// fetched into a bare mirror under Ward's data dir, never checked out, with hooks, submodules,
// filters and credential helpers off (git_process.h). A pass lists the tree at the synced commit:
// one document per supported blob, id "<source>:<path>", version = the blob id, metadata
// {commit, path, blob}, ACL from the source's rules; the diff from the last passed commit gives
// the deletions. Private to the ingest module.
#pragma once

#include <memory>

#include "ward/ingest/connector.h"

namespace ward::ingest {

// Files listed per pass past which the listing stops (not exhausted); `max_entries` overrides.
inline constexpr size_t kMaxGitFiles = 1'000'000;
// Path components at most (deeper files are refused); `max_depth` overrides.
inline constexpr size_t kMaxGitPathDepth = 32;
// Bytes of `git ls-tree` / `git diff-tree` output read at most (a listing past it fails).
inline constexpr size_t kMaxGitListingBytes = 256 << 20;
// A blob with a NUL byte in its first so many bytes is binary (git's own rule): refused.
inline constexpr size_t kGitBinaryProbeBytes = 8000;

Result<std::unique_ptr<Connector>> makeGitConnector(const SourceConfig& source,
                                                    const ConnectorEnv& env);

}  // namespace ward::ingest
