// `ward eval cases from-trace`: a recorded trace turned into an eval case for a reviewer to edit
// (docs/formats/eval-suite.md "Cases from traces"). Pure: it reads the trace's events as
// TraceService::show gives them.
#pragma once

#include <string>

#include "ward/common/json.h"
#include "ward/common/status.h"

namespace ward::eval {

// Doc ids a retrieval case made from a search expects: the first distinct ones of its hits.
inline constexpr size_t kFromTraceExpectedDocs = 3;

enum class FromTraceKind { kAuto, kAnswer, kRetrieval };

// `trace`: {trace_id, events: [{kind, principal, attributes, ...}]}. kAnswer: the trace's last
// `answer` event becomes {kind: "answer", as, agent?, question, must_cite: its verified cited doc
// ids}; kRetrieval: its first `search` event becomes {kind: "retrieval", as, agent?, question:
// the query, expected: the first kFromTraceExpectedDocs distinct hit doc ids}; kAuto: answer
// when the trace has one, else retrieval. The id is "trace-" + the first 12 hex of the trace id,
// tagged "from-trace". InvalidArgument naming what is missing: no such event, a question or
// query not recorded (redacted), no verified citation, no hit.
Result<Json> caseFromTrace(const Json& trace, FromTraceKind kind);

// `ward eval cases from-trace TRACE --expect-from-override`: the expectation comes from the
// reviewer's correction recorded on the trace (`ward trace feedback TRACE --override
// --corrected-answer TEXT`, a `feedback` event): the newest override, else the newest feedback
// carrying a corrected answer. The question and principal come from the trace's last `answer`
// event. A corrected answer that declines (isDecline) makes a `refusal` case; any other makes an
// `answer` case whose `must_contain` are the facts the correction states (answer::factTokens:
// numbers, identifiers, "quoted names"; at most kMaxCaseListItems) and whose `rubric` (for
// --judge) quotes it. The case records the correction's source in `provenance`: {trace_id,
// reviewer, reviewer_roles, override, time, rating?}; it is tagged "from-trace" and "override".
// InvalidArgument naming what is missing: no answer event or recorded question, no feedback
// with a corrected answer, a correction that states no checkable fact and does not decline.
Result<Json> caseFromOverride(const Json& trace);

}  // namespace ward::eval
