// From the events of one trace to an account a reviewer can read, every fact tied to a record.
#include "ward/audit/trace_explain.h"

#include <algorithm>
#include <set>
#include <sstream>

#include "ward/common/clock.h"

namespace ward::audit {

namespace {

Json attr(const trace::TraceEvent& e, const char* key) {
  auto it = e.attributes.find(key);
  return it == e.attributes.end() ? Json() : *it;
}

// Copies the listed attributes that are present.
void copyAttrs(const trace::TraceEvent& e, std::initializer_list<const char*> keys, Json& out) {
  for (const char* k : keys) {
    auto it = e.attributes.find(k);
    if (it != e.attributes.end()) out[k] = *it;
  }
}

Json base(const TraceRecord& r) {
  return Json{{"record", r.index},
              {"time", formatRfc3339(r.event.time_us)},
              {"principal", r.event.principal},
              {"span_id", r.event.context.span_id}};
}

Json retrieval(const TraceRecord& r) {
  Json j = base(r);
  copyAttrs(r.event, {"query", "k", "total_matches", "took_ms"}, j);
  Json citations = Json::array();
  Json hits = attr(r.event, "hits");
  if (hits.is_array()) {
    for (const auto& h : hits) {
      if (!h.is_object()) continue;
      Json c = Json::object();
      for (const char* k : {"doc_id", "version", "chunk_id", "score", "indexed_at", "updated_at"}) {
        if (h.contains(k)) c[k] = h[k];
      }
      c["record"] = r.index;
      citations.push_back(std::move(c));
    }
  }
  j["citations"] = std::move(citations);
  Json acl = attr(r.event, "acl");
  if (acl.is_object()) j["acl"] = acl;
  return j;
}

Json toolCall(const TraceRecord& r) {
  Json j = base(r);
  copyAttrs(r.event,
            {"tool", "risk", "agent", "principal_chain", "decision", "stage", "reason", "error",
             "grants", "stages", "approval_id", "reviewer", "idempotency_key", "args", "result",
             "result_sha256", "result_truncated", "backend_status", "duration_us"},
            j);
  return j;
}

Json approval(const TraceRecord& r) {
  Json j = base(r);
  copyAttrs(r.event, {"decision", "approval_id", "reviewer", "comment", "tool", "requester"}, j);
  return j;
}

Json modelCall(const TraceRecord& r) {
  Json j = base(r);
  copyAttrs(r.event,
            {"provider", "model", "model_version", "parameters", "tools_offered", "prompt",
             "finish_reason", "usage", "requested_model", "outcome", "error", "latency_ms",
             "stream", "claims", "tool_calls", "attempts"},
            j);
  return j;
}

// An `answer` event (docs/formats/answer.md): each sentence, its citations and the checks each
// passed or failed.
Json answerEntry(const TraceRecord& r) {
  Json j = base(r);
  copyAttrs(r.event,
            {"mode", "model", "template", "answer", "sentences", "unsupported", "citations_dropped",
             "removed_links", "citation_precision", "citation_coverage", "tool_calls",
             "format_error", "agent"},
            j);
  return j;
}

Json feedback(const TraceRecord& r) {
  Json j = base(r);
  j["reviewer"] = r.event.principal;
  copyAttrs(r.event, {"rating", "corrected_answer", "reason", "override", "reviewer_roles"}, j);
  return j;
}

Json otherEvent(const TraceRecord& r) {
  Json j = base(r);
  j["kind"] = r.event.kind;
  j["attributes"] = r.event.attributes;
  return j;
}

// Which section of the account an event kind belongs to.
const char* sectionOf(const std::string& kind) {
  if (kind == "search") return "retrieval";
  if (kind == "answer") return "answers";
  if (kind == "tool_call") return "tool_calls";
  if (kind == "tool_decision") return "approvals";
  if (kind == "model_call") return "model_calls";
  if (kind == "feedback") return "feedback";
  if (kind == "auth_failure" || kind == "authz_denied") return "denials";
  if (kind == "ingest" || kind == "delete") return "documents";
  return "other";
}

Json sectionEntry(const std::string& section, const TraceRecord& r) {
  if (section == "retrieval") return retrieval(r);
  if (section == "answers") return answerEntry(r);
  if (section == "tool_calls") return toolCall(r);
  if (section == "approvals") return approval(r);
  if (section == "model_calls") return modelCall(r);
  if (section == "feedback") return feedback(r);
  return otherEvent(r);
}

constexpr const char* kSections[] = {"retrieval",  "answers",   "documents",
                                     "tool_calls", "approvals", "model_calls",
                                     "feedback",   "denials",   "other"};

}  // namespace

Json explainTrace(const TraceEvents& trace) {
  Json out = Json::object();
  out["trace_id"] = trace.trace_id;
  out["truncated"] = trace.truncated;
  for (const char* s : kSections) out[s] = Json::array();
  Json asked_by = Json::array();
  std::set<std::string> seen;
  Json records = Json::array();
  for (const TraceRecord& r : trace.events) {
    const trace::TraceEvent& e = r.event;
    if (out.find("tenant") == out.end()) {
      out["tenant"] = e.tenant;
      out["started"] = formatRfc3339(e.time_us);
    }
    out["ended"] = formatRfc3339(e.time_us);
    // The askers are the principals of the request events, not reviewers acting later.
    bool request_event = e.kind != "tool_decision" && e.kind != "feedback";
    if (request_event && !e.principal.empty() && seen.insert(e.principal).second) {
      Json who = {{"principal", e.principal}, {"record", r.index}};
      Json agent = attr(e, "agent");
      if (agent.is_string()) who["agent"] = agent;
      asked_by.push_back(std::move(who));
    }
    std::string section = sectionOf(e.kind);
    out[section].push_back(sectionEntry(section, r));
    records.push_back({{"record", r.index}, {"kind", e.kind}, {"leaf_hash", hashHex(r.leaf)}});
  }
  out["asked_by"] = std::move(asked_by);
  out["records"] = std::move(records);
  return out;
}

namespace {

std::string ref(const Json& j) {
  return " [#" + std::to_string(j.value("record", uint64_t{0})) + "]";
}

std::string scalar(const Json& v) { return v.is_string() ? v.get<std::string>() : v.dump(); }

// A value for a text line: strings as they are, lists of scalars joined with ",".
std::string str(const Json& j, const char* key, const std::string& fallback = "-") {
  auto it = j.find(key);
  if (it == j.end() || it->is_null()) return fallback;
  if (it->is_array() &&
      std::none_of(it->begin(), it->end(), [](const Json& v) { return v.is_structured(); })) {
    std::string out;
    for (const auto& v : *it) out += (out.empty() ? "" : ",") + scalar(v);
    return out;
  }
  return scalar(*it);
}

void formatRetrieval(std::ostringstream& o, const Json& r) {
  o << "  query " << (r.contains("query") ? r["query"].dump() : "-") << " by "
    << str(r, "principal") << " (k=" << str(r, "k") << ", " << str(r, "total_matches")
    << " matches)" << ref(r) << "\n";
  int n = 0;
  for (const auto& c : r["citations"]) {
    o << "    " << ++n << ". doc " << str(c, "doc_id") << " v" << str(c, "version") << " chunk "
      << str(c, "chunk_id") << " score " << str(c, "score") << ref(c) << "\n";
  }
  if (r.contains("acl")) {
    o << "    ACL removed " << str(r["acl"], "candidates_removed", "0") << " candidates (rule "
      << str(r["acl"], "rule") << ")" << ref(r) << "\n";
  }
}

void formatToolCall(std::ostringstream& o, const Json& t) {
  o << "  " << str(t, "tool") << " by " << str(t, "principal");
  if (t.contains("agent")) o << " via agent " << str(t, "agent");
  o << ": " << str(t, "decision") << " at stage " << str(t, "stage");
  if (t.contains("reason")) o << " (" << str(t, "reason") << ")";
  o << ref(t) << "\n";
  if (t.contains("stages") && t["stages"].is_array()) {
    o << "    stages:";
    for (const auto& s : t["stages"]) {
      o << " " << str(s, "stage") << "=" << str(s, "verdict");
      if (s.contains("policy")) o << "(" << str(s, "policy") << ")";
    }
    o << ref(t) << "\n";
  }
  if (t.contains("grants")) o << "    grants: " << str(t, "grants") << ref(t) << "\n";
  if (t.contains("approval_id")) {
    o << "    approval " << str(t, "approval_id") << ", reviewer " << str(t, "reviewer", "none")
      << ref(t) << "\n";
  }
}

void formatAnswer(std::ostringstream& o, const Json& a) {
  o << "  " << str(a, "mode") << " answer";
  if (a.contains("model")) o << " by model " << str(a, "model");
  o << " (citation precision " << str(a, "citation_precision") << ", coverage "
    << str(a, "citation_coverage") << ")" << ref(a) << "\n";
  if (a.contains("template")) {
    o << "    prompt template " << str(a["template"], "name") << "@"
      << str(a["template"], "version") << ", sha256 " << str(a["template"], "sha256") << "\n";
  }
  if (!a.contains("sentences") || !a["sentences"].is_array()) return;
  for (const auto& s : a["sentences"]) {
    o << "    " << (s.value("supported", false) ? "" : "UNSUPPORTED ")
      << (s.contains("text") ? s["text"].dump() : "-") << "\n";
    if (!s.contains("citations") || !s["citations"].is_array()) continue;
    for (const auto& c : s["citations"]) {
      o << "      " << (c.value("verified", false) ? "verified" : "dropped") << " doc "
        << str(c, "doc_id") << " v" << str(c, "version") << " chunk " << str(c, "chunk")
        << " chars " << str(c, "char_start") << "-" << str(c, "char_end") << ": passed "
        << str(c, "checks_passed", "none");
      if (c.contains("failed_rule")) {
        o << "; failed " << str(c, "failed_rule") << " (" << str(c, "detail") << ")";
      }
      o << "\n";
    }
  }
  if (a.contains("removed_links") && a["removed_links"].is_array()) {
    for (const auto& l : a["removed_links"]) {
      o << "    removed " << str(l, "kind") << " to " << str(l, "host") << "\n";
    }
  }
}

void formatModelCall(std::ostringstream& o, const Json& m) {
  o << "  " << str(m, "provider") << " " << str(m, "model");
  if (m.contains("model_version")) o << " (" << str(m, "model_version") << ")";
  if (m.contains("parameters")) o << " parameters " << m["parameters"].dump();
  o << ref(m) << "\n";
  if (m.contains("requested_model") || m.contains("outcome")) {
    o << "    asked for " << str(m, "requested_model", "-") << ": " << str(m, "outcome", "-");
    if (m.contains("finish_reason")) o << ", finish " << str(m, "finish_reason");
    if (m.contains("latency_ms")) o << ", " << m["latency_ms"].dump() << " ms";
    if (m.contains("error")) o << ", " << str(m, "error");
    o << "\n";
  }
  if (m.contains("usage")) o << "    usage: " << m["usage"].dump() << "\n";
  if (m.contains("attempts")) o << "    attempts: " << m["attempts"].dump() << "\n";
  if (m.contains("tool_calls")) o << "    tool calls: " << m["tool_calls"].dump() << "\n";
  if (m.contains("tools_offered")) o << "    tools offered: " << m["tools_offered"].dump() << "\n";
  if (m.contains("prompt")) {
    const Json& p = m["prompt"];
    o << "    prompt template " << str(p, "template_id") << ", sha256 " << str(p, "sha256")
      << (p.value("stored", false) ? " (rendered prompt in the prompt store)" : "") << ref(m)
      << "\n";
  }
}

}  // namespace

std::string formatExplanation(const Json& x) {
  std::ostringstream o;
  o << "Trace " << str(x, "trace_id") << " (tenant " << str(x, "tenant") << "), "
    << str(x, "started") << " .. " << str(x, "ended") << ", " << x["records"].size() << " records"
    << (x.value("truncated", false) ? " (truncated)" : "") << "\n";
  o << "Who asked:";
  if (x["asked_by"].empty()) o << " nobody recorded";
  o << "\n";
  for (const auto& w : x["asked_by"]) {
    o << "  " << str(w, "principal");
    if (w.contains("agent")) o << " via agent " << str(w, "agent");
    o << ref(w) << "\n";
  }
  o << "Retrieved:" << (x["retrieval"].empty() ? " nothing" : "") << "\n";
  for (const auto& r : x["retrieval"]) formatRetrieval(o, r);
  if (x.contains("answers") && !x["answers"].empty()) {
    o << "Answers:\n";
    for (const auto& a : x["answers"]) formatAnswer(o, a);
  }
  for (const auto& d : x["documents"]) {
    o << "Documents changed: " << str(d, "kind") << " by " << str(d, "principal") << ref(d) << "\n";
  }
  o << "Tool calls:" << (x["tool_calls"].empty() ? " none" : "") << "\n";
  for (const auto& t : x["tool_calls"]) formatToolCall(o, t);
  o << "Approvals:" << (x["approvals"].empty() ? " none" : "") << "\n";
  for (const auto& a : x["approvals"]) {
    o << "  " << str(a, "approval_id") << " " << str(a, "decision") << " by "
      << str(a, "reviewer", str(a, "principal")) << " for " << str(a, "tool");
    if (a.contains("comment")) o << ": " << str(a, "comment");
    o << ref(a) << "\n";
  }
  o << "Model calls:" << (x["model_calls"].empty() ? " none recorded" : "") << "\n";
  for (const auto& m : x["model_calls"]) formatModelCall(o, m);
  o << "Feedback:" << (x["feedback"].empty() ? " none" : "") << "\n";
  for (const auto& f : x["feedback"]) {
    o << "  " << (f.value("override", false) ? "override" : "feedback") << " by "
      << str(f, "reviewer") << " at " << str(f, "time") << ": rating " << str(f, "rating");
    if (f.contains("reason")) o << ", reason " << str(f, "reason");
    if (f.contains("corrected_answer")) o << ", corrected answer " << str(f, "corrected_answer");
    o << ref(f) << "\n";
  }
  for (const auto& d : x["denials"]) {
    o << "Denied: " << str(d, "kind") << " " << d["attributes"].dump() << ref(d) << "\n";
  }
  for (const auto& d : x["other"]) {
    o << "Other: " << str(d, "kind") << " by " << str(d, "principal") << ref(d) << "\n";
  }
  o << "Records (verify with `ward audit verify`):\n";
  for (const auto& r : x["records"]) {
    o << "  #" << str(r, "record") << " " << str(r, "kind") << " leaf " << str(r, "leaf_hash")
      << "\n";
  }
  return o.str();
}

}  // namespace ward::audit
