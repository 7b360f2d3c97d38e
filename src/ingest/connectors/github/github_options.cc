// The options of a github source (github_options.h).
#include "github_options.h"

#include "ward/identity/principal.h"

namespace ward::ingest {

namespace {

bool validRepoPart(const std::string& s) {
  if (s.empty() || s.size() > 100 || s == "." || s == "..") return false;
  for (char c : s) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '-' || c == '_' || c == '.';
    if (!ok) return false;
  }
  return true;
}

Status wrongType(const std::string& key, const char* type) {
  return Status::invalidArgument("options." + key + " must be " + type);
}

Result<int64_t> positive(const std::string& key, const Json& v, int64_t max) {
  if (!v.is_number_integer() || v.get<int64_t>() < 1 || v.get<int64_t>() > max) {
    return Status::invalidArgument("options." + key + " must be an integer from 1 to " +
                                   std::to_string(max));
  }
  return v.get<int64_t>();
}

}  // namespace

Result<GithubOptions> parseGithubOptions(const Json& options) {
  GithubOptions o;
  if (!options.is_object()) return Status::invalidArgument("options must be a table");
  for (auto it = options.begin(); it != options.end(); ++it) {
    const std::string& k = it.key();
    const Json& v = it.value();
    if (k == "repos") {
      if (!v.is_array()) return wrongType(k, "an array of \"owner/name\" strings");
      for (const Json& r : v) {
        if (!r.is_string()) return wrongType(k, "an array of \"owner/name\" strings");
        const std::string s = r.get<std::string>();
        const size_t slash = s.find('/');
        if (slash == std::string::npos || !validRepoPart(s.substr(0, slash)) ||
            !validRepoPart(s.substr(slash + 1))) {
          return Status::invalidArgument("options.repos: '" + s + "' is not \"owner/name\"");
        }
        o.repos.push_back(s);
      }
    } else if (k == "files" || k == "issues" || k == "public_repos_public") {
      if (!v.is_boolean()) return wrongType(k, "a boolean");
      (k == "files" ? o.files : k == "issues" ? o.issues : o.public_repos_public) = v.get<bool>();
    } else if (k == "public_group") {
      if (!v.is_string()) return wrongType(k, "a string");
      o.public_group = v.get<std::string>();
      Status name = identity::validateName("options.public_group", o.public_group);
      if (!name.ok()) return Status::invalidArgument(name.message());
    } else if (k == "branch") {
      if (!v.is_string() || v.get<std::string>().empty() ||
          v.get<std::string>().find_first_of(" ?#%\\") != std::string::npos) {
        return wrongType(k, "a branch name");
      }
      o.branch = v.get<std::string>();
    } else if (k == "max_issues") {
      WARD_ASSIGN_OR_RETURN(int64_t n, positive(k, v, 10'000'000));
      o.max_issues = static_cast<size_t>(n);
    } else if (k == "max_files") {
      WARD_ASSIGN_OR_RETURN(int64_t n, positive(k, v, 10'000'000));
      o.max_files = static_cast<size_t>(n);
    } else if (k == "since_overlap_s") {
      WARD_ASSIGN_OR_RETURN(o.since_overlap_s, positive(k, v, 7 * 86'400));
    } else if (k == "full_listing_every") {
      WARD_ASSIGN_OR_RETURN(o.full_listing_every, positive(k, v, 10'000));
    } else if (k == "app_id" || k == "installation_id") {
      WARD_ASSIGN_OR_RETURN(int64_t id, positive(k, v, int64_t{1} << 53));
      (k == "app_id" ? o.app_id : o.installation_id) = id;
    } else if (k == "app_key_secret") {
      if (!v.is_string() || v.get<std::string>().empty()) return wrongType(k, "a secret's name");
      o.app_key_secret = v.get<std::string>();
    } else {
      return Status::invalidArgument(
          "options." + k +
          " is not a github option (repos, files, issues, public_repos_public, public_group, "
          "branch, max_issues, max_files, since_overlap_s, full_listing_every, app_id, "
          "installation_id, app_key_secret)");
    }
  }
  if (o.repos.empty()) return Status::invalidArgument("options.repos is required (\"owner/name\")");
  const int app_keys = (o.app_id != 0) + (o.installation_id != 0) + !o.app_key_secret.empty();
  if (app_keys != 0 && app_keys != 3) {
    return Status::invalidArgument(
        "options.app_id, options.installation_id and options.app_key_secret go together (a "
        "GitHub App)");
  }
  if (o.repos.size() > kGithubMaxRepos) {
    return Status::invalidArgument("options.repos lists more than " +
                                   std::to_string(kGithubMaxRepos) + " repositories");
  }
  return o;
}

}  // namespace ward::ingest
