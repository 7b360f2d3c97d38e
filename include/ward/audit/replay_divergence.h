// The first divergence between a recorded run and its replay (docs/design/audit.md "Replay"),
// generic over two lists of steps so the proxy's `ward replay` and the answer loop share it.
// A step is what one model call was asked and answered:
//   request:  any JSON (the Ward-form request of the call)
//   response: {"text"?: string, "tool_calls"?: [{"name", "arguments"}], "finish_reason"?: string,
//              "citations"?: [...]} (other members are compared as `text` is not: by pointer)
// Pure functions; thread-safe.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ward/common/json.h"

namespace ward::audit {

// How much text a divergence quotes on each side of the first differing character.
inline constexpr size_t kDivergenceContextChars = 80;

enum class DivergenceKind { kRequest, kToolCallSet, kToolArgs, kText, kCitations, kFinishReason };
std::string_view divergenceKindName(DivergenceKind k);

struct ReplayStep {
  Json request;
  Json response;
};

struct Divergence {
  size_t step = 0;  // 0-based index of the first step that differs
  DivergenceKind kind = DivergenceKind::kRequest;
  std::string pointer;  // RFC 6901 JSON Pointer into the step's request or response
  Json recorded;        // the value at `pointer` in the recording (null when absent)
  Json replayed;        // ... and in the replay
  std::string context;  // text: up to kDivergenceContextChars either side of the first change
  Json toJson() const;  // {step, kind, pointer, recorded, replayed, context}
};

// The JSON Pointer of the first place where `a` and `b` differ ("" when the roots differ in
// type or scalar value); nullopt when they are equal. Object members are visited in key order,
// array elements in index order.
std::optional<std::string> firstDifference(const Json& a, const Json& b);

// The first divergence of `replayed` from `recorded`: per step, the request first, then the
// set of tool calls (their names, in order), their arguments, the text, the citations, the
// finish reason. A replay with fewer or more steps diverges at the first missing step with kind
// `tool_call_set` (the model asked for tools in one run and not the other). nullopt: identical.
std::optional<Divergence> firstDivergence(const std::vector<ReplayStep>& recorded,
                                          const std::vector<ReplayStep>& replayed);

}  // namespace ward::audit
