// The `[sources.options]` of a `github` source (docs/design/ingest.md, "GitHub"), checked
// strictly when the connector opens: an unknown key or a wrong type is InvalidArgument naming it.
// Private to the ingest module.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "ward/common/json.h"
#include "ward/common/status.h"

namespace ward::ingest {

inline constexpr const char* kGithubDefaultBaseUrl = "https://api.github.com";
inline constexpr const char* kGithubApiVersion = "2022-11-28";
inline constexpr size_t kGithubMaxRepos = 100;
// Issues and pull requests listed per repository (`max_issues`); past it the listing stops (not
// exhausted: nothing deleted).
inline constexpr size_t kGithubDefaultMaxIssues = 100'000;
// Files listed per repository (`max_files`); past it, as above.
inline constexpr size_t kGithubDefaultMaxFiles = 100'000;
// An incremental issue listing asks for `since` = the newest updated_at seen minus this
// (`since_overlap_s`): clocks and GitHub's own indexing lag are covered, and the overlap is
// deduplicated by version (updated_at).
inline constexpr int64_t kGithubDefaultSinceOverlapS = 300;
// Every so many passes the issue listing is complete (no `since`), which is how a deleted or
// transferred issue is found (`full_listing_every`; 1 = every pass).
inline constexpr int64_t kGithubDefaultFullListingEvery = 12;
// Comments read per issue (100 a page); the rest are left out of the document.
inline constexpr size_t kGithubMaxCommentsPerIssue = 1'000;
// Comments kept from one repository-wide comments listing (`/issues/comments`, which saves a
// request per issue); past it, issues read their own comments.
inline constexpr size_t kGithubMaxBulkComments = 50'000;
// Pages followed in one listing (a loop of `next` links stops here, not exhausted).
inline constexpr size_t kGithubMaxPages = 10'000;

struct GithubOptions {
  std::vector<std::string> repos;  // "owner/name"
  bool files = true;
  bool issues = true;  // issues and pull requests, with their comments
  // A public repository's documents are public only with this; else `public_group`'s, else
  // admins' only (fail closed).
  bool public_repos_public = false;
  std::string public_group;
  std::string branch;  // "" = the repository's default branch
  size_t max_issues = kGithubDefaultMaxIssues;
  size_t max_files = kGithubDefaultMaxFiles;
  int64_t since_overlap_s = kGithubDefaultSinceOverlapS;
  int64_t full_listing_every = kGithubDefaultFullListingEvery;
  // A GitHub App instead of token_secret (all three or none; github_app.h): the App's id, the
  // installation's id and the name of the tenant secret holding the App's private key (PEM).
  int64_t app_id = 0;
  int64_t installation_id = 0;
  std::string app_key_secret;
};

Result<GithubOptions> parseGithubOptions(const Json& options);

}  // namespace ward::ingest
