// Trace queries over the audit log: one read-only scan per query.
#include "ward/audit/trace_reader.h"

#include <algorithm>
#include <map>

#include "ward/audit/audit_trace_sink.h"
#include "ward/audit/log_verifier.h"
#include "ward/common/clock.h"

namespace ward::audit {

namespace {

std::string stringAttr(const trace::TraceEvent& e, const char* key) {
  auto it = e.attributes.find(key);
  return it != e.attributes.end() && it->is_string() ? it->get<std::string>() : std::string();
}

bool principalMatches(const trace::TraceEvent& e, const std::string& p) {
  if (e.principal == p) return true;
  auto chain = e.attributes.find("principal_chain");
  if (chain != e.attributes.end() && chain->is_array()) {
    for (const auto& c : *chain) {
      if (c.is_string() && c.get<std::string>() == p) return true;
    }
  }
  return stringAttr(e, "requester") == p;
}

bool toolMatches(const trace::TraceEvent& e, const std::string& t) {
  std::string tool = stringAttr(e, "tool");
  if (tool.empty()) return false;
  return tool == t || tool.substr(0, tool.find('@')) == t;
}

bool timeMatches(const trace::TraceEvent& e, const TraceQuery& q) {
  if (q.since_us != 0 && e.time_us < q.since_us) return false;
  if (q.until_us != 0 && e.time_us >= q.until_us) return false;
  return true;
}

// Bits of TraceQuery filters met by some event of a trace.
enum : uint8_t {
  kPrincipal = 1,
  kTool = 2,
  kKind = 4,
  kDecision = 8,
  kTime = 16,
};

uint8_t filtersMet(const trace::TraceEvent& e, const TraceQuery& q) {
  uint8_t met = 0;
  if (q.principal.empty() || principalMatches(e, q.principal)) met |= kPrincipal;
  if (q.tool.empty() || toolMatches(e, q.tool)) met |= kTool;
  if (q.kind.empty() || e.kind == q.kind) met |= kKind;
  if (q.decision.empty() || stringAttr(e, "decision") == q.decision) met |= kDecision;
  if (timeMatches(e, q)) met |= kTime;
  return met;
}

constexpr uint8_t kAllFilters = kPrincipal | kTool | kKind | kDecision | kTime;

// Whether a record may belong to `trace_id`, without decoding it. Plain bodies are compact JSON
// (encodeTraceEvent), where the id appears as "trace_id":"<id>" (hex needs no escaping, and a
// key like "target_trace_id" does not end in that quote-prefixed form); a body in any other
// shape is decoded to be sure. A false positive is decoded and checked.
bool mayHoldTrace(std::string_view body, const std::string& needle) {
  if (body.empty() || body.front() != '{') return true;
  return body.find(needle) != std::string_view::npos;
}

void addUnique(std::vector<std::string>& v, const std::string& s) {
  if (s.empty()) return;
  auto it = std::lower_bound(v.begin(), v.end(), s);
  if (it == v.end() || *it != s) v.insert(it, s);
}

struct Accumulated {
  TraceSummary summary;
  uint8_t met = 0;
};

Status checkLimit(size_t limit) {
  if (limit < 1 || limit > kMaxTraceListLimit) {
    return Status::invalidArgument("limit must be between 1 and " +
                                   std::to_string(kMaxTraceListLimit));
  }
  return Status();
}

}  // namespace

TraceReader::TraceReader(std::string dir, io::FileSystem* fs)
    : dir_(std::move(dir)), fs_(fs != nullptr ? fs : &io::posixFileSystem()) {}

Result<TracePage> TraceReader::list(const TraceQuery& q) const {
  WARD_RETURN_IF_ERROR(checkLimit(q.limit));
  std::map<std::string, Accumulated> traces;
  TracePage page;
  Status s = forEachAuditRecordWithLeaf(
      *fs_, dir_, [&](uint64_t index, const Hash&, std::string_view body) -> Status {
        ++page.records_scanned;
        WARD_ASSIGN_OR_RETURN(trace::TraceEvent e, decodeTraceEvent(body));
        if (!q.tenant.empty() && e.tenant != q.tenant) return Status();
        if (e.context.trace_id.empty()) return Status();
        auto [it, fresh] = traces.try_emplace(e.context.trace_id);
        TraceSummary& t = it->second.summary;
        if (fresh) {
          t.trace_id = e.context.trace_id;
          t.tenant = e.tenant;
          t.first_record = index;
          t.started_us = e.time_us;
        }
        t.last_record = index;
        t.ended_us = std::max(t.ended_us, e.time_us);
        ++t.events;
        addUnique(t.principals, e.principal);
        addUnique(t.kinds, e.kind);
        addUnique(t.tools, stringAttr(e, "tool"));
        addUnique(t.decisions, stringAttr(e, "decision"));
        it->second.met |= filtersMet(e, q);
        return Status();
      });
  if (!s.ok()) return s;
  std::vector<const TraceSummary*> matching;
  for (const auto& [id, acc] : traces) {
    if (acc.met != kAllFilters) continue;
    if (q.before != 0 && acc.summary.first_record >= q.before) continue;
    matching.push_back(&acc.summary);
  }
  std::sort(matching.begin(), matching.end(), [](const TraceSummary* a, const TraceSummary* b) {
    return a->first_record > b->first_record;
  });
  for (size_t i = 0; i < matching.size() && i < q.limit; ++i) page.traces.push_back(*matching[i]);
  if (matching.size() > q.limit) page.next_before = page.traces.back().first_record;
  return page;
}

Result<TraceEvents> TraceReader::trace(const std::string& trace_id,
                                       const std::string& tenant) const {
  if (!isTraceId(trace_id)) {
    return Status::invalidArgument("trace id must be 32 lowercase hex digits, got '" + trace_id +
                                   "'");
  }
  TraceEvents out;
  out.trace_id = trace_id;
  const std::string needle = "\"trace_id\":\"" + trace_id + "\"";
  Status s = forEachAuditRecordWithLeaf(
      *fs_, dir_, [&](uint64_t index, const Hash& leaf, std::string_view body) -> Status {
        if (!mayHoldTrace(body, needle)) return Status();
        WARD_ASSIGN_OR_RETURN(trace::TraceEvent e, decodeTraceEvent(body));
        if (e.context.trace_id != trace_id) return Status();
        if (!tenant.empty() && e.tenant != tenant) return Status();
        if (out.events.size() >= kMaxEventsPerTrace) {
          out.truncated = true;
          return Status();
        }
        out.events.push_back({index, leaf, std::move(e)});
        return Status();
      });
  if (!s.ok()) return s;
  if (out.events.empty()) return Status::notFound("no trace " + trace_id);
  return out;
}

Result<TraceRecord> TraceReader::record(uint64_t wanted, const std::string& tenant) const {
  std::optional<TraceRecord> found;
  Status s = forEachAuditRecordWithLeaf(
      *fs_, dir_, [&](uint64_t index, const Hash& leaf, std::string_view body) -> Status {
        if (index != wanted) return Status();
        WARD_ASSIGN_OR_RETURN(trace::TraceEvent e, decodeTraceEvent(body));
        found = TraceRecord{index, leaf, std::move(e)};
        return Status();
      });
  if (!s.ok()) return s;
  if (!found || (!tenant.empty() && found->event.tenant != tenant)) {
    return Status::notFound("no trace event with record index " + std::to_string(wanted));
  }
  return *found;
}

Result<std::vector<TraceRecord>> TraceReader::events(const TraceQuery& q) const {
  std::vector<TraceRecord> out;
  Status s = forEachAuditRecordWithLeaf(
      *fs_, dir_, [&](uint64_t index, const Hash& leaf, std::string_view body) -> Status {
        if (q.before != 0 && index >= q.before) return Status();
        WARD_ASSIGN_OR_RETURN(trace::TraceEvent e, decodeTraceEvent(body));
        if (!eventMatches(e, q)) return Status();
        out.push_back({index, leaf, std::move(e)});
        return Status();
      });
  if (!s.ok()) return s;
  return out;
}

bool eventMatches(const trace::TraceEvent& e, const TraceQuery& q) {
  if (!q.tenant.empty() && e.tenant != q.tenant) return false;
  return filtersMet(e, q) == kAllFilters;
}

bool isTraceId(const std::string& id) {
  if (id.size() != 32) return false;
  return id.find_first_not_of("0123456789abcdef") == std::string::npos;
}

Json traceRecordJson(const TraceRecord& r) {
  const trace::TraceEvent& e = r.event;
  return Json{{"record", r.index},
              {"leaf_hash", hashHex(r.leaf)},
              {"time", formatRfc3339(e.time_us)},
              {"time_us", e.time_us},
              {"kind", e.kind},
              {"tenant", e.tenant},
              {"principal", e.principal},
              {"trace_id", e.context.trace_id},
              {"span_id", e.context.span_id},
              {"parent_span_id", e.context.parent_span_id},
              {"attributes", e.attributes}};
}

Json traceSummaryJson(const TraceSummary& s) {
  return Json{{"trace_id", s.trace_id},
              {"tenant", s.tenant},
              {"first_record", s.first_record},
              {"last_record", s.last_record},
              {"started", formatRfc3339(s.started_us)},
              {"ended", formatRfc3339(s.ended_us)},
              {"events", s.events},
              {"principals", s.principals},
              {"kinds", s.kinds},
              {"tools", s.tools},
              {"decisions", s.decisions}};
}

}  // namespace ward::audit
