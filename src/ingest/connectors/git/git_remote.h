// Where the git connector fetches from, and how (docs/design/ingest.md, "Git"): the source's root
// checked into a Remote (a local path, file://, https://, or http:// only with allow_private),
// the SSRF check and pin of an http(s) host, and the credential of `token_secret` as an
// `http.extraHeader` passed to git through its environment (GIT_CONFIG_COUNT/KEY_n/VALUE_n):
// never argv, never the URL, never the mirror's config. Private to the ingest module.
#pragma once

#include <string>
#include <vector>

#include "ward/common/status.h"
#include "ward/ingest/connector.h"

namespace ward::ingest {

// How a token is sent (`[sources.options] auth`): Basic base64("x-access-token:" + token), which
// GitHub, GitLab, Gitea and Bitbucket accept for a token over git's smart HTTP, or Bearer.
enum class GitAuthScheme { kBasic, kBearer };
inline constexpr const char* kGitTokenUser = "x-access-token";

struct GitRemote {
  std::string url;   // what git fetches from (an absolute path or an http(s) URL)
  std::string host;  // http(s) only
  int port = 443;
  bool plain_http = false;  // http:// (allow_private only)
  bool allow_private = false;
  // The environment entries carrying the credential, and the texts scrubbed from git's errors
  // (both empty without a token_secret).
  std::vector<std::string> auth_env;
  std::vector<std::string> auth_scrub;
};

// The root as shown in messages: a URL's user information (a credential) is replaced.
std::string shownGitRoot(const std::string& root);

// Checks the source's root (and reads its token_secret through env.secret): InvalidArgument for
// a refused root or option, PermissionDenied for Ward's data dir, FailedPrecondition for a secret
// that cannot be read (the message names the secret, never its value).
Result<GitRemote> parseGitRemote(const SourceConfig& source, const ConnectorEnv& env);

// Resolves an http(s) remote's host, checks every address against the SSRF rule (an operator's
// endpoint: public or private networks, never link-local or metadata addresses; loopback only
// with allow_private; plain http only to loopback or private addresses) and returns the
// "http.curloptResolve" setting that pins git's connection to the checked address.
Result<std::string> pinGitRemote(const GitRemote& remote);

// The "http.extraHeader" value for `token` (tests read it).
std::string gitAuthHeader(GitAuthScheme scheme, const std::string& token);

}  // namespace ward::ingest
