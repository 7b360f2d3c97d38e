// Audit events and counters for flagged writes; the contract is in injection_audit.h.
#include "injection_audit.h"

#include "ward/common/clock.h"
#include "ward/common/log.h"
#include "ward/common/metrics.h"
#include "ward/ingest/injection_scanner.h"

namespace ward::ingest {

namespace {

constexpr const char* kFlaggedCounter = "ward_ingest_flagged_total";

void describeOnce() {
  static const bool described = [] {
    metrics().describeCounter(kFlaggedCounter,
                              "Document versions flagged by the ingest-time injection scanner, "
                              "per rule (a version with several flags counts once per rule).");
    return true;
  }();
  (void)described;
}

}  // namespace

int64_t recordInjectionFlags(trace::TraceSink* traces, const FlagRequester& who,
                             const std::vector<store::DocumentWrite>& writes,
                             const std::vector<store::WriteResult>& results) {
  int64_t flagged = 0;
  for (size_t i = 0; i < writes.size() && i < results.size(); ++i) {
    const store::WriteResult& r = results[i];
    if (r.outcome != store::WriteOutcome::kCreated && r.outcome != store::WriteOutcome::kUpdated) {
      continue;
    }
    const store::DocumentWrite& w = writes[i];
    std::vector<std::string> flags = injectionFlags(w.metadata);
    if (flags.empty()) continue;
    ++flagged;
    describeOnce();
    for (const auto& f : flags) {
      metrics().incrementCounter(kFlaggedCounter,
                                 {{"rule", f.substr(kInjectionFlagPrefix.size())}});
    }
    if (traces == nullptr) continue;
    Json matches = Json::array();
    for (const auto& m : explainInjection(w)) {
      matches.push_back({{"rule", m.rule_id}, {"excerpt", m.excerpt}});
    }
    trace::TraceEvent ev;
    ev.context = who.trace.trace_id.empty() ? trace::TraceContext::generate() : who.trace;
    ev.kind = "ingest.flagged";
    ev.tenant = w.tenant;
    ev.principal = who.principal;
    ev.time_us = SystemClock::instance().nowMicros();
    ev.attributes = {{"doc_id", w.ext_id},
                     {"version", r.version},
                     {"source", w.source},
                     {"flags", flags},
                     {"matches", std::move(matches)}};
    Status s = traces->record(ev);
    if (!s.ok())
      logWarn("ingest: cannot record ingest.flagged for " + w.ext_id + ": " + s.toString());
  }
  return flagged;
}

}  // namespace ward::ingest
