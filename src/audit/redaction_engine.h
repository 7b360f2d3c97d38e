// RuleRedactor: the RE2 implementation of trace::Redactor.
//
// All enabled rules are compiled twice: into one RE2::Set (the prefilter: which rules match
// anywhere in the text, in one DFA pass) and one RE2 each (positions and capture groups, run only
// for rules the set reported; that one is the RE2 the rule file's check compiled, kept with the
// rule). Matches are validated, checked for context keywords, and resolved
// by priority (earlier rules win overlaps) before the text is rebuilt with placeholders.
// Immutable after create(); every method is const and thread-safe.
#pragma once

#include <re2/re2.h>
#include <re2/set.h>

#include <memory>
#include <string>
#include <string_view>
#include <unordered_set>
#include <vector>

#include "redaction_rules.h"
#include "ward/common/mutex.h"
#include "ward/common/status.h"
#include "ward/trace/redactor.h"

namespace ward::audit::internal {

// redactJson's memo of clean short strings (object keys, names, enum values: what every record
// repeats): strings up to kMaxMemoizedCleanBytes that the prefilter found no rule in are not
// scanned again; at most kMaxMemoizedCleanStrings are kept (then the memo starts afresh).
inline constexpr size_t kMaxMemoizedCleanBytes = 32;
inline constexpr size_t kMaxMemoizedCleanStrings = 4096;

class RuleRedactor final : public trace::Redactor {
 public:
  // Compiles the enabled rules of `set`. `key` is the HMAC key for placeholders.
  static Result<std::unique_ptr<RuleRedactor>> create(const RedactionRuleSet& set, std::string key,
                                                      size_t max_input_bytes);

  std::string redactText(std::string_view text,
                         trace::RedactionStats* stats = nullptr) const override;
  void redactJson(Json& value, trace::RedactionStats* stats = nullptr) const override;

  // Number of enabled rules (for the CLI and tests).
  size_t ruleCount() const { return rules_.size(); }

 private:
  struct CompiledRule {
    RedactionRule spec;
    std::shared_ptr<const RE2> re;  // the rule file's compiled pattern, shared
  };
  struct Span {
    size_t begin;
    size_t end;
    size_t rule;
  };

  RuleRedactor() = default;

  // Indexes of the rules that may match somewhere in `text` (all rules if the set fails).
  std::vector<size_t> candidateRules(std::string_view text) const;
  // Redacts `text` with only `rules`; returns false (and leaves `out` alone) if nothing changed.
  bool redactWith(std::string_view text, const std::vector<size_t>& rules, std::string* out,
                  trace::RedactionStats* stats) const;
  // The accepted, non-overlapping spans of `rules` in `text`, sorted by position.
  std::vector<Span> findSpans(std::string_view text, const std::vector<size_t>& rules) const;
  bool keywordBefore(const RedactionRule& rule, std::string_view text, size_t pos) const;
  bool isSecretKey(std::string_view key) const;
  std::string placeholder(std::string_view type, std::string_view value,
                          trace::RedactionStats* stats) const;
  // The JSON passes (redaction_json.cc). The first collects what the prefilter must scan into
  // `scan_buffer`, leaving out memoized clean strings and Ward's own digests; `fresh` gets the
  // short strings scanned, memoized once the prefilter finds nothing.
  void replaceSecretFields(Json& root, std::string* scan_buffer,
                           std::vector<std::string_view>* fresh,
                           trace::RedactionStats* stats) const;
  void redactJsonStrings(Json& root, const std::vector<size_t>& rules,
                         trace::RedactionStats* stats) const;

  std::vector<CompiledRule> rules_;
  std::unique_ptr<RE2::Set> set_;
  std::vector<std::string> secret_keys_;
  std::string key_;
  size_t max_input_bytes_ = 0;

  struct ViewHash {
    using is_transparent = void;
    size_t operator()(std::string_view s) const { return std::hash<std::string_view>()(s); }
  };
  mutable SharedMutex memo_mu_;
  mutable std::unordered_set<std::string, ViewHash, std::equal_to<>> clean_
      WARD_GUARDED_BY(memo_mu_);
};

}  // namespace ward::audit::internal
