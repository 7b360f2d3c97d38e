// `ward explain`: a readable account of one trace — who asked, what was retrieved (citations:
// doc id, version, chunk, score) and what the ACL removed, which tools were called with each
// stage's decision and policy ids, approvals and reviewers, which model, and feedback. Every fact
// carries the record index it comes from ("record"), and the account lists each record's leaf
// hash so it can be proven against a signed checkpoint. Pure functions; thread-safe.
#pragma once

#include <string>

#include "ward/audit/trace_reader.h"
#include "ward/common/json.h"

namespace ward::audit {

// The account as JSON (the `--json` output and `GET /v1/traces/{id}/explain`); the shape is
// documented in docs/api/README.md.
Json explainTrace(const TraceEvents& trace);

// The account as text, one fact per line, each ending in "[#<record>]".
std::string formatExplanation(const Json& explanation);

}  // namespace ward::audit
