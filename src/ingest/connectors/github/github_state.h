// What the github connector keeps between passes, in a file of the connector's state folder
// (`<data>/sync/github/<source>.json`): per repository the issue listing seen (number ->
// updated_at, for the incremental `since` listing and its cursor), the files read as text (path
// -> blob sha, so a changed blob is read ahead and probed) and the blobs refused as binary; and
// the ETags of the last pass's conditional requests with their bodies. Never a token: requests
// carry it in a header only, and the cached URLs and bodies are GitHub's replies. A missing or
// unreadable file is an empty state (the next pass is a complete listing). Private to the
// ingest module.
#pragma once

#include <cstdint>
#include <map>
#include <set>
#include <string>

#include "ward/common/status.h"

namespace ward::ingest {

// A reply body larger than this is not kept for a conditional request.
inline constexpr size_t kGithubMaxCachedReplyBytes = 8u << 20;

struct GithubIssueEntry {
  std::string version;  // updated_at as GitHub wrote it
  int64_t updated_at = 0;
};

struct GithubRepoState {
  bool listed = false;            // the issues were listed completely once
  int64_t cursor_us = 0;          // the newest updated_at seen
  int64_t passes_since_full = 0;  // incremental listings since the last complete one
  std::map<int64_t, GithubIssueEntry> issues;
  std::map<std::string, std::string> files;  // path -> blob sha read as text
  std::set<std::string> binary;              // blob shas refused as binary
};

struct GithubCachedReply {
  std::string etag;
  std::string body;
  std::string next;  // the reply's rel="next" link
};

struct GithubState {
  std::map<std::string, GithubRepoState> repos;      // by "owner/name"
  std::map<std::string, GithubCachedReply> replies;  // by request target
};

// The state in `path`; an empty one when the file is missing or not a state file.
GithubState loadGithubState(const std::string& path);
// Writes `state` to `path` durably (saveConnectorState: temporary file, fsync, rename).
Status saveGithubState(const std::string& path, const GithubState& state);

}  // namespace ward::ingest
