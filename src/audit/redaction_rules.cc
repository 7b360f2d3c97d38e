#include "redaction_rules.h"

#include <re2/re2.h>

#include <toml++/toml.h>
#include <algorithm>
#include <cctype>
#include <map>
#include <set>

namespace ward::audit::internal {

namespace {

constexpr int kMaxKeywordWindow = 1024;

bool isName(std::string_view s) {
  if (s.empty() || s.size() > 64) return false;
  return std::all_of(s.begin(), s.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
  });
}

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// Reads an array of strings; `what` names it in messages.
Status stringArray(const toml::node& node, const std::string& what, std::vector<std::string>* out) {
  const toml::array* arr = node.as_array();
  if (arr == nullptr) return Status::invalidArgument(what + " must be an array of strings");
  for (const toml::node& item : *arr) {
    auto s = item.value<std::string>();
    if (!item.is_string() || !s)
      return Status::invalidArgument(what + " must be an array of strings");
    out->push_back(*s);
  }
  return Status::okStatus();
}

Status parseRule(const toml::table& t, const std::string& where, RedactionRule* rule) {
  auto bad = [&](const std::string& m) { return Status::invalidArgument(where + ": " + m); };
  bool has_id = false, has_type = false, has_pattern = false;
  for (auto&& [k, v] : t) {
    const std::string key(k.str());
    if (key == "id" || key == "type" || key == "pattern" || key == "description") {
      if (!v.is_string()) return bad("'" + key + "' must be a string");
      std::string s = *v.value<std::string>();
      if (key == "id") rule->id = s, has_id = true;
      if (key == "type") rule->type = s, has_type = true;
      if (key == "pattern") rule->pattern = s, has_pattern = true;
    } else if (key == "group" || key == "min_classes" || key == "keyword_window") {
      if (!v.is_integer()) return bad("'" + key + "' must be an integer");
      int64_t n = v.as_integer()->get();
      int64_t max = key == "group" ? 99 : key == "min_classes" ? 4 : kMaxKeywordWindow;
      int64_t min = key == "keyword_window" ? 1 : 0;
      if (n < min || n > max) {
        return bad("'" + key + "' must be between " + std::to_string(min) + " and " +
                   std::to_string(max));
      }
      int value = static_cast<int>(n);
      if (key == "group") rule->group = value;
      if (key == "min_classes") rule->min_classes = value;
      if (key == "keyword_window") rule->keyword_window = value;
    } else if (key == "min_entropy") {
      if (!v.is_number()) return bad("'min_entropy' must be a number");
      double d = v.is_integer() ? static_cast<double>(v.as_integer()->get())
                                : v.as_floating_point()->get();
      if (!(d >= 0 && d <= 8)) return bad("'min_entropy' must be between 0 and 8");
      rule->min_entropy = d;
    } else if (key == "validator") {
      if (!v.is_string()) return bad("'validator' must be a string");
      std::string name = *v.value<std::string>();
      if (!parseValidatorName(name, &rule->validator)) {
        return bad("unknown validator '" + name +
                   "' (expected none, luhn, iban_mod97, us_ssn, jwt or phone)");
      }
    } else if (key == "keywords") {
      std::vector<std::string> words;
      WARD_RETURN_IF_ERROR(stringArray(v, where + ": 'keywords'", &words));
      for (const std::string& w : words) {
        if (w.empty()) return bad("'keywords' must not contain an empty string");
        rule->keywords.push_back(lower(w));
      }
    } else if (key == "enabled") {
      if (!v.is_boolean()) return bad("'enabled' must be a boolean");
      rule->enabled = v.as_boolean()->get();
    } else {
      return bad("unknown key '" + key + "'");
    }
  }
  if (!has_id) return bad("missing 'id'");
  if (!isName(rule->id)) return bad("'id' must be 1-64 of [a-z0-9_]");
  if (!has_type) return bad("missing 'type'");
  if (!isName(rule->type)) return bad("'type' must be 1-64 of [a-z0-9_]");
  if (!has_pattern || rule->pattern.empty()) return bad("missing 'pattern'");

  RE2::Options opts;
  opts.set_encoding(RE2::Options::EncodingLatin1);
  opts.set_log_errors(false);
  auto re = std::make_shared<const RE2>(rule->pattern, opts);
  if (!re->ok()) return bad("invalid pattern: " + re->error());
  if (rule->group > re->NumberOfCapturingGroups()) {
    return bad("'group' is " + std::to_string(rule->group) + " but the pattern has " +
               std::to_string(re->NumberOfCapturingGroups()) + " capture group(s)");
  }
  if (RE2::PartialMatch("", *re)) return bad("pattern matches the empty string");
  rule->compiled = std::move(re);  // kept for the engine: a pattern is compiled once
  return Status::okStatus();
}

}  // namespace

