// Content flags kept with a document version (docs/design/ingest.md, "Injection scanner"): the
// ingest-time scanner writes them, search shows them on hits. They live in the version's stored
// metadata under one reserved key, so both stores keep them with no schema change.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "ward/common/json.h"

namespace ward::store {

// The stored metadata key of a version's flags: a sorted JSON array of strings such as
// "injection:override.ignore_previous", absent when there are none. Reserved: callers' metadata
// may not set it (the ingest paths refuse or overwrite it).
inline constexpr std::string_view kDocumentFlagsKey = "ward_flags";

// The flags in `metadata` (empty when none or malformed).
inline std::vector<std::string> documentFlags(const Json& metadata) {
  std::vector<std::string> out;
  if (!metadata.is_object()) return out;
  auto it = metadata.find(std::string(kDocumentFlagsKey));
  if (it == metadata.end() || !it->is_array()) return out;
  for (const auto& f : *it) {
    if (f.is_string()) out.push_back(f.get<std::string>());
  }
  return out;
}

}  // namespace ward::store
