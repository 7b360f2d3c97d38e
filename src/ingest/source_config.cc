// Parsing the [[sources]] of ward.toml (docs/design/ingest.md, "Sources").
#include "ward/ingest/source_config.h"

#include <fnmatch.h>
#include <toml++/toml.h>

#include <algorithm>
#include <filesystem>
#include <set>
#include <sstream>

#include "ward/identity/principal.h"
#include "ward/ingest/sync_health.h"

namespace ward::ingest {

namespace {

// An SLO longer than a year is a typo.
constexpr int64_t kMaxSloSeconds = 366LL * 86400;
// `retry_min_s` below this would spin on a failing source.
constexpr double kMinRetrySeconds = 0.1;

Status keyError(const std::string& where, const std::string& key, const std::string& what) {
  return Status::invalidArgument("ward.toml: " + where + "." + key + ": " + what);
}

Result<std::string> stringOf(const toml::node& n, const std::string& where,
                             const std::string& key) {
  auto s = n.value<std::string>();
  if (!n.is_string() || !s) return keyError(where, key, "must be a string");
  return *s;
}

Result<int64_t> intOf(const toml::node& n, const std::string& where, const std::string& key,
                      int64_t min, int64_t max) {
  auto v = n.value<int64_t>();
  if (!n.is_integer() || !v) return keyError(where, key, "must be an integer");
  if (*v < min || *v > max) {
    return keyError(where, key,
                    "must be between " + std::to_string(min) + " and " + std::to_string(max));
  }
  return *v;
}

Result<double> shareOf(const toml::node& n, const std::string& where, const std::string& key) {
  auto v = n.value<double>();
  if (!(n.is_floating_point() || n.is_integer()) || !v) {
    return keyError(where, key, "must be a number");
  }
  if (*v < 0 || *v > 1) return keyError(where, key, "must be between 0 and 1");
  return *v;
}

Result<std::vector<std::string>> names(const toml::node& n, const std::string& where,
                                       const std::string& key) {
  const toml::array* a = n.as_array();
  if (a == nullptr) return keyError(where, key, "must be an array of strings");
  std::vector<std::string> out;
  for (const toml::node& e : *a) {
    WARD_ASSIGN_OR_RETURN(std::string s, stringOf(e, where, key));
    Status valid = identity::validateName(key, s);
    if (!valid.ok()) return keyError(where, key, valid.message());
    out.push_back(std::move(s));
  }
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

Result<AclRule> parseRule(const toml::table& t, const std::string& where) {
  AclRule r;
  bool has_glob = false;
  for (const auto& [k, v] : t) {
    const std::string key(k.str());
    if (key == "glob") {
      WARD_ASSIGN_OR_RETURN(r.glob, stringOf(v, where, key));
      has_glob = true;
    } else if (key == "users") {
      WARD_ASSIGN_OR_RETURN(r.acl.users, names(v, where, key));
    } else if (key == "groups") {
      WARD_ASSIGN_OR_RETURN(r.acl.groups, names(v, where, key));
    } else if (key == "public") {
      auto b = v.value<bool>();
      if (!v.is_boolean() || !b) return keyError(where, key, "must be a boolean");
      r.acl.is_public = *b;
    } else {
      return keyError(where, key, "unknown key");
    }
  }
  if (!has_glob || r.glob.empty()) return keyError(where, "glob", "is required");
  return r;
}

Result<IdentityRule> parseIdentityRule(const toml::table& t, const std::string& where) {
  IdentityRule r;
  for (const auto& [k, v] : t) {
    const std::string key(k.str());
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

Result<SourceConfig> parseOne(const toml::table& t, size_t index) {
  SourceConfig c;
  const std::string where = "sources[" + std::to_string(index) + "]";
  for (const auto& [k, v] : t) {
    const std::string key(k.str());
    if (key == "name") {
      WARD_ASSIGN_OR_RETURN(c.name, stringOf(v, where, key));
    } else if (key == "connector") {
      WARD_ASSIGN_OR_RETURN(c.connector, stringOf(v, where, key));
    } else if (key == "root") {
      WARD_ASSIGN_OR_RETURN(c.root, stringOf(v, where, key));
    } else if (key == "ref") {
      WARD_ASSIGN_OR_RETURN(c.ref, stringOf(v, where, key));
    } else if (key == "allowed_hosts") {
      const toml::array* a = v.as_array();
      if (a == nullptr) return keyError(where, key, "must be an array of strings");
      for (const toml::node& e : *a) {
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
      auto r = v.value<double>();
      if (!(v.is_floating_point() || v.is_integer()) || !r) {
        return keyError(where, key, "must be a number");
      }
      if (*r < kMinRetrySeconds || *r > kSyncRetryMaxSeconds) {
        return keyError(
            where, key,
            "must be between 0.1 and " + std::to_string(static_cast<int>(kSyncRetryMaxSeconds)));
      }
      c.retry_min_s = *r;
    } else if (key == "base_url") {
      WARD_ASSIGN_OR_RETURN(c.base_url, stringOf(v, where, key));
    } else if (key == "token_secret") {
      WARD_ASSIGN_OR_RETURN(c.token_secret, stringOf(v, where, key));
      Status valid = identity::validateName("secret", c.token_secret);
      if (!valid.ok()) return keyError(where, key, valid.message());
    } else if (key == "allow_private") {
      auto b = v.value<bool>();
      if (!v.is_boolean() || !b) return keyError(where, key, "must be a boolean");
      c.allow_private = *b;
    } else if (key == "options") {
      if (!v.is_table()) return keyError(where, key, "must be a table ([sources.options])");
      c.options = jsonOf(v);
    } else if (key == "identities") {
      const toml::array* rules = v.as_array();
      if (rules == nullptr) {
        return keyError(where, key, "must be an array of tables ([[sources.identities]])");
      }
      if (rules->size() > kMaxIdentityRules) {
        return keyError(where, key,
                        "has more than " + std::to_string(kMaxIdentityRules) + " rules");
      }
      for (size_t i = 0; i < rules->size(); ++i) {
        const toml::table* rt = (*rules)[i].as_table();
        std::string rule_where = where + ".identities[" + std::to_string(i) + "]";
        if (rt == nullptr)
          return Status::invalidArgument("ward.toml: " + rule_where + " must be a table");
        WARD_ASSIGN_OR_RETURN(IdentityRule r, parseIdentityRule(*rt, rule_where));
        c.identities.push_back(std::move(r));
      }
    } else if (key == "acl") {
      const toml::array* rules = v.as_array();
      if (rules == nullptr)
        return keyError(where, key, "must be an array of tables ([[sources.acl]])");
      if (rules->size() > kMaxAclRules) {
        return keyError(where, key, "has more than " + std::to_string(kMaxAclRules) + " rules");
      }
      for (size_t i = 0; i < rules->size(); ++i) {
        const toml::table* rt = (*rules)[i].as_table();
        std::string rule_where = where + ".acl[" + std::to_string(i) + "]";
        if (rt == nullptr)
          return Status::invalidArgument("ward.toml: " + rule_where + " must be a table");
        WARD_ASSIGN_OR_RETURN(AclRule r, parseRule(*rt, rule_where));
        c.acl_rules.push_back(std::move(r));
      }
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
    if (size_t scheme = url.find("://"); scheme != std::string::npos &&
        url.substr(scheme + 3, url.find('/', scheme + 3) - scheme - 3).find('@') !=
            std::string::npos) {
      return keyError(where, url_key,
                      "credentials in a URL are refused (they would reach logs and argv)");
    }
  }
  if (c.canary_interval_s > 0 && c.connector != "folder") {
    return keyError(where, "canary_interval_s", "canaries run in folder sources only");
  }
  if ((c.connector == "folder" || c.connector == "jsonl" || c.connector == "git" ||
       c.connector == "archive") &&
      c.root.empty()) {
    return keyError(where, "root", "is required for the " + c.connector + " connector");
  }
  return c;
}

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
    WARD_ASSIGN_OR_RETURN(SourceConfig c, parseOne(*t, i));
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

Result<std::vector<SourceConfig>> parseSourceConfigs(const std::string& toml_text) {
  try {
    return parseTable(toml::parse(toml_text));
  } catch (const toml::parse_error& e) {
    return parseError(e);
  }
}

Result<std::vector<SourceConfig>> loadSourceConfigs(const std::string& path) {
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) return std::vector<SourceConfig>();
  try {
    return parseTable(toml::parse_file(path));
  } catch (const toml::parse_error& e) {
    return parseError(e);
  }
}

}  // namespace ward::ingest
