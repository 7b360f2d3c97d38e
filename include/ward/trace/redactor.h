// Redaction of secrets and personal data before anything is stored or shown: the audit log, tool
// results returned to callers and exported traces all pass through a Redactor.
//
// A redacted value becomes a typed placeholder plus a keyed hash, "[REDACTED:<type>:<hash>]",
// where <hash> is the first 12 hex digits of HMAC-SHA256(tenant key, value): equal values stay
// linkable across records without being readable. Implementations are immutable after
// construction and safe to call from many threads at once. The rule-based implementation is the
// audit module's (ward/audit/redaction.h, docs/design/redaction.md).
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>

#include "ward/common/json.h"

namespace ward::trace {

// What one redaction pass replaced, by placeholder type ("aws_access_key", "email", ...).
struct RedactionStats {
  int64_t values_redacted = 0;
  std::map<std::string, int64_t> by_type;
};

class Redactor {
 public:
  virtual ~Redactor() = default;
  // Returns `text` with every match replaced by its placeholder.
  virtual std::string redactText(std::string_view text, RedactionStats* stats = nullptr) const = 0;
  // Redacts every string in `value` in place (object keys are kept; values under keys that name a
  // secret, such as "password" or "api_key", are replaced whole).
  virtual void redactJson(Json& value, RedactionStats* stats = nullptr) const = 0;
};

}  // namespace ward::trace
