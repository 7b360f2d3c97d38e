// The tool store's enums against their wire strings (include/ward/store/tool_enums.h): every value
// round-trips through toString and parse, the strings are exactly the documented ones (ward.db
// rows and the API depend on them), and anything else is refused naming the bad value.
#include "ward/store/tool_enums.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace ward::store {
namespace {

template <typename E>
struct Named {
  E value;
  const char* name;
};

template <typename E, typename Parse>
void expectRoundTrips(const std::vector<Named<E>>& table, Parse parse) {
  for (const Named<E>& row : table) {
    SCOPED_TRACE(row.name);
    EXPECT_EQ(toString(row.value), row.name);
    auto parsed = parse(row.name);
    ASSERT_TRUE(parsed.ok()) << parsed.status().toString();
    EXPECT_EQ(*parsed, row.value);
  }
}

template <typename Parse>
void expectRefused(Parse parse, const std::string& what) {
  for (const char* bad : {"", "Pending", "PRINCIPAL", " server", "pending ", "in_progress", "*",
                          "executed\n", "users:*"}) {
    SCOPED_TRACE(bad);
    auto parsed = parse(bad);
    ASSERT_FALSE(parsed.ok());
    EXPECT_EQ(parsed.status().code(), StatusCode::kInvalidArgument);
    EXPECT_NE(parsed.status().message().find("unknown " + what + " '" + bad + "'"),
              std::string::npos)
        << parsed.status().toString();
  }
}

TEST(ToolEnums, ApprovalStatesRoundTripAndUnknownOnesAreRefused) {
  using S = ApprovalState;
  expectRoundTrips<S>({{S::kPending, "pending"},
                       {S::kApproved, "approved"},
                       {S::kExecuting, "executing"},
                       {S::kExecuted, "executed"},
                       {S::kFailed, "failed"},
                       {S::kDenied, "denied"},
                       {S::kExpired, "expired"}},
                      parseApprovalState);
  expectRefused(parseApprovalState, "approval state");
  auto bad = parseApprovalState("done");
  EXPECT_NE(bad.status().message().find("pending, approved, executing, executed, failed, denied, "
                                        "expired"),
            std::string::npos)
      << bad.status().toString();
}

TEST(ToolEnums, OnlyPendingApprovedAndExecutingAreUnsettled) {
  using S = ApprovalState;
  for (S s : {S::kPending, S::kApproved, S::kExecuting}) EXPECT_FALSE(isSettled(s)) << toString(s);
  for (S s : {S::kExecuted, S::kFailed, S::kDenied, S::kExpired}) {
    EXPECT_TRUE(isSettled(s)) << toString(s);
  }
}

TEST(ToolEnums, GrantSubjectKindsRoundTripAndUnknownOnesAreRefused) {
  using K = GrantSubjectKind;
  expectRoundTrips<K>({{K::kPrincipal, "principal"},
                       {K::kGroup, "group"},
                       {K::kAgent, "agent"},
                       {K::kUsers, "users"}},
                      parseGrantSubjectKind);
  expectRefused(parseGrantSubjectKind, "grant subject kind");
}

TEST(ToolEnums, ModeScopesRoundTripAndUnknownOnesAreRefused) {
  using M = ModeScope;
  expectRoundTrips<M>({{M::kServer, "server"}, {M::kTenant, "tenant"}, {M::kAgent, "agent"}},
                      parseModeScope);
  expectRefused(parseModeScope, "mode scope");
}

TEST(ToolEnums, ToolPutOutcomesHaveTheirDocumentedNames) {
  using O = ToolPutOutcome;
  EXPECT_EQ(toolPutOutcomeName(O::kCreated), "created");
  EXPECT_EQ(toolPutOutcomeName(O::kUnchanged), "unchanged");
  EXPECT_EQ(toolPutOutcomeName(O::kReplaced), "replaced");
  EXPECT_EQ(toolPutOutcomeName(O::kQuarantined), "quarantined");
}

}  // namespace
}  // namespace ward::store
