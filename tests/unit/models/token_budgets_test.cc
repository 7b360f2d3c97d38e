// Token budgets: windows, concurrency (at most one request of overshoot), settlement.
#include <gtest/gtest.h>

#include "ward/models/token_budgets.h"

namespace ward::models {
namespace {

identity::Principal who(const std::string& name, std::vector<std::string> groups = {}) {
  identity::Principal p;
  p.tenant = "t";
  p.name = name;
  p.groups = std::move(groups);
  return p;
}

TEST(TokenBudgets, ConcurrentRequestsOvershootByAtMostOne) {
  FakeClock clock;
  TokenBudgets b({{"principal:alice", 150, 0}}, &clock);
  auto a = b.admit(who("alice"), 100);
  ASSERT_TRUE(a.ok());
  auto second = b.admit(who("alice"), 100);  // 200 > 150 while the first is in flight
  ASSERT_FALSE(second.ok());
  EXPECT_EQ(second.status().code(), StatusCode::kResourceExhausted);
  EXPECT_GT(second.status().retryAfterSeconds(), 0);
  b.settle(*a, 120);                            // the real usage replaces the estimate
  EXPECT_TRUE(b.admit(who("alice"), 30).ok());  // 120 + 30 fits
  // Nothing fits now, and one is in flight: refused; others are not charged.
  EXPECT_FALSE(b.admit(who("alice"), 1).ok());
  EXPECT_TRUE(b.admit(who("bob"), 1000).ok());
}

TEST(TokenBudgets, AloneARequestMayOvershootOnceThenTheWindowIsShut) {
  FakeClock clock;
  TokenBudgets b({{"group:ml", 0, 10}}, &clock);
  auto first = b.admit(who("carol", {"ml"}), 500);  // larger than the budget, but alone
  ASSERT_TRUE(first.ok());
  b.settle(*first, 17);
  EXPECT_FALSE(b.admit(who("carol", {"ml"}), 1).ok());
  EXPECT_TRUE(b.admit(who("dave", {"ml"}), 1).ok());  // a group budget is per member
  clock.advanceMicros(86'400'000'000);                // the next UTC day
  EXPECT_TRUE(b.admit(who("carol", {"ml"}), 1).ok());
}

TEST(TokenBudgets, MinuteWindowsRollAndTenantBudgetsAreShared) {
  FakeClock clock(0);
  TokenBudgets b({{"tenant", 100, 0}}, &clock);
  auto x = b.admit(who("a"), 60);
  ASSERT_TRUE(x.ok());
  b.settle(*x, 60);
  auto z = b.admit(who("b"), 60);  // 60 + 60 > 100, but alone and under the limit: it may run
  ASSERT_TRUE(z.ok());
  b.settle(*z, 60);
  EXPECT_FALSE(b.admit(who("c"), 1).ok());  // 120 >= 100: the tenant's minute is used up
  clock.advanceMicros(60'000'000);
  auto y = b.admit(who("b"), 90);
  EXPECT_TRUE(y.ok());
}

TEST(TokenBudgets, UnknownUsageKeepsTheEstimate) {
  FakeClock clock;
  TokenBudgets b({{"principal:alice", 0, 100}}, &clock);
  auto a = b.admit(who("alice"), 80);
  ASSERT_TRUE(a.ok());
  b.settle(*a, -1);
  auto c = b.admit(who("alice"), 30);  // 80 + 30 > 100, alone, 80 < 100: the one overshoot
  ASSERT_TRUE(c.ok());
  b.settle(*c, 30);
  EXPECT_FALSE(b.admit(who("alice"), 1).ok());  // 110 >= 100
}

}  // namespace
}  // namespace ward::models
