// One table for both directions (tests/unit/gateway/call_decision_test.cc round-trips it).
#include "ward/gateway/call_decision.h"

#include <array>
#include <string>
#include <utility>

namespace ward::gateway {

namespace {

using D = CallDecision;

constexpr std::array<std::pair<D, std::string_view>, 12> kDecisions{{
    {D::kExecuted, "executed"},
    {D::kPending, "pending"},
    {D::kReplayed, "replayed"},
    {D::kDenied, "denied"},
    {D::kRateLimited, "rate_limited"},
    {D::kInvalid, "invalid"},
    {D::kConflict, "conflict"},
    {D::kBackendError, "backend_error"},
    {D::kBackendUnavailable, "backend_unavailable"},
    {D::kFailed, "failed"},
    {D::kUnknownTool, "unknown_tool"},
    {D::kRefused, "refused"},
}};

}  // namespace

std::string_view toString(CallDecision d) {
  for (const auto& [e, name] : kDecisions) {
    if (e == d) return name;
  }
  return "failed";  // unreachable for a value of the enum
}

Result<CallDecision> parseCallDecision(std::string_view s) {
  std::string expected;
  for (const auto& [e, name] : kDecisions) {
    if (name == s) return e;
    expected += expected.empty() ? "" : ", ";
    expected += name;
  }
  return Status::invalidArgument("unknown call decision '" + std::string(s) +
                                 "' (expected one of " + expected + ")");
}

}  // namespace ward::gateway
