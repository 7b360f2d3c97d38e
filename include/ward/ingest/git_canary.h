// What `ward sync canary` writes to a git source (docs/design/ingest.md, "Canaries"): commits to
// the synced branch of a local **bare** repository (the source's root), made with plumbing
// (hash-object, a temporary index, write-tree, commit-tree, update-ref) so that no work tree,
// index or hook is touched; the ref moves only if it still points where the canary read it.
// A remote root (http(s)) or a non-bare repository is refused (InvalidArgument): Ward writes
// only to a repository it may write to in tests. The canary's commits stay in the history.
#pragma once

#include <optional>
#include <string>

#include "ward/common/status.h"
#include "ward/ingest/source_config.h"

namespace ward::ingest {

// InvalidArgument unless the source is a git source whose root is a local bare repository and
// whose ref (or HEAD) is a branch.
Status checkGitCanaryRoot(const SourceConfig& source);

// Commits `text` as the top-level file `name` (nullopt: removes it) on the source's branch.
Status commitGitCanary(const SourceConfig& source, const std::string& name,
                       const std::optional<std::string>& text);

}  // namespace ward::ingest
