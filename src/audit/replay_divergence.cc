#include "ward/audit/replay_divergence.h"

#include <algorithm>

#include "ward/common/encoding.h"

namespace ward::audit {

namespace {

Json at(const Json& doc, const std::string& pointer) {
  if (pointer.empty()) return doc;
  try {
    const Json::json_pointer p(pointer);
    return doc.contains(p) ? doc.at(p) : Json();
  } catch (const std::exception&) {
    return Json();
  }
}

Json member(const Json& j, const char* key) {
  return j.is_object() && j.contains(key) ? j[key] : Json();
}

// The tool calls' names, in order: the "set" of calls the model asked for.
Json callNames(const Json& response) {
  Json names = Json::array();
  const Json calls = member(response, "tool_calls");
  if (!calls.is_array()) return names;
  for (const Json& c : calls) names.push_back(member(c, "name"));
  return names;
}

std::string textContext(const std::string& a, const std::string& b) {
  size_t i = 0;
  while (i < a.size() && i < b.size() && a[i] == b[i]) ++i;
  const size_t from = i > kDivergenceContextChars ? i - kDivergenceContextChars : 0;
  auto side = [&](const std::string& s) { return s.substr(from, 2 * kDivergenceContextChars); };
  return "at character " + std::to_string(i) + ": recorded \"" + side(a) + "\" / replayed \"" +
         side(b) + "\"";
}

Divergence make(size_t step, DivergenceKind kind, const std::string& pointer, const Json& a,
                const Json& b) {
  Divergence d;
  d.step = step;
  d.kind = kind;
  d.pointer = pointer;
  d.recorded = at(a, pointer);
  d.replayed = at(b, pointer);
  return d;
}

}  // namespace

std::string_view divergenceKindName(DivergenceKind k) {
  switch (k) {
    case DivergenceKind::kRequest:
      return "request";
    case DivergenceKind::kToolCallSet:
      return "tool_call_set";
    case DivergenceKind::kToolArgs:
      return "tool_args";
    case DivergenceKind::kText:
      return "text";
    case DivergenceKind::kCitations:
      return "citations";
    case DivergenceKind::kFinishReason:
      return "finish_reason";
  }
  return "request";
}

Json Divergence::toJson() const {
  Json j = {{"step", step},
            {"kind", std::string(divergenceKindName(kind))},
            {"pointer", pointer},
            {"recorded", recorded},
            {"replayed", replayed}};
  if (!context.empty()) j["context"] = context;
  return j;
}

std::optional<std::string> firstDifference(const Json& a, const Json& b) {
  if (a == b) return std::nullopt;
  if (a.is_object() && b.is_object()) {
    std::vector<std::string> keys;
    for (auto it = a.begin(); it != a.end(); ++it) keys.push_back(it.key());
    for (auto it = b.begin(); it != b.end(); ++it) keys.push_back(it.key());
    std::sort(keys.begin(), keys.end());
    keys.erase(std::unique(keys.begin(), keys.end()), keys.end());
    for (const std::string& k : keys) {
      const Json x = a.contains(k) ? a[k] : Json();
      const Json y = b.contains(k) ? b[k] : Json();
      if (a.contains(k) != b.contains(k)) return "/" + jsonPointerToken(k);
      if (auto inner = firstDifference(x, y)) return "/" + jsonPointerToken(k) + *inner;
    }
    return std::string();
  }
  if (a.is_array() && b.is_array()) {
    const size_t n = std::max(a.size(), b.size());
    for (size_t i = 0; i < n; ++i) {
      if (i >= a.size() || i >= b.size()) return "/" + std::to_string(i);
      if (auto inner = firstDifference(a[i], b[i])) return "/" + std::to_string(i) + *inner;
    }
  }
  return std::string();
}

std::optional<Divergence> firstDivergence(const std::vector<ReplayStep>& recorded,
                                          const std::vector<ReplayStep>& replayed) {
  const size_t n = std::max(recorded.size(), replayed.size());
  for (size_t i = 0; i < n; ++i) {
    if (i >= recorded.size() || i >= replayed.size()) {
      Divergence d;
      d.step = i;
      d.kind = DivergenceKind::kToolCallSet;
      d.pointer = "";
      d.recorded = i < recorded.size() ? recorded[i].response : Json();
      d.replayed = i < replayed.size() ? replayed[i].response : Json();
      return d;
    }
    const ReplayStep& r = recorded[i];
    const ReplayStep& p = replayed[i];
    if (auto ptr = firstDifference(r.request, p.request)) {
      Divergence d = make(i, DivergenceKind::kRequest, *ptr, r.request, p.request);
      return d;
    }
    const Json& a = r.response;
    const Json& b = p.response;
    if (auto ptr = firstDifference(callNames(a), callNames(b))) {
      // The pointer names the first call whose presence or name differs ("/tool_calls/1").
      Divergence d = make(i, DivergenceKind::kToolCallSet, "/tool_calls" + *ptr, a, b);
      d.recorded = callNames(a);
      d.replayed = callNames(b);
      return d;
    }
    if (auto ptr = firstDifference(member(a, "tool_calls"), member(b, "tool_calls"))) {
      return make(i, DivergenceKind::kToolArgs, "/tool_calls" + *ptr, a, b);
    }
    if (auto ptr = firstDifference(member(a, "text"), member(b, "text"))) {
      Divergence d = make(i, DivergenceKind::kText, "/text", a, b);
      const Json x = member(a, "text"), y = member(b, "text");
      d.context = textContext(x.is_string() ? x.get<std::string>() : x.dump(),
                              y.is_string() ? y.get<std::string>() : y.dump());
      return d;
    }
    if (auto ptr = firstDifference(member(a, "citations"), member(b, "citations"))) {
      return make(i, DivergenceKind::kCitations, "/citations" + *ptr, a, b);
    }
    if (auto ptr = firstDifference(member(a, "finish_reason"), member(b, "finish_reason"))) {
      return make(i, DivergenceKind::kFinishReason, "/finish_reason", a, b);
    }
    if (auto ptr = firstDifference(a, b)) {
      // Anything else the step's response holds: reported under its own pointer as text.
      return make(i, DivergenceKind::kText, *ptr, a, b);
    }
  }
  return std::nullopt;
}

}  // namespace ward::audit
