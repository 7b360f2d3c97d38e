// Cases from recorded traces (eval_from_trace.h).
#include "ward/eval/eval_from_trace.h"

#include <set>
#include <vector>

#include "ward/answer/citation.h"
#include "ward/eval/eval_metrics.h"
#include "ward/eval/eval_suite.h"

namespace ward::eval {

namespace {

const Json* findEvent(const Json& events, const char* kind, bool last) {
  const Json* found = nullptr;
  for (const auto& e : events) {
    if (e.value("kind", "") != kind) continue;
    found = &e;
    if (!last) break;
  }
  return found;
}

Json baseCase(const Json& trace, const Json& event, const char* kind, const std::string& text) {
  const std::string trace_id = trace.value("trace_id", "");
  Json c = {{"id", "trace-" + trace_id.substr(0, 12)},
            {"kind", kind},
            {"as", event.value("principal", "")},
            {"question", text},
            {"tags", Json::array({"from-trace"})}};
  const Json& attrs = event["attributes"];
  if (attrs.contains("agent") && attrs["agent"].is_string()) c["agent"] = attrs["agent"];
  return c;
}

Result<Json> answerCase(const Json& trace, const Json& event) {
  const Json& attrs = event["attributes"];
  if (!attrs.contains("question") || !attrs["question"].is_string()) {
    return Status::invalidArgument("the trace's answer has no recorded question (redacted?)");
  }
  std::vector<std::string> cited;
  std::set<std::string> seen;
  for (const auto& sentence : attrs.value("sentences", Json::array())) {
    for (const auto& ci : sentence.value("citations", Json::array())) {
      if (!ci.value("verified", false)) continue;
      std::string doc = ci.value("doc_id", "");
      if (!doc.empty() && seen.insert(doc).second) cited.push_back(doc);
    }
  }
  if (cited.empty()) {
    return Status::invalidArgument(
        "the trace's answer has no verified citation: use --kind retrieval or write the case");
  }
  Json c = baseCase(trace, event, "answer", attrs["question"].get<std::string>());
  c["must_cite"] = cited;
  return c;
}

constexpr std::string_view kOverrideRubricPrefix = "A reviewer corrected the answer to: ";

// `s` cut to at most `max` bytes, never inside a UTF-8 sequence.
std::string cutAtCodePoint(const std::string& s, size_t max) {
  if (s.size() <= max) return s;
  size_t end = max;
  while (end > 0 && (static_cast<unsigned char>(s[end]) & 0xC0) == 0x80) --end;
  return s.substr(0, end);
}

Result<Json> retrievalCase(const Json& trace, const Json& event) {
  const Json& attrs = event["attributes"];
  if (!attrs.contains("query") || !attrs["query"].is_string()) {
    return Status::invalidArgument("the trace's search has no recorded query (redacted?)");
  }
  std::vector<std::string> expected;
  std::set<std::string> seen;
  for (const auto& h : attrs.value("hits", Json::array())) {
    std::string doc = h.value("doc_id", "");
    if (doc.empty() || !seen.insert(doc).second) continue;
    expected.push_back(doc);
    if (expected.size() == kFromTraceExpectedDocs) break;
  }
  if (expected.empty()) return Status::invalidArgument("the trace's search returned no hit");
  Json c = baseCase(trace, event, "retrieval", attrs["query"].get<std::string>());
  c["expected"] = expected;
  return c;
}

}  // namespace

Result<Json> caseFromTrace(const Json& trace, FromTraceKind kind) {
  if (!trace.is_object() || !trace.contains("events") || !trace["events"].is_array()) {
    return Status::invalidArgument("not a trace (no events)");
  }
  const Json& events = trace["events"];
  const Json* answer = findEvent(events, "answer", true);
  if (kind == FromTraceKind::kAnswer || (kind == FromTraceKind::kAuto && answer != nullptr)) {
    if (answer == nullptr) return Status::invalidArgument("the trace has no answer event");
    return answerCase(trace, *answer);
  }
  const Json* search = findEvent(events, "search", false);
  if (search == nullptr) return Status::invalidArgument("the trace has no search event");
  return retrievalCase(trace, *search);
}

Result<Json> caseFromOverride(const Json& trace) {
  if (!trace.is_object() || !trace.contains("events") || !trace["events"].is_array()) {
    return Status::invalidArgument("not a trace (no events)");
  }
  const Json& events = trace["events"];
  const Json* answer = findEvent(events, "answer", true);
  if (answer == nullptr) return Status::invalidArgument("the trace has no answer event");
  const Json& attrs = (*answer)["attributes"];
  if (!attrs.contains("question") || !attrs["question"].is_string()) {
    return Status::invalidArgument("the trace's answer has no recorded question (redacted?)");
  }
  // The newest override with a corrected answer wins over any plain feedback.
  const Json* correction = nullptr;
  for (const auto& e : events) {
    if (e.value("kind", "") != "feedback") continue;
    const Json& f = e["attributes"];
    if (!f.contains("corrected_answer") || !f["corrected_answer"].is_string()) continue;
    const bool is_override = f.value("override", false);
    if (correction == nullptr || is_override ||
        !(*correction)["attributes"].value("override", false)) {
      correction = &e;
    }
  }
  if (correction == nullptr) {
    return Status::invalidArgument(
        "the trace has no feedback with a corrected answer (ward trace feedback TRACE "
        "--override --corrected-answer TEXT)");
  }
  const Json& f = (*correction)["attributes"];
  const std::string corrected = f["corrected_answer"].get<std::string>();
  Json c;
  if (isDecline(corrected)) {
    c = baseCase(trace, *answer, "refusal", attrs["question"].get<std::string>());
  } else {
    std::vector<std::string> facts = answer::factTokens(corrected);
    if (facts.empty()) {
      return Status::invalidArgument(
          "the corrected answer states no fact Ward can check (a number, an identifier or a "
          "\"quoted name\") and does not decline: write the case's checks by hand");
    }
    if (facts.size() > kMaxCaseListItems) facts.resize(kMaxCaseListItems);
    c = baseCase(trace, *answer, "answer", attrs["question"].get<std::string>());
    c["must_contain"] = facts;
    c["rubric"] = std::string(kOverrideRubricPrefix) +
                  cutAtCodePoint(corrected, kMaxRubricBytes - kOverrideRubricPrefix.size());
  }
  c["tags"].push_back("override");
  Json provenance = {{"trace_id", trace.value("trace_id", "")},
                     {"reviewer", correction->value("principal", "")},
                     {"reviewer_roles", f.value("reviewer_roles", Json::array())},
                     {"override", f.value("override", false)},
                     {"time", correction->value("time", "")}};
  if (f.contains("rating")) provenance["rating"] = f["rating"];
  c["provenance"] = std::move(provenance);
  return c;
}

}  // namespace ward::eval