std::string normalizeSecretKey(std::string_view key) {
  std::string out;
  out.reserve(key.size());
  for (char c : key) {
    if (c == '_' || c == '-' || c == '.' || c == ' ') continue;
    out.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
  }
  return out;
}

const char* validatorName(RuleValidator v) {
  switch (v) {
    case RuleValidator::kNone:
      return "none";
    case RuleValidator::kLuhn:
      return "luhn";
    case RuleValidator::kIbanMod97:
      return "iban_mod97";
    case RuleValidator::kUsSsn:
      return "us_ssn";
    case RuleValidator::kJwt:
      return "jwt";
    case RuleValidator::kPhone:
      return "phone";
  }
  return "none";
}

bool parseValidatorName(std::string_view name, RuleValidator* out) {
  static const std::map<std::string_view, RuleValidator> kNames = {
      {"none", RuleValidator::kNone},
      {"luhn", RuleValidator::kLuhn},
      {"iban_mod97", RuleValidator::kIbanMod97},
      {"us_ssn", RuleValidator::kUsSsn},
      {"jwt", RuleValidator::kJwt},
      {"phone", RuleValidator::kPhone}};
  auto it = kNames.find(name);
  if (it == kNames.end()) return false;
  *out = it->second;
  return true;
}

Status applyRuleFile(const std::string& name, const std::string& toml_text, RedactionRuleSet* set) {
  toml::table table;
  try {
    table = toml::parse(toml_text, name);
  } catch (const toml::parse_error& e) {
    return Status::invalidArgument(name + ": " + std::string(e.description()) + " at line " +
                                   std::to_string(e.source().begin.line));
  }
  bool has_version = false;
  std::vector<std::string> disable, secret_keys;
  std::vector<RedactionRule> rules;
  for (auto&& [k, v] : table) {
    const std::string key(k.str());
    if (key == "version") {
      if (!v.is_integer() || v.as_integer()->get() != 1) {
        return Status::invalidArgument(name + ": 'version' must be the integer 1");
      }
      has_version = true;
    } else if (key == "disable") {
      WARD_RETURN_IF_ERROR(stringArray(v, name + ": 'disable'", &disable));
    } else if (key == "secret_keys") {
      WARD_RETURN_IF_ERROR(stringArray(v, name + ": 'secret_keys'", &secret_keys));
    } else if (key == "rule") {
      const toml::array* arr = v.as_array();
      if (arr == nullptr) return Status::invalidArgument(name + ": 'rule' must be [[rule]] tables");
      int index = 0;
      for (const toml::node& item : *arr) {
        ++index;
        const toml::table* t = item.as_table();
        std::string where = name + ": rule #" + std::to_string(index);
        if (t == nullptr) return Status::invalidArgument(where + ": must be a table");
        if (auto id = (*t)["id"].value<std::string>()) {
          where = name + ": rule '" + *id + "' (#" + std::to_string(index) + ")";
        }
        RedactionRule rule;
        rule.source = name;
        WARD_RETURN_IF_ERROR(parseRule(*t, where, &rule));
        for (const RedactionRule& seen : rules) {
          if (seen.id == rule.id) return Status::invalidArgument(where + ": duplicate id");
        }
        rules.push_back(std::move(rule));
      }
    } else {
      return Status::invalidArgument(name + ": unknown key '" + key + "'");
    }
  }
  if (!has_version) return Status::invalidArgument(name + ": missing 'version = 1'");

  // Everything checked; now apply. Disabling refers to rules defined by earlier files.
  RedactionRuleSet next = *set;
  for (const std::string& id : disable) {
    auto it = std::find_if(next.rules.begin(), next.rules.end(),
                           [&](const RedactionRule& r) { return r.id == id; });
    if (it == next.rules.end()) {
      return Status::invalidArgument(name + ": 'disable' names unknown rule '" + id + "'");
    }
    it->enabled = false;
  }
  for (RedactionRule& rule : rules) {
    auto it = std::find_if(next.rules.begin(), next.rules.end(),
                           [&](const RedactionRule& r) { return r.id == rule.id; });
    if (it != next.rules.end()) {
      *it = std::move(rule);  // replacing keeps the replaced rule's priority
    } else {
      next.rules.push_back(std::move(rule));
    }
  }
  for (const std::string& k : secret_keys) {
    std::string n = normalizeSecretKey(k);
    if (n.empty()) return Status::invalidArgument(name + ": 'secret_keys' has an empty name");
    if (std::find(next.secret_keys.begin(), next.secret_keys.end(), n) == next.secret_keys.end()) {
      next.secret_keys.push_back(n);
    }
  }
  *set = std::move(next);
  return Status::okStatus();
}

}  // namespace ward::audit::internal
