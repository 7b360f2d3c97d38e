// [answer] of ward.toml; the contract is in include/ward/answer/answer_config.h.
#include "ward/answer/answer_config.h"
#include "ward/common/toml_file.h"

#include <toml++/toml.h>

namespace ward::answer {

namespace {

Status bad(const std::string& key, const std::string& what) {
  return Status::invalidArgument("ward.toml: 'answer." + key + "' " + what);
}

Result<int> intIn(const toml::node& n, const std::string& key, int min, int max) {
  auto v = n.value<int64_t>();
  if (!n.is_integer() || !v || *v < min || *v > max) {
    return bad(key,
               "must be an integer between " + std::to_string(min) + " and " + std::to_string(max));
  }
  return static_cast<int>(*v);
}

}  // namespace

Result<AnswerConfig> loadAnswerConfig(const std::string& path) {
  AnswerConfig c;
  WARD_ASSIGN_OR_RETURN(toml::table table, readTomlFile(path));
  WARD_ASSIGN_OR_RETURN(const toml::table* t, tomlSection(table, "answer"));
  if (t == nullptr) return c;
  for (const auto& [k, v] : *t) {
    const std::string key(k.str());
    if (key == "default_k") {
      WARD_ASSIGN_OR_RETURN(c.default_k, intIn(v, key, 1, kAnswerMaxKCeiling));
    } else if (key == "max_k") {
      WARD_ASSIGN_OR_RETURN(c.max_k, intIn(v, key, 1, kAnswerMaxKCeiling));
    } else if (key == "model") {
      auto s = v.value<std::string>();
      if (!v.is_string() || !s) return bad(key, "must be a string");
      c.model = *s;
    } else if (key == "link_hosts") {
      const toml::array* a = v.as_array();
      if (a == nullptr) return bad(key, "must be an array of host names");
      for (const auto& e : *a) {
        auto s = e.value<std::string>();
        if (!e.is_string() || !s || s->empty()) return bad(key, "must hold host names");
        c.link_hosts.push_back(*s);
      }
    } else {
      return Status::invalidArgument("ward.toml: unknown key 'answer." + key + "'");
    }
  }
  if (c.default_k > c.max_k) return bad("default_k", "must be <= answer.max_k");
  return c;
}

}  // namespace ward::answer
