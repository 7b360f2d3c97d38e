#include "ward/upstream/upstream_config.h"
#include "ward/common/toml_file.h"

#include <toml++/toml.h>
#include <algorithm>
#include <set>

namespace ward::upstream {

namespace {

constexpr size_t kMaxUpstreams = 64;
constexpr size_t kMaxListEntries = 256;

Status keyError(const std::string& where, const std::string& key, const std::string& what) {
  return Status::invalidArgument("ward.toml: " + where + "." + key + ": " + what);
}

Result<std::string> stringOf(const toml::node& n, const std::string& where,
                             const std::string& key) {
  auto s = n.value<std::string>();
  if (!n.is_string() || !s) return keyError(where, key, "must be a string");
  return *s;
}

Result<std::vector<std::string>> stringList(const toml::node& n, const std::string& where,
                                            const std::string& key) {
  const toml::array* a = n.as_array();
  if (a == nullptr) return keyError(where, key, "must be an array of strings");
  if (a->size() > kMaxListEntries) {
    return keyError(where, key, "has more than " + std::to_string(kMaxListEntries) + " entries");
  }
  std::vector<std::string> out;
  for (const toml::node& e : *a) {
    WARD_ASSIGN_OR_RETURN(std::string s, stringOf(e, where, key));
    out.push_back(std::move(s));
  }
  return out;
}

Result<std::map<std::string, std::string>> stringMap(const toml::node& n, const std::string& where,
                                                     const std::string& key) {
  const toml::table* t = n.as_table();
  if (t == nullptr) return keyError(where, key, "must be a table of strings");
  if (t->size() > kMaxListEntries) {
    return keyError(where, key, "has more than " + std::to_string(kMaxListEntries) + " entries");
  }
  std::map<std::string, std::string> out;
  for (const auto& [k, v] : *t) {
    std::string name(k.str());
    WARD_ASSIGN_OR_RETURN(std::string s, stringOf(v, where, key + "." + name));
    // CR/LF would split an HTTP header or smuggle a second one.
    if (name.empty() || name.find_first_of("\r\n:= ") != std::string::npos ||
        s.find_first_of("\r\n") != std::string::npos) {
      return keyError(where, key + "." + name, "name or value contains a forbidden character");
    }
    out[name] = std::move(s);
  }
  return out;
}

bool validName(const std::string& n) {
  if (n.empty() || n.size() > 32) return false;
  return n.find_first_not_of("abcdefghijklmnopqrstuvwxyz0123456789_-") == std::string::npos;
}

Result<UpstreamConfig> parseOne(const toml::table& t, size_t index) {
  UpstreamConfig c;
  std::string where = "upstreams[" + std::to_string(index) + "]";
  for (const auto& [k, v] : t) {
    const std::string key(k.str());
    if (key == "name") {
      WARD_ASSIGN_OR_RETURN(c.name, stringOf(v, where, key));
    } else if (key == "transport") {
      WARD_ASSIGN_OR_RETURN(c.transport, stringOf(v, where, key));
    } else if (key == "command") {
      WARD_ASSIGN_OR_RETURN(c.command, stringOf(v, where, key));
    } else if (key == "args") {
      WARD_ASSIGN_OR_RETURN(c.args, stringList(v, where, key));
    } else if (key == "env") {
      WARD_ASSIGN_OR_RETURN(c.env, stringMap(v, where, key));
    } else if (key == "cwd") {
      WARD_ASSIGN_OR_RETURN(c.cwd, stringOf(v, where, key));
    } else if (key == "url") {
      WARD_ASSIGN_OR_RETURN(c.url, stringOf(v, where, key));
    } else if (key == "headers") {
      WARD_ASSIGN_OR_RETURN(c.headers, stringMap(v, where, key));
    } else if (key == "trusted" || key == "allow_sampling" || key == "allow_elicitation") {
      auto b = v.value<bool>();
      if (!v.is_boolean() || !b) return keyError(where, key, "must be a boolean");
      (key == "trusted"          ? c.trusted
       : key == "allow_sampling" ? c.allow_sampling
                                 : c.allow_elicitation) = *b;
    } else if (key == "read_only_tools") {
      WARD_ASSIGN_OR_RETURN(c.read_only_tools, stringList(v, where, key));
    } else if (key == "resources_for" || key == "prompts_for") {
      WARD_ASSIGN_OR_RETURN(std::vector<std::string> entries, stringList(v, where, key));
      for (const std::string& e : entries) {
        Status st = checkSubjectEntry(e);
        if (!st.ok()) return keyError(where, key, "'" + e + "': " + st.message());
      }
      (key == "resources_for" ? c.resources_for : c.prompts_for) = std::move(entries);
    } else if (key == "protocol") {
      WARD_ASSIGN_OR_RETURN(c.protocol, stringOf(v, where, key));
    } else if (key == "timeout_ms" || key == "max_message_bytes") {
      auto i = v.value<int64_t>();
      if (!v.is_integer() || !i) return keyError(where, key, "must be an integer");
      if (key == "timeout_ms") {
        if (*i < 1 || *i > 600000) return keyError(where, key, "must be between 1 and 600000");
        c.timeout_ms = *i;
      } else {
        if (*i < 1024 || *i > (256 << 20)) {
          return keyError(where, key, "must be between 1024 and 268435456");
        }
        c.max_message_bytes = static_cast<size_t>(*i);
      }
    } else {
      return keyError(where, key, "unknown key");
    }
  }
  if (!validName(c.name)) return keyError(where, "name", "must be 1-32 of [a-z0-9_-]");
  where = "upstreams." + c.name;
  if (c.transport == "stdio") {
    if (c.command.empty()) return keyError(where, "command", "is required for stdio upstreams");
    if (!c.url.empty() || !c.headers.empty()) {
      return keyError(where, "url", "url/headers are for http upstreams");
    }
  } else if (c.transport == "http") {
    if (c.url.rfind("http://", 0) != 0 && c.url.rfind("https://", 0) != 0) {
      return keyError(where, "url", "must start with http:// or https://");
    }
    if (!c.command.empty() || !c.args.empty() || !c.env.empty()) {
      return keyError(where, "command", "command/args/env are for stdio upstreams");
    }
  } else {
    return keyError(where, "transport", "must be \"stdio\" or \"http\"");
  }
  const auto& versions = supportedProtocolVersions();
  if (c.protocol != "auto" &&
      std::find(versions.begin(), versions.end(), c.protocol) == versions.end()) {
    return keyError(where, "protocol", "must be auto, 2026-07-28, 2025-11-25 or 2025-06-18");
  }
  return c;
}

}  // namespace

Status checkSubjectEntry(const std::string& entry) {
  // The same subjects as a gateway grant's subject_kind/subject (docs/design/gateway.md).
  size_t colon = entry.find(':');
  const std::string kind = colon == std::string::npos ? "" : entry.substr(0, colon);
  if (kind != "principal" && kind != "group" && kind != "agent") {
    return Status::invalidArgument("must be principal:<name>, group:<name> or agent:<name>");
  }
  const std::string name = entry.substr(colon + 1);
  // Principal names: 1-64 of [A-Za-z0-9._@-], not starting with '.' or '-' (identity).
  if (name.empty() || name.size() > 64 || name[0] == '.' || name[0] == '-' ||
      name.find_first_not_of(
          "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._@-") !=
          std::string::npos) {
    return Status::invalidArgument("the name must be 1-64 of [A-Za-z0-9._@-]");
  }
  return Status();
}

const std::vector<std::string>& supportedProtocolVersions() {
  static const std::vector<std::string> v = {"2026-07-28", "2025-11-25", "2025-06-18"};
  return v;
}

Result<std::vector<UpstreamConfig>> loadUpstreamConfigs(const std::string& path) {
  std::vector<UpstreamConfig> out;
  WARD_ASSIGN_OR_RETURN(toml::table table, readTomlFile(path));
  WARD_ASSIGN_OR_RETURN(std::vector<const toml::table*> list,
                        tomlArrayOfTables(table, "upstreams", kMaxUpstreams));
  std::set<std::string> names;
  for (size_t i = 0; i < list.size(); ++i) {
    WARD_ASSIGN_OR_RETURN(UpstreamConfig c, parseOne(*list[i], i));
    if (!names.insert(c.name).second) {
      return Status::invalidArgument("ward.toml: upstream '" + c.name + "' is defined twice");
    }
    out.push_back(std::move(c));
  }
  return out;
}

}  // namespace ward::upstream
