// Exfiltration check (issue 13; docs/design/gateway.md "Untrusted content"): a tool call from a
// turn that retrieved private text, whose string arguments carry a verbatim run of that text of
// at least kExfilMinRunBytes normalised bytes, is suspect: the text is leaving through the tool.
// Normalisation (both sides): ASCII letters lower-cased, every run of white space one space.
// Linear time: a rolling hash of every kExfilMinRunBytes-byte window of the retrieved text, then
// one pass over each argument string; a hash hit is compared byte for byte. Pure; thread-safe.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "ward/common/json.h"
#include "ward/gateway/stage.h"

namespace ward::gateway {

// The shortest verbatim run (normalised bytes) that flags a call.
inline constexpr size_t kExfilMinRunBytes = 80;

struct ExfilFinding {
  std::string source;  // the retrieved text's source ("doc:<id>")
  size_t start = 0;    // byte offsets of the run in that text as retrieved (end exclusive)
  size_t end = 0;
  size_t length = 0;    // normalised bytes of the run
  std::string pointer;  // the argument's JSON pointer ("/body")
  Json toJson() const;  // {source, doc_id?, start, end, length, pointer, min_run}
};

// The first run found (argument strings in document order, each scanned from its start), extended
// as far as it matches; none when no argument carries one.
std::optional<ExfilFinding> findVerbatimRun(const Json& args, const std::vector<TurnText>& texts,
                                            size_t min_run = kExfilMinRunBytes);

}  // namespace ward::gateway
