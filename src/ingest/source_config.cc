// Parsing the [[sources]] of ward.toml (docs/design/ingest.md, "Sources").
#include "ward/ingest/source_config.h"

#include <fnmatch.h>
#include <toml++/toml.h>

#include <algorithm>
#include <set>
#include <sstream>

#include "ward/identity/principal.h"
#include "ward/ingest/sync_health.h"
#include "ward/common/toml_file.h"

namespace ward::ingest {

namespace {

// An SLO longer than a year is a typo.
constexpr int64_t kMaxSloSeconds = 366LL * 86400;
// `retry_min_s` below this would spin on a failing source.
constexpr double kMinRetrySeconds = 0.1;

// `where` names the entry: "ward.toml: sources[2]" or "source" (a POST /v1/sources body).
Status keyError(const std::string& where, const std::string& key, const std::string& what) {
  return Status::invalidArgument(where + "." + key + ": " + what);
}

Result<std::string> stringOf(const Json& v, const std::string& where, const std::string& key) {
  if (!v.is_string()) return keyError(where, key, "must be a string");
  return v.get<std::string>();
}

Result<int64_t> intOf(const Json& v, const std::string& where, const std::string& key, int64_t min,
                      int64_t max) {
  if (!v.is_number_integer()) return keyError(where, key, "must be an integer");
  const bool too_big = v.is_number_unsigned() && v.get<uint64_t>() > static_cast<uint64_t>(max);
  const int64_t n = too_big ? max : v.get<int64_t>();
  if (too_big || n < min || n > max) {
    return keyError(where, key,
                    "must be between " + std::to_string(min) + " and " + std::to_string(max));
  }
  return n;
}

Result<double> numberOf(const Json& v, const std::string& where, const std::string& key) {
  if (!v.is_number()) return keyError(where, key, "must be a number");
  return v.get<double>();
}

Result<double> shareOf(const Json& v, const std::string& where, const std::string& key) {
  WARD_ASSIGN_OR_RETURN(double d, numberOf(v, where, key));
  if (d < 0 || d > 1) return keyError(where, key, "must be between 0 and 1");
  return d;
}

Result<bool> boolOf(const Json& v, const std::string& where, const std::string& key) {
  if (!v.is_boolean()) return keyError(where, key, "must be a boolean");
  return v.get<bool>();
}

// Strings, sorted and unique; principal names (checked) unless `principals` is false.
Result<std::vector<std::string>> names(const Json& v, const std::string& where,
                                       const std::string& key, bool principals = true) {
  if (!v.is_array()) return keyError(where, key, "must be an array of strings");
  std::vector<std::string> out;
  for (const Json& e : v) {
    WARD_ASSIGN_OR_RETURN(std::string s, stringOf(e, where, key));
    Status valid = principals ? identity::validateName(key, s) : Status();
    if (!valid.ok()) return keyError(where, key, valid.message());
    out.push_back(std::move(s));
  }
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

Result<AclRule> parseRule(const Json& t, const std::string& where) {
  AclRule r;
  bool has_glob = false;
  for (const auto& [key, v] : t.items()) {
    if (key == "glob") {
      WARD_ASSIGN_OR_RETURN(r.glob, stringOf(v, where, key));
      has_glob = true;
    } else if (key == "users") {
      WARD_ASSIGN_OR_RETURN(r.acl.users, names(v, where, key));
    } else if (key == "groups") {
      WARD_ASSIGN_OR_RETURN(r.acl.groups, names(v, where, key));
    } else if (key == "public") {
      WARD_ASSIGN_OR_RETURN(r.acl.is_public, boolOf(v, where, key));
    } else {
      return keyError(where, key, "unknown key");
    }
  }
  if (!has_glob || r.glob.empty()) return keyError(where, "glob", "is required");
  return r;
}

Result<IdentityRule> parseIdentityRule(const Json& t, const std::string& where) {
  IdentityRule r;
  for (const auto& [key, v] : t.items()) {
    if (key == "match") {
      WARD_ASSIGN_OR_RETURN(r.match, stringOf(v, where, key));
    } else if (key == "principal") {
      WARD_ASSIGN_OR_RETURN(r.principal, stringOf(v, where, key));
    } else {
      return keyError(where, key, "unknown key");
    }
  }
  if (r.match.empty()) return keyError(where, "match", "is required");
  if (r.principal.empty()) return keyError(where, "principal", "is required");
  return r;
}

// An array of tables (`[[sources.acl]]`, `[[sources.identities]]`), at most `max` of them.
template <typename Rule, typename Parse>
Result<std::vector<Rule>> rulesOf(const Json& v, const std::string& where, const std::string& key,
                                  size_t max, Parse parse) {
  if (!v.is_array()) {
    return keyError(where, key, "must be an array of tables ([[sources." + key + "]])");
  }
  if (v.size() > max) {
    return keyError(where, key, "has more than " + std::to_string(max) + " rules");
  }
  std::vector<Rule> out;
  for (size_t i = 0; i < v.size(); ++i) {
    std::string rule_where = where + "." + key + "[" + std::to_string(i) + "]";
    if (!v[i].is_object()) return Status::invalidArgument(rule_where + " must be a table");
    WARD_ASSIGN_OR_RETURN(Rule r, parse(v[i], rule_where));
    out.push_back(std::move(r));
  }
  return out;
}

// A TOML value as JSON (dates and times as their TOML text).
Json jsonOf(const toml::node& n) {
  if (const toml::table* t = n.as_table()) {
    Json out = Json::object();
    for (const auto& [k, v] : *t) out[std::string(k.str())] = jsonOf(v);
    return out;
  }
  if (const toml::array* a = n.as_array()) {
    Json out = Json::array();
    for (const toml::node& e : *a) out.push_back(jsonOf(e));
    return out;
  }
  if (auto s = n.value<std::string>(); n.is_string() && s) return *s;
  if (auto i = n.value<int64_t>(); n.is_integer() && i) return *i;
  if (auto d = n.value<double>(); n.is_floating_point() && d) return *d;
  if (auto b = n.value<bool>(); n.is_boolean() && b) return *b;
  std::ostringstream text;
  if (const auto* d = n.as_date()) {
    text << d->get();
  } else if (const auto* t = n.as_time()) {
    text << t->get();
  } else if (const auto* dt = n.as_date_time()) {
    text << dt->get();
  }
  return text.str();
}

}  // namespace

Result<SourceConfig> parseSourceJson(const Json& t, const std::string& where) {
  if (!t.is_object()) return Status::invalidArgument(where + " must be a table (a JSON object)");
  SourceConfig c;
  for (const auto& [key, v] : t.items()) {
    if (key == "name") {
      WARD_ASSIGN_OR_RETURN(c.name, stringOf(v, where, key));
    } else if (key == "connector") {
      WARD_ASSIGN_OR_RETURN(c.connector, stringOf(v, where, key));
    } else if (key == "root") {
      WARD_ASSIGN_OR_RETURN(c.root, stringOf(v, where, key));
    } else if (key == "ref") {
      WARD_ASSIGN_OR_RETURN(c.ref, stringOf(v, where, key));
    } else if (key == "allowed_hosts") {
      if (!v.is_array()) return keyError(where, key, "must be an array of strings");
      for (const Json& e : v) {
        WARD_ASSIGN_OR_RETURN(std::string h, stringOf(e, where, key));
        c.allowed_hosts.push_back(std::move(h));
      }
    } else if (key == "schedule_s") {
      WARD_ASSIGN_OR_RETURN(c.schedule_s, intOf(v, where, key, 0, 366LL * 86400));
    } else if (key == "max_delete_share") {
      WARD_ASSIGN_OR_RETURN(c.max_delete_share, shareOf(v, where, key));
    } else if (key == "max_expose_share") {
      WARD_ASSIGN_OR_RETURN(c.max_expose_share, shareOf(v, where, key));
    } else if (key == "page_items") {
      WARD_ASSIGN_OR_RETURN(int64_t n, intOf(v, where, key, 1, kMaxPageItems));
      c.page_items = static_cast<size_t>(n);
    } else if (key == "max_depth") {
      WARD_ASSIGN_OR_RETURN(int64_t n, intOf(v, where, key, 1, 1'000));
      c.max_depth = static_cast<size_t>(n);
    } else if (key == "max_entries") {
      WARD_ASSIGN_OR_RETURN(int64_t n, intOf(v, where, key, 1, 100'000'000));
      c.max_entries = static_cast<size_t>(n);
    } else if (key == "max_file_bytes") {
      WARD_ASSIGN_OR_RETURN(int64_t n, intOf(v, where, key, 1, int64_t{1} << 40));
      c.max_file_bytes = static_cast<uint64_t>(n);
    } else if (key == "slo_content_lag_s") {
      WARD_ASSIGN_OR_RETURN(c.slo.content_lag_s, intOf(v, where, key, 0, kMaxSloSeconds));
    } else if (key == "slo_deletion_lag_s") {
      WARD_ASSIGN_OR_RETURN(c.slo.deletion_lag_s, intOf(v, where, key, 0, kMaxSloSeconds));
    } else if (key == "slo_acl_lag_s") {
      WARD_ASSIGN_OR_RETURN(c.slo.acl_lag_s, intOf(v, where, key, 0, kMaxSloSeconds));
    } else if (key == "canary_interval_s") {
      WARD_ASSIGN_OR_RETURN(c.canary_interval_s, intOf(v, where, key, 0, 86'400));
    } else if (key == "retry_min_s") {
      WARD_ASSIGN_OR_RETURN(double r, numberOf(v, where, key));
      if (r < kMinRetrySeconds || r > kSyncRetryMaxSeconds) {
        return keyError(
            where, key,
            "must be between 0.1 and " + std::to_string(static_cast<int>(kSyncRetryMaxSeconds)));
      }
      c.retry_min_s = r;
    } else if (key == "base_url") {
      WARD_ASSIGN_OR_RETURN(c.base_url, stringOf(v, where, key));
    } else if (key == "token_secret") {
      WARD_ASSIGN_OR_RETURN(c.token_secret, stringOf(v, where, key));
      Status valid = identity::validateName("secret", c.token_secret);
      if (!valid.ok()) return keyError(where, key, valid.message());
    } else if (key == "allow_private") {
      WARD_ASSIGN_OR_RETURN(c.allow_private, boolOf(v, where, key));
    } else if (key == "options") {
      if (!v.is_object()) return keyError(where, key, "must be a table ([sources.options])");
      c.options = v;
    } else if (key == "identities") {
      WARD_ASSIGN_OR_RETURN(
          c.identities, rulesOf<IdentityRule>(v, where, key, kMaxIdentityRules, parseIdentityRule));
    } else if (key == "acl") {
      WARD_ASSIGN_OR_RETURN(c.acl_rules, rulesOf<AclRule>(v, where, key, kMaxAclRules, parseRule));
    } else {
      return keyError(where, key, "unknown key");
    }
  }
  if (c.name.empty()) return keyError(where, "name", "is required");
  Status valid = identity::validateName("source", c.name);
  if (!valid.ok()) return keyError(where, "name", valid.message());
  if (c.connector.empty()) return keyError(where, "connector", "is required");
  for (const auto& [url_key, url] : {std::pair<std::string, std::string>{"root", c.root},
                                     std::pair<std::string, std::string>{"base_url", c.base_url}}) {
    if (size_t scheme = url.find("://");
        scheme != std::string::npos &&
        url.substr(scheme + 3, url.find('/', scheme + 3) - scheme - 3).find('@') !=
            std::string::npos) {
      return keyError(where, url_key,
                      "credentials in a URL are refused (they would reach logs and argv)");
    }
  }
  if (c.canary_interval_s > 0 && c.connector != "folder" && c.connector != "jsonl" &&
      c.connector != "git") {
    return keyError(where, "canary_interval_s",
                    "canaries run in folder, git and jsonl (push) sources only");
  }
  // A git canary commits to the repository: its root must be local (that it is a bare
  // repository with a branch is checked when the sources are opened: checkGitCanaryRoot).
  if (c.canary_interval_s > 0 && c.connector == "git" && c.root.find("://") != std::string::npos &&
      c.root.rfind("file://", 0) != 0) {
    return keyError(where, "canary_interval_s",
                    "a git source's canaries need a local bare repository as its root (" + c.root +
                        " is remote)");
  }
  if ((c.connector == "folder" || c.connector == "jsonl" || c.connector == "git" ||
       c.connector == "archive") &&
      c.root.empty()) {
    return keyError(where, "root", "is required for the " + c.connector + " connector");
  }
  return c;
}

namespace {

Result<std::vector<SourceConfig>> parseTable(const toml::table& table) {
  std::vector<SourceConfig> out;
  const toml::node* node = table.get("sources");
  if (node == nullptr) return out;
  const toml::array* list = node->as_array();
  if (list == nullptr) {
    return Status::invalidArgument("ward.toml: 'sources' must be an array of tables ([[sources]])");
  }
  if (list->size() > kMaxSources) {
    return Status::invalidArgument("ward.toml: at most " + std::to_string(kMaxSources) +
                                   " sources");
  }
  std::set<std::string> seen;
  for (size_t i = 0; i < list->size(); ++i) {
    const toml::table* t = (*list)[i].as_table();
    if (t == nullptr) {
      return Status::invalidArgument("ward.toml: sources[" + std::to_string(i) +
                                     "] must be a table");
    }
    WARD_ASSIGN_OR_RETURN(SourceConfig c, parseSourceJson(jsonOf(*t), "ward.toml: sources[" +
                                                                          std::to_string(i) + "]"));
    if (!seen.insert(c.name).second) {
      return Status::invalidArgument("ward.toml: sources[" + std::to_string(i) +
                                     "].name: source '" + c.name + "' is configured twice");
    }
    out.push_back(std::move(c));
  }
  return out;
}

Status parseError(const toml::parse_error& e) {
  return Status::invalidArgument("ward.toml: " + std::string(e.description()) + " at line " +
                                 std::to_string(e.source().begin.line));
}

}  // namespace

store::Acl SourceConfig::aclFor(const std::string& path) const {
  if (path.rfind(kCanaryPrefix, 0) == 0 && path.find('/') == std::string::npos) return {};
  for (const auto& rule : acl_rules) {
    if (::fnmatch(rule.glob.c_str(), path.c_str(), 0) == 0) return rule.acl;
  }
  return store::Acl{};  // admins only
}

Json sourceConfigJson(const SourceConfig& c) {
  Json j{{"name", c.name},
         {"connector", c.connector},
         {"schedule_s", c.schedule_s},
         {"max_delete_share", c.max_delete_share},
         {"max_expose_share", c.max_expose_share},
         {"page_items", c.page_items}};
  auto text = [&](const char* key, const std::string& v) {
    if (!v.empty()) j[key] = v;
  };
  auto count = [&](const char* key, uint64_t v) {
    if (v != 0) j[key] = v;
  };
  text("root", c.root);
  text("ref", c.ref);
  text("base_url", c.base_url);
  text("token_secret", c.token_secret);  // a secret's name, never its value
  if (!c.allowed_hosts.empty()) j["allowed_hosts"] = c.allowed_hosts;
  count("max_depth", c.max_depth);
  count("max_entries", c.max_entries);
  count("max_file_bytes", c.max_file_bytes);
  count("slo_content_lag_s", static_cast<uint64_t>(c.slo.content_lag_s));
  count("slo_deletion_lag_s", static_cast<uint64_t>(c.slo.deletion_lag_s));
  count("slo_acl_lag_s", static_cast<uint64_t>(c.slo.acl_lag_s));
  count("canary_interval_s", static_cast<uint64_t>(c.canary_interval_s));
  if (c.retry_min_s > 0) j["retry_min_s"] = c.retry_min_s;
  if (c.allow_private) j["allow_private"] = true;
  if (!c.options.empty()) j["options"] = c.options;
  if (!c.identities.empty()) {
    Json rules = Json::array();
    for (const auto& r : c.identities)
      rules.push_back({{"match", r.match}, {"principal", r.principal}});
    j["identities"] = std::move(rules);
  }
  if (!c.acl_rules.empty()) {
    Json rules = Json::array();
    for (const auto& r : c.acl_rules) {
      Json rule{{"glob", r.glob}, {"users", r.acl.users}, {"groups", r.acl.groups}};
      if (r.acl.is_public) rule["public"] = true;
      rules.push_back(std::move(rule));
    }
    j["acl"] = std::move(rules);
  }
  return j;
}

Result<std::vector<SourceConfig>> parseSourceConfigs(const std::string& toml_text) {
  try {
    return parseTable(toml::parse(toml_text));
  } catch (const toml::parse_error& e) {
    return parseError(e);
  }
}

Result<std::vector<std::string>> loadRuntimeSourceRoots(const std::string& path) {
  std::vector<std::string> out;
  WARD_ASSIGN_OR_RETURN(toml::table t, readTomlFile(path));
  WARD_ASSIGN_OR_RETURN(const toml::table* table, tomlSection(t, "runtime_sources"));
  if (table == nullptr) return out;
  for (const auto& [k, v] : *table) {
    const std::string key(k.str());
    if (key != "allowed_roots") {
      return keyError("ward.toml: runtime_sources", key, "unknown key");
    }
    WARD_ASSIGN_OR_RETURN(out, names(jsonOf(v), "ward.toml: runtime_sources", key, false));
    for (const std::string& root : out) {
      if (root.empty() || root[0] != '/') {
        return keyError("ward.toml: runtime_sources", key, "'" + root + "' is not absolute");
      }
    }
  }
  return out;
}

Result<std::vector<SourceConfig>> loadSourceConfigs(const std::string& path) {
  WARD_ASSIGN_OR_RETURN(toml::table table, readTomlFile(path));
  return parseTable(table);
}

}  // namespace ward::ingest
