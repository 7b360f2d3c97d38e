// Building a trace::Redactor: rule files, per-tenant overlays and the placeholder key.
//
// The rule engine behind trace::Redactor is RE2. Every enabled rule's pattern goes into one
// RE2::Set, so a text with no secret costs one linear scan; only rules the set reports are run
// to find, validate and replace their matches. Rule format: docs/formats/redaction-rules.md;
// how it works and its limits: docs/design/redaction.md.
//
// Thread-safety: the functions here are thread-safe; a trace::Redactor they return never changes
// its results (it only memoizes short strings it found clean, under its own lock) and may be
// shared by any number of threads.
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "ward/common/status.h"
#include "ward/trace/redactor.h"

namespace ward::audit {

// The HMAC key length that loadOrCreateRedactionKey creates and loadRedactor expects at least.
inline constexpr size_t kRedactionKeyBytes = 32;

// One rule file given as text; `name` is used in error messages (usually its path).
struct RedactionRuleSource {
  std::string name;
  std::string toml;
};

struct RedactorOptions {
  // HMAC-SHA256 key for the placeholder hash; at least 16 bytes (32 from the key file).
  std::string key;
  // Start from the default rule set compiled into the binary.
  bool include_default_rules = true;
  // Overlays applied in order after the defaults (same format as a tenant file).
  std::vector<RedactionRuleSource> overlays;
  // A tenant file applied after `overlays`; empty or a missing file means none.
  std::string tenant_rules_path;
  // A single string longer than this is replaced whole by "[REDACTED:oversized:<hash>]"
  // rather than scanned (bounds latency; fails closed).
  size_t max_input_bytes = 4 << 20;
};

// Builds a redactor from the options. InvalidArgument names the file, rule and problem for a bad
// rule file (syntax, unknown key, invalid regex, unknown validator, ...); a short key is
// InvalidArgument; an unreadable tenant file is Unavailable.
Result<std::unique_ptr<trace::Redactor>> loadRedactor(const RedactorOptions& options);

// Reads the 32-byte key at `path`, or creates it (random, mode 0600, parent directory created)
// when absent. Corruption if the file is not exactly 32 bytes; FailedPrecondition if it is
// readable or writable by group or others; Unavailable for I/O errors. Safe against a
// concurrent creator (O_EXCL): both callers end up with the same key.
Result<std::string> loadOrCreateRedactionKey(const std::string& path);

// "<data_dir>/redaction/<tenant>.key" and "<data_dir>/redaction/<tenant>.toml".
std::string redactionKeyPath(const std::string& data_dir, const std::string& tenant);
std::string redactionRulesPath(const std::string& data_dir, const std::string& tenant);

// The redactor for a tenant of a data dir: defaults + the tenant's rule file (if any), with the
// tenant's key (created on first use).
Result<std::unique_ptr<trace::Redactor>> loadTenantRedactor(const std::string& data_dir,
                                                            const std::string& tenant);

// The default rule file compiled into the binary (rules/redaction/default.toml).
std::string_view defaultRedactionRules();

// The placeholder for `value`: "[REDACTED:<type>:<first 12 hex of HMAC-SHA256(key, value)>]".
std::string redactionPlaceholder(std::string_view key, std::string_view type,
                                 std::string_view value);

}  // namespace ward::audit
