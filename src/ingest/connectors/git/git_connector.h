// The git connector (docs/design/ingest.md, "Git"): a repository (a local path, a file:// or an
// https:// URL whose host is on the source's allowed_hosts and passes the SSRF address rule)
// fetched into a bare mirror under Ward's data dir, never checked out, with hooks, submodules,
// filters and credential helpers off (git_process.h). A full pass lists the tree at the synced
// commit: one document per supported blob, id "<source>:<path>", version = the blob id, metadata
// {commit, path, blob}, ACL from the source's rules; the diff from the last passed commit gives
// the deletions. A change-feed pass (the runner's cursor is the commit of the last completed run,
// an ancestor of the new one, and no full listing is due) yields only the diff's upserts and
// deletes, without listing the tree. Private to the ingest module.
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

// A full listing runs at least this often (`[sources.options] full_every_s`; 0 = every pass),
// besides `ward sync --full`, a first pass and a force-push: deletions are then also what the
// complete listing no longer holds.
inline constexpr int64_t kDefaultGitFullEverySeconds = 86'400;
inline constexpr int64_t kMaxGitFullEverySeconds = 366 * 86'400;

Result<std::unique_ptr<Connector>> makeGitConnector(const SourceConfig& source,
                                                    const ConnectorEnv& env);

}  // namespace ward::ingest
