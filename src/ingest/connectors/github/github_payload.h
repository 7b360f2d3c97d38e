// GitHub's REST payloads read into plain values, and the documents made of them (pure: no I/O;
// docs/design/ingest.md, "GitHub"). A payload that lacks a field the connector needs, or holds
// one of the wrong type, is InvalidArgument naming the field. Private to the ingest module.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "github_options.h"
#include "ward/common/json.h"
#include "ward/common/status.h"
#include "ward/store/records.h"

namespace ward::ingest {

// The URL of the `rel="next"` link of a `Link` header ("" = none).
std::string nextLink(std::string_view link_header);
// "YYYY-MM-DDTHH:MM:SSZ" (GitHub's `since` format) of micros since the epoch.
std::string githubTime(int64_t micros);

struct GithubRepo {
  bool is_private = true;
  std::string default_branch;
  std::string html_url;
  std::string owner;
  bool organization = false;  // an organization's repository has teams
};
Result<GithubRepo> parseGithubRepo(const Json& j);

struct GithubIssue {
  int64_t number = 0;
  std::string title;
  std::string body;
  std::string state;
  std::string user;  // the author's login
  std::string html_url;
  std::string updated;     // updated_at as GitHub wrote it: the document's version
  int64_t updated_at = 0;  // micros
  bool pull_request = false;
  int64_t comments = 0;
};
Result<GithubIssue> parseGithubIssue(const Json& j);

struct GithubComment {
  int64_t issue = 0;  // the issue's number, from issue_url (0 = none)
  std::string user;
  std::string created;
  std::string body;
};
// One page of /issues/{n}/comments or of a repository's /issues/comments; a comment without a
// body is an empty one.
Result<std::vector<GithubComment>> parseGithubComments(const Json& page);
// The document of an issue or pull request: markdown with its title, state, author, body and
// comments. Text only: nothing in it is ever acted upon.
std::string githubIssueText(const GithubIssue& issue, const std::vector<GithubComment>& comments);

enum class GithubEntryKind { kBlob, kSymlink, kSubmodule };
struct GithubTreeEntry {
  std::string path;
  std::string sha;
  uint64_t size = 0;
  GithubEntryKind kind = GithubEntryKind::kBlob;
};
struct GithubTree {
  std::vector<GithubTreeEntry> entries;  // blobs, links and submodules (folders are left out)
  bool truncated = false;                // GitHub cut the recursive listing short
};
Result<GithubTree> parseGithubTree(const Json& j);
// The bytes of a /git/blobs/{sha} reply (base64, with GitHub's line breaks).
Result<std::string> decodeGithubBlob(const Json& j);

struct GithubCollaborator {
  std::string login;
  std::string email;  // "" when GitHub shows none
  bool pull = false;  // may read the repository
};
Result<std::vector<GithubCollaborator>> parseGithubCollaborators(const Json& page);
// Team slugs of a /repos/{o}/{r}/teams page, and logins of a team members page.
Result<std::vector<std::string>> parseGithubTeamSlugs(const Json& page);
Result<std::vector<std::string>> parseGithubLogins(const Json& page);

// The source's group for a team: "<source>.team.<slug>" ("" when that is not a valid group name).
std::string githubTeamGroup(const std::string& source, const std::string& slug);
// Who reads a repository's documents. Public: everyone only with public_repos_public, else the
// public_group, else admins only. Private: `users` (mapped collaborators) and `groups` (teams).
store::Acl githubRepoAcl(bool is_private, const GithubOptions& options,
                         std::vector<std::string> users, std::vector<std::string> groups);

}  // namespace ward::ingest
