// CallDecision against its wire strings (include/ward/gateway/call_decision.h): the values
// docs/design/gateway.md "Decisions recorded" lists, each round-tripping, and nothing else.
#include "ward/gateway/call_decision.h"

#include <gtest/gtest.h>

#include <string>
#include <utility>
#include <vector>

namespace ward::gateway {
namespace {

TEST(CallDecisions, EveryDecisionRoundTripsUnderItsDocumentedName) {
  using D = CallDecision;
  const std::vector<std::pair<D, std::string>> table = {
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
      {D::kRefused, "refused"}};
  for (const auto& [value, name] : table) {
    SCOPED_TRACE(name);
    EXPECT_EQ(toString(value), name);
    auto parsed = parseCallDecision(name);
    ASSERT_TRUE(parsed.ok()) << parsed.status().toString();
    EXPECT_EQ(*parsed, value);
  }
}

TEST(CallDecisions, UnknownDecisionsAreRefusedNamingTheValue) {
  for (const char* bad :
       {"", "Executed", "ok", "approved", "changed", "expired", "rate-limited", " denied"}) {
    SCOPED_TRACE(bad);
    auto parsed = parseCallDecision(bad);
    ASSERT_FALSE(parsed.ok());
    EXPECT_EQ(parsed.status().code(), StatusCode::kInvalidArgument);
    EXPECT_NE(parsed.status().message().find(std::string("unknown call decision '") + bad + "'"),
              std::string::npos)
        << parsed.status().toString();
  }
}

}  // namespace
}  // namespace ward::gateway
