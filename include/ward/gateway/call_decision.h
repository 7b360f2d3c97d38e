// The decision a tool call ends with (docs/design/gateway.md "Decisions recorded"): the
// "decision" of its tool_call trace event, the ward_gateway_calls_total label, and what a
// tool example's expect.decision names. The strings are the format; code uses the enum.
#pragma once

#include <string_view>

#include "ward/common/status.h"

namespace ward::gateway {

enum class CallDecision {
  kExecuted,
  kPending,   // parked for approval
  kReplayed,  // an idempotency key's stored outcome
  kDenied,    // grant, constraint, read-only, address policy
  kRateLimited,
  kInvalid,             // arguments or output against the schema
  kConflict,            // an idempotency key reused with other arguments
  kBackendError,        // the backend answered with an error
  kBackendUnavailable,  // no usable answer from the backend
  kFailed,
  kUnknownTool,
  kRefused,  // sunset, quarantined
};

// "executed", "pending", "replayed", "denied", "rate_limited", "invalid", "conflict",
// "backend_error", "backend_unavailable", "failed", "unknown_tool", "refused".
std::string_view toString(CallDecision d);
// InvalidArgument naming the value and the decisions when it is none of them.
Result<CallDecision> parseCallDecision(std::string_view s);

}  // namespace ward::gateway
