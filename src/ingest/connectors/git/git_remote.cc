// The git connector's remote: root checks, address pinning and the token (git_remote.h).
#include "git_remote.h"

#include <netdb.h>
#include <sys/socket.h>

#include <algorithm>
#include <cctype>
#include <climits>
#include <cstdlib>

#include "ward/common/encoding.h"
#include "ward/net/address_policy.h"

namespace ward::ingest {

namespace {

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

// `[sources.options]` of a git source: only `auth` and `full_every_s` (git_connector.h) exist.
Result<GitAuthScheme> authScheme(const SourceConfig& s) {
  const Json& o = s.options;
  if (!o.is_object() || !o.contains("auth")) return GitAuthScheme::kBasic;
  const Json& a = o["auth"];
  if (a.is_string() && a.get<std::string>() == "basic") return GitAuthScheme::kBasic;
  if (a.is_string() && a.get<std::string>() == "bearer") return GitAuthScheme::kBearer;
  return Status::invalidArgument("source '" + s.name +
                                 "': options.auth must be \"basic\" or \"bearer\"");
}

}  // namespace

std::string shownGitRoot(const std::string& root) {
  size_t scheme = root.find("://");
  if (scheme == std::string::npos) return root;
  size_t end = root.find('/', scheme + 3);
  size_t at = root.rfind('@', end == std::string::npos ? root.size() : end);
  if (at == std::string::npos || at < scheme) return root;
  return root.substr(0, scheme + 3) + "***" + root.substr(at);
}

std::string gitAuthHeader(GitAuthScheme scheme, const std::string& token) {
  if (scheme == GitAuthScheme::kBearer) return "Authorization: Bearer " + token;
  return "Authorization: Basic " + base64Encode(std::string(kGitTokenUser) + ":" + token);
}

Result<GitRemote> parseGitRemote(const SourceConfig& s, const ConnectorEnv& env) {
  const std::string& root = s.root;
  auto refuse = [&](const std::string& why) {
    return Status::invalidArgument("source '" + s.name + "': root " + shownGitRoot(root) + ": " +
                                   why);
  };
  WARD_ASSIGN_OR_RETURN(GitAuthScheme scheme, authScheme(s));
  GitRemote r;
  r.allow_private = s.allow_private;
  const bool https = root.rfind("https://", 0) == 0;
  const bool http = root.rfind("http://", 0) == 0;
  if (http && !s.allow_private) {
    return refuse(
        "http:// is refused (https only; http:// to a loopback or private address "
        "with allow_private = true)");
  }
  if (https || http) {
    r.plain_http = http;
    r.port = http ? 80 : 443;
    std::string rest = root.substr(http ? 7 : 8);
    std::string authority = rest.substr(0, rest.find('/'));
    if (authority.find('@') != std::string::npos) {
      return refuse("credentials in a URL are refused (they would reach logs and argv)");
    }
    std::string host = authority;
    if (!host.empty() && host.front() == '[') {
      size_t close = host.find(']');
      if (close == std::string::npos) return refuse("a bad IPv6 host");
      std::string port = host.substr(close + 1);
      host = host.substr(1, close - 1);
      if (!port.empty()) {
        if (port.front() != ':') return refuse("a bad port");
        r.port = std::atoi(port.c_str() + 1);
      }
    } else if (size_t colon = host.find(':'); colon != std::string::npos) {
      r.port = std::atoi(host.c_str() + colon + 1);
      host = host.substr(0, colon);
    }
    if (host.empty() || r.port <= 0 || r.port > 65535) return refuse("a bad host or port");
    host = lower(host);
    bool allowed = false;
    for (const auto& h : s.allowed_hosts) allowed = allowed || lower(h) == host;
    if (!allowed) return refuse("host '" + host + "' is not on the source's allowed_hosts");
    r.url = root;
    r.host = host;
  } else {
    if (!s.token_secret.empty()) {
      return Status::invalidArgument("source '" + s.name +
                                     "': token_secret is for http(s) remotes only");
    }
    std::string path = root;
    if (root.rfind("file://", 0) == 0) {
      path = root.substr(7);
    } else if (root.find("://") != std::string::npos || root.find("::") != std::string::npos) {
      return refuse("only a local path, file:// and https:// are supported");
    }
    if (path.empty() || path.front() != '/') return refuse("a local repository must be absolute");
    char resolved[PATH_MAX];
    if (::realpath(path.c_str(), resolved) == nullptr) return refuse("cannot be opened");
    std::string real = resolved;
    for (const auto& dir : env.refused_dirs) {
      char d[PATH_MAX];
      if (::realpath(dir.c_str(), d) == nullptr) continue;
      std::string rd = d;
      if (real == rd || real.rfind(rd + "/", 0) == 0) {
        return Status::permissionDenied("source '" + s.name + "': root " + root +
                                        ": Ward's data directory: never ingested");
      }
    }
    r.url = real;
    return r;
  }
  if (!s.token_secret.empty()) {
    if (!env.secret) {
      return Status::failedPrecondition("source '" + s.name + "': secret '" + s.token_secret +
                                        "' cannot be read here");
    }
    Result<std::string> token = env.secret(s.token_secret);
    if (!token.ok() || token->empty()) {
      return Status::failedPrecondition("source '" + s.name + "': secret '" + s.token_secret +
                                        "' is not set (ward secrets set " + s.token_secret + ")");
    }
    if (token->find_first_of("\r\n") != std::string::npos) {
      return Status::invalidArgument("source '" + s.name + "': secret '" + s.token_secret +
                                     "' holds a line break (not a token)");
    }
    const std::string header = gitAuthHeader(scheme, *token);
    // Only this one setting comes from the environment (the hardened -c settings stay in argv,
    // GIT_CONFIG_NOSYSTEM and GIT_CONFIG_GLOBAL keep files out).
    r.auth_env = {"GIT_CONFIG_COUNT=1", "GIT_CONFIG_KEY_0=http.extraHeader",
                  "GIT_CONFIG_VALUE_0=" + header};
    r.auth_scrub = {header, header.substr(header.find(' ', 15) + 1), *token};
  }
  return r;
}

Result<std::string> pinGitRemote(const GitRemote& r) {
  addrinfo hints{};
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* res = nullptr;
  const std::string port = std::to_string(r.port);
  if (::getaddrinfo(r.host.c_str(), port.c_str(), &hints, &res) != 0 || res == nullptr) {
    return Status::unavailable("cannot resolve host '" + r.host + "'");
  }
  std::string first;
  Status refused;
  for (addrinfo* a = res; a != nullptr; a = a->ai_next) {
    const std::string cls = net::classifyAddress(a->ai_addr);
    const bool ok = net::reachable(cls, net::Reach::kOperatorEndpoint, r.allow_private) &&
                    (!r.plain_http || cls != "public");
    if (!ok) {
      refused = Status::permissionDenied(
          "host '" + r.host + "' resolves to a " + cls + " address (" +
          net::addressText(a->ai_addr) + "): refused by the SSRF rule" +
          (r.plain_http ? " (plain http reaches loopback and private addresses only)" : ""));
      break;
    }
    if (first.empty()) first = net::addressText(a->ai_addr);
  }
  ::freeaddrinfo(res);
  if (!refused.ok()) return refused;
  if (first.find(':') != std::string::npos) first = "[" + first + "]";
  return "http.curloptResolve=" + r.host + ":" + port + ":" + first;
}

}  // namespace ward::ingest
