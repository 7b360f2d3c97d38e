// The git connector's bare mirror brought up to the source's ref (docs/design/ingest.md, "Git"):
// created without a template, a local root's objects borrowed (objects/info/alternates), then the
// ref's commit set as refs/ward/head. For a local root whose objects are borrowed the commit is
// read from the root's own refs (one `rev-parse`), with no fetch: nothing would be transferred or
// checked, and the fetch's upload-pack and connectivity walk cost more than the rest of the
// set-up. A remote (or a local root whose object directory is not found, or a ref that is not a
// plain ref name) is fetched. Every command runs hardened (git_process.h). Private to the ingest
// module.
#pragma once

#include <string>
#include <string_view>

#include "git_remote.h"
#include "ward/common/status.h"

namespace ward::ingest {

// The ref the fetched commit is kept under in the mirror.
inline constexpr const char* kGitMirrorRef = "refs/ward/head";

struct GitMirrorUpdate {
  std::string mirror;       // the bare mirror's directory (created if absent)
  std::string source_name;  // for messages
  std::string ref;          // the source's ref ("" = the root's HEAD)
  const GitRemote* remote = nullptr;
};

// Creates or updates the mirror; the commit that refs/ward/head now names (hex). An error names
// the source (a ref not found, a remote that cannot be reached).
Result<std::string> updateGitMirror(const GitMirrorUpdate& update);

// Whether `ref` is a ref name by git's rules (`git check-ref-format --allow-onelevel`), and not a
// full object id: a name `rev-parse` resolves exactly as `fetch` matches it against the root's
// refs (the same order: as given, refs/, refs/tags/, refs/heads/, refs/remotes/).
bool isPlainGitRefName(std::string_view ref);

}  // namespace ward::ingest
