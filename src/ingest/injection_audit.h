// Private to the ingest module: what is recorded when a committed write is flagged by the
// injection scanner (docs/design/ingest.md, "Injection scanner").
#pragma once

#include <string>
#include <vector>

#include "ward/store/records.h"
#include "ward/trace/trace.h"

namespace ward::ingest {

// Who caused a batch of writes, for their `ingest.flagged` events.
struct FlagRequester {
  trace::TraceContext trace;  // empty trace_id: a fresh trace per event
  std::string principal;      // "" for a local `ward ingest`
};

// For each write committed as a new version (created or updated) that carries flags: one
// `ingest.flagged` audit event {doc_id, version, source, flags, matches: [{rule, excerpt}]} and
// ward_ingest_flagged_total{rule} += 1 per flag. `writes[i]` goes with `results[i]`; a failure to
// record is logged, not returned (the documents are committed already). Thread-safe.
// Returns how many writes were flagged.
int64_t recordInjectionFlags(trace::TraceSink* traces, const FlagRequester& who,
                             const std::vector<store::DocumentWrite>& writes,
                             const std::vector<store::WriteResult>& results);

}  // namespace ward::ingest
