// GitHub payloads (github_payload.h).
#include "github_payload.h"

#include <time.h>

#include <algorithm>

#include "ward/common/clock.h"
#include "ward/common/encoding.h"
#include "ward/identity/principal.h"

namespace ward::ingest {

namespace {

Result<std::string> str(const Json& j, const char* field, bool required = true) {
  if (!j.contains(field) || j[field].is_null()) {
    if (required) return Status::invalidArgument(std::string("field '") + field + "' is missing");
    return std::string();
  }
  if (!j[field].is_string()) {
    return Status::invalidArgument(std::string("field '") + field + "' must be a string");
  }
  return j[field].get<std::string>();
}

Status needArray(const Json& page, const char* what) {
  if (!page.is_array()) return Status::invalidArgument(std::string(what) + " must be an array");
  return Status();
}

std::string loginOf(const Json& j, const char* field) {
  if (j.contains(field) && j[field].is_object() && j[field].contains("login") &&
      j[field]["login"].is_string()) {
    return j[field]["login"].get<std::string>();
  }
  return "";
}

}  // namespace

std::string nextLink(std::string_view link) {
  // `<https://...>; rel="next", <https://...>; rel="last"`
  size_t at = 0;
  while (at < link.size()) {
    const size_t open = link.find('<', at);
    if (open == std::string_view::npos) break;
    const size_t close = link.find('>', open);
    if (close == std::string_view::npos) break;
    const size_t end = std::min(link.find(",", close), link.size());
    std::string_view params = link.substr(close + 1, end - close - 1);
    if (params.find("rel=\"next\"") != std::string_view::npos ||
        params.find("rel=next") != std::string_view::npos) {
      return std::string(link.substr(open + 1, close - open - 1));
    }
    at = end + 1;
  }
  return "";
}

std::string githubTime(int64_t micros) {
  const time_t secs = static_cast<time_t>(micros / 1'000'000);
  struct tm tm {};
  ::gmtime_r(&secs, &tm);
  char buf[32];
  ::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

Result<GithubRepo> parseGithubRepo(const Json& j) {
  if (!j.is_object()) return Status::invalidArgument("the repository must be an object");
  GithubRepo r;
  if (!j.contains("private") || !j["private"].is_boolean()) {
    return Status::invalidArgument("field 'private' must be a boolean");
  }
  r.is_private = j["private"].get<bool>();
  WARD_ASSIGN_OR_RETURN(r.default_branch, str(j, "default_branch"));
  WARD_ASSIGN_OR_RETURN(r.html_url, str(j, "html_url"));
  r.owner = loginOf(j, "owner");
  if (r.owner.empty()) return Status::invalidArgument("field 'owner.login' is missing");
  r.organization = j["owner"].contains("type") && j["owner"]["type"] == "Organization";
  return r;
}

Result<GithubIssue> parseGithubIssue(const Json& j) {
  if (!j.is_object()) return Status::invalidArgument("an issue must be an object");
  GithubIssue i;
  if (!j.contains("number") || !j["number"].is_number_integer() || j["number"].get<int64_t>() < 1) {
    return Status::invalidArgument("field 'number' must be a positive integer");
  }
  i.number = j["number"].get<int64_t>();
  WARD_ASSIGN_OR_RETURN(i.title, str(j, "title"));
  WARD_ASSIGN_OR_RETURN(i.body, str(j, "body", false));
  WARD_ASSIGN_OR_RETURN(i.state, str(j, "state", false));
  WARD_ASSIGN_OR_RETURN(i.html_url, str(j, "html_url"));
  WARD_ASSIGN_OR_RETURN(i.updated, str(j, "updated_at"));
  if (!parseRfc3339(i.updated, &i.updated_at)) {
    return Status::invalidArgument("field 'updated_at' is not a date: '" + i.updated + "'");
  }
  i.user = loginOf(j, "user");
  i.pull_request = j.contains("pull_request") && j["pull_request"].is_object();
  if (j.contains("comments") && j["comments"].is_number_integer()) {
    i.comments = std::max<int64_t>(0, j["comments"].get<int64_t>());
  }
  return i;
}

Result<std::vector<GithubComment>> parseGithubComments(const Json& page) {
  WARD_RETURN_IF_ERROR(needArray(page, "a comments page"));
  std::vector<GithubComment> out;
  for (const Json& c : page) {
    if (!c.is_object()) return Status::invalidArgument("a comment must be an object");
    GithubComment g;
    g.user = loginOf(c, "user");
    WARD_ASSIGN_OR_RETURN(g.created, str(c, "created_at", false));
    WARD_ASSIGN_OR_RETURN(g.body, str(c, "body", false));
    WARD_ASSIGN_OR_RETURN(std::string issue_url, str(c, "issue_url", false));
    const std::string last = issue_url.substr(issue_url.rfind('/') + 1);
    if (!last.empty() && last.size() <= 12 &&
        last.find_first_not_of("0123456789") == std::string::npos) {
      g.issue = std::stoll(last);
    }
    out.push_back(std::move(g));
  }
  return out;
}

std::string githubIssueText(const GithubIssue& issue, const std::vector<GithubComment>& comments) {
  std::string t = "# " + issue.title + "\n\n";
  t += std::string(issue.pull_request ? "Pull request" : "Issue") + " #" +
       std::to_string(issue.number) + (issue.state.empty() ? "" : " (" + issue.state + ")") +
       (issue.user.empty() ? "" : ", opened by " + issue.user) + "\n\n";
  if (!issue.body.empty()) t += issue.body + "\n\n";
  if (!comments.empty()) t += "## Comments\n\n";
  for (const GithubComment& c : comments) {
    t += "**" + (c.user.empty() ? std::string("someone") : c.user) + "**" +
         (c.created.empty() ? "" : " (" + c.created + ")") + ":\n\n" + c.body + "\n\n";
  }
  return t;
}

Result<GithubTree> parseGithubTree(const Json& j) {
  if (!j.is_object() || !j.contains("tree") || !j["tree"].is_array()) {
    return Status::invalidArgument("field 'tree' must be an array");
  }
  GithubTree t;
  t.truncated =
      j.contains("truncated") && j["truncated"].is_boolean() && j["truncated"].get<bool>();
  for (const Json& e : j["tree"]) {
    if (!e.is_object()) return Status::invalidArgument("a tree entry must be an object");
    WARD_ASSIGN_OR_RETURN(std::string type, str(e, "type"));
    if (type == "tree") continue;
    GithubTreeEntry g;
    WARD_ASSIGN_OR_RETURN(g.path, str(e, "path"));
    WARD_ASSIGN_OR_RETURN(g.sha, str(e, "sha"));
    WARD_ASSIGN_OR_RETURN(std::string mode, str(e, "mode", false));
    if (type == "commit") {
      g.kind = GithubEntryKind::kSubmodule;
    } else if (type == "blob") {
      g.kind = mode == "120000" ? GithubEntryKind::kSymlink : GithubEntryKind::kBlob;
    } else {
      return Status::invalidArgument("tree entry '" + g.path + "' has an unknown type '" + type +
                                     "'");
    }
    if (e.contains("size") && e["size"].is_number_unsigned()) g.size = e["size"].get<uint64_t>();
    if (g.path.empty() || g.path.find('\0') != std::string::npos) {
      return Status::invalidArgument("a tree entry has an empty path");
    }
    t.entries.push_back(std::move(g));
  }
  return t;
}

Result<std::string> decodeGithubBlob(const Json& j) {
  if (!j.is_object()) return Status::invalidArgument("a blob must be an object");
  WARD_ASSIGN_OR_RETURN(std::string encoding, str(j, "encoding"));
  WARD_ASSIGN_OR_RETURN(std::string content, str(j, "content"));
  if (encoding == "utf-8") return content;
  if (encoding != "base64") {
    return Status::invalidArgument("blob encoding '" + encoding + "' is not base64 or utf-8");
  }
  content.erase(
      std::remove_if(content.begin(), content.end(), [](char c) { return c == '\n' || c == '\r'; }),
      content.end());
  std::optional<std::string> bytes = base64Decode(content);
  if (!bytes) return Status::invalidArgument("blob content is not base64");
  return std::move(*bytes);
}

Result<std::vector<GithubCollaborator>> parseGithubCollaborators(const Json& page) {
  WARD_RETURN_IF_ERROR(needArray(page, "a collaborators page"));
  std::vector<GithubCollaborator> out;
  for (const Json& c : page) {
    if (!c.is_object()) return Status::invalidArgument("a collaborator must be an object");
    GithubCollaborator g;
    WARD_ASSIGN_OR_RETURN(g.login, str(c, "login"));
    WARD_ASSIGN_OR_RETURN(g.email, str(c, "email", false));
    // Fail closed: no permissions object, or pull not true, reads nothing.
    g.pull = c.contains("permissions") && c["permissions"].is_object() &&
             c["permissions"].contains("pull") && c["permissions"]["pull"] == true;
    out.push_back(std::move(g));
  }
  return out;
}

Result<std::vector<std::string>> parseGithubTeamSlugs(const Json& page) {
  WARD_RETURN_IF_ERROR(needArray(page, "a teams page"));
  std::vector<std::string> out;
  for (const Json& t : page) {
    if (!t.is_object()) return Status::invalidArgument("a team must be an object");
    WARD_ASSIGN_OR_RETURN(std::string slug, str(t, "slug"));
    out.push_back(std::move(slug));
  }
  return out;
}

Result<std::vector<std::string>> parseGithubLogins(const Json& page) {
  WARD_RETURN_IF_ERROR(needArray(page, "a members page"));
  std::vector<std::string> out;
  for (const Json& m : page) {
    if (!m.is_object()) return Status::invalidArgument("a member must be an object");
    WARD_ASSIGN_OR_RETURN(std::string login, str(m, "login"));
    out.push_back(std::move(login));
  }
  return out;
}

std::string githubTeamGroup(const std::string& source, const std::string& slug) {
  std::string name = source + ".team." + slug;
  return identity::validateName("group", name).ok() ? name : "";
}

store::Acl githubRepoAcl(bool is_private, const GithubOptions& options,
                         std::vector<std::string> users, std::vector<std::string> groups) {
  store::Acl acl;
  if (!is_private) {
    if (options.public_repos_public) {
      acl.is_public = true;
    } else if (!options.public_group.empty()) {
      acl.groups = {options.public_group};
    }
    return acl;
  }
  std::sort(users.begin(), users.end());
  users.erase(std::unique(users.begin(), users.end()), users.end());
  std::sort(groups.begin(), groups.end());
  groups.erase(std::unique(groups.begin(), groups.end()), groups.end());
  acl.users = std::move(users);
  acl.groups = std::move(groups);
  return acl;
}

}  // namespace ward::ingest
