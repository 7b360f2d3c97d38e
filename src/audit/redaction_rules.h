// Parsing redaction rule files (docs/formats/redaction-rules.md) into the merged rule list that
// the engine compiles. Value types; thread-compatible.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include <re2/re2.h>

#include "ward/common/status.h"

namespace ward::audit::internal {

enum class RuleValidator { kNone, kLuhn, kIbanMod97, kUsSsn, kJwt, kPhone };

// One rule as written in a file, after checking (the pattern is known to compile).
struct RedactionRule {
  std::string id;
  std::string type;
  std::string pattern;
  int group = 0;
  RuleValidator validator = RuleValidator::kNone;
  double min_entropy = 0;
  int min_classes = 0;
  std::vector<std::string> keywords;  // lowercased
  int keyword_window = 48;
  bool enabled = true;
  std::string source;  // file name, for messages
  // The pattern as checked (Latin-1, errors not logged): the engine uses this one rather than
  // compiling the pattern again. Null only in a rule built by hand, which the engine compiles.
  std::shared_ptr<const RE2> compiled;
};

// What the files say once applied in order: the rules in priority order and the secret JSON keys
// (normalised: lowercase, without '_', '-', '.' and spaces).
struct RedactionRuleSet {
  std::vector<RedactionRule> rules;
  std::vector<std::string> secret_keys;
};

// Applies one file to `set`: checks everything first and changes `set` only when the whole file
// is valid. `name` prefixes every error message.
Status applyRuleFile(const std::string& name, const std::string& toml_text, RedactionRuleSet* set);

// Lowercases and drops '_', '-', '.' and ' ' ("X-Api-Key" -> "xapikey").
std::string normalizeSecretKey(std::string_view key);

// Name of a validator as written in files ("luhn"), and back (false if unknown).
const char* validatorName(RuleValidator v);
bool parseValidatorName(std::string_view name, RuleValidator* out);

}  // namespace ward::audit::internal
