// The ingest-time prompt-injection scanner (docs/design/ingest.md, "Injection scanner"): a table
// of rules (rules/injection/default.toml, compiled in) run over a document's title and extracted
// text. A match flags the document version ("injection:<rule id>" in its stored metadata under
// kInjectionFlagsKey); it never drops, hides or rewrites the document.
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "ward/common/status.h"
#include "ward/store/document_flags.h"
#include "ward/store/records.h"

namespace ward::ingest {

// Bytes of a document's text (title first, then its chunks in order) that are scanned; the rest
// is not. A document's chunks are scanned in order until the budget is spent.
inline constexpr size_t kMaxScannedBytes = 1 << 20;
// Rules a rule table may hold.
inline constexpr size_t kMaxInjectionRules = 64;
// Base64 runs decoded and rescanned per document (kind "base64"); later runs are not decoded.
inline constexpr size_t kMaxBase64Runs = 16;
// Bytes of a base64 run that are decoded (a longer run is cut to this before decoding).
inline constexpr size_t kMaxBase64RunBytes = 4096;
// Bytes of text around a match that an `ingest.flagged` audit event carries, per rule.
inline constexpr size_t kMaxFlagExcerptBytes = 160;
// The stored metadata key of a version's flags (store/document_flags.h): a sorted JSON array of
// "injection:<id>" strings, absent when nothing matched. Reserved: a record's metadata may not use it.
inline constexpr std::string_view kInjectionFlagsKey = store::kDocumentFlagsKey;
// Prefix of every flag the scanner sets.
inline constexpr std::string_view kInjectionFlagPrefix = "injection:";

enum class InjectionRuleKind {
  kPattern,  // RE2 over the text
  kBase64,   // RE2 that finds base64 runs; decoded runs are matched against in_base64 rules
};

struct InjectionRule {
  std::string id;
  InjectionRuleKind kind = InjectionRuleKind::kPattern;
  std::string pattern;
  int min_count = 1;       // matches needed (counted up to min_count)
  bool in_base64 = false;  // also applied to decoded base64 runs
  std::string description;
};

// One rule that matched, with a bounded excerpt around its first match (for the audit event).
struct InjectionMatch {
  std::string rule_id;
  std::string excerpt;  // at most kMaxFlagExcerptBytes, valid UTF-8, controls shown as \u{XXXX}
};

// Compiled rules. Immutable once built; scan() is thread-safe.
class InjectionScanner {
 public:
  // Parses a rule table (TOML, the format in rules/injection/default.toml). InvalidArgument
  // names the rule and the problem (unknown key, bad id, duplicate id, a pattern RE2 refuses,
  // more than kMaxInjectionRules rules).
  static Result<std::unique_ptr<InjectionScanner>> fromToml(std::string_view toml_text);
  // The compiled-in default table (built once; it is tested, so it always compiles).
  static const InjectionScanner& defaultScanner();
  ~InjectionScanner();

  // Rule ids that match `pieces` (scanned in order up to kMaxScannedBytes in all), sorted.
  std::vector<std::string> scan(const std::vector<std::string_view>& pieces) const;
  // The same with an excerpt per matching rule.
  std::vector<InjectionMatch> explain(const std::vector<std::string_view>& pieces) const;
  const std::vector<InjectionRule>& rules() const { return rules_; }

 private:
  struct Compiled;
  explicit InjectionScanner(std::vector<InjectionRule> rules);
  std::vector<InjectionRule> rules_;
  std::unique_ptr<Compiled> compiled_;
};

// Scans `w`'s title and chunks with the default scanner and sets (or clears)
// w.metadata[kInjectionFlagsKey]. Called wherever chunks are made (fillChunks).
void flagInjection(store::DocumentWrite& w);
// The default scanner's matches on `w`'s title and chunks, with excerpts (for the audit event).
std::vector<InjectionMatch> explainInjection(const store::DocumentWrite& w);
// The flags stored on a document or write ("injection:<id>" strings; empty when none).
inline std::vector<std::string> injectionFlags(const Json& metadata) {
  return store::documentFlags(metadata);
}
// Copies the stored flags of `stored` (the live version's metadata) into `metadata`, replacing any
// there: for a write whose content hash equals the stored one, which is not parsed or scanned.
void keepInjectionFlags(const Json& stored, Json& metadata);

}  // namespace ward::ingest
