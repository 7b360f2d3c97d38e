#include "session_table.h"

#include <gtest/gtest.h>

namespace ward::mcp {
namespace {

Session of(int64_t principal) {
  Session s;
  s.tenant = "t";
  s.principal_id = principal;
  s.protocol_version = "2025-11-25";
  return s;
}

TEST(SessionTable, SessionsAreBoundToTheirPrincipal) {
  FakeClock clock;
  SessionTable table(clock, 8, 60);
  auto s = table.create(of(1));
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(s->id.size(), 32u);
  EXPECT_TRUE(table.get(s->id, 1).ok());
  EXPECT_EQ(table.get(s->id, 2).status().code(), StatusCode::kNotFound);
  EXPECT_EQ(table.remove(s->id, 2).code(), StatusCode::kNotFound);
  EXPECT_TRUE(table.remove(s->id, 1).ok());
  EXPECT_FALSE(table.get(s->id, 1).ok());
}

TEST(SessionTable, IdleSessionsExpireAndUseKeepsThemAlive) {
  FakeClock clock;
  SessionTable table(clock, 8, 60);
  auto a = table.create(of(1));
  auto b = table.create(of(1));
  clock.advanceMicros(50'000'000);
  EXPECT_TRUE(table.get(a->id, 1).ok());  // used: its idle time restarts
  clock.advanceMicros(20'000'000);
  EXPECT_TRUE(table.get(a->id, 1).ok());
  EXPECT_FALSE(table.get(b->id, 1).ok());
}

TEST(SessionTable, TheLimitIsEnforcedAfterExpiringIdleOnes) {
  FakeClock clock;
  SessionTable table(clock, 2, 60);
  ASSERT_TRUE(table.create(of(1)).ok());
  ASSERT_TRUE(table.create(of(1)).ok());
  auto third = table.create(of(1));
  ASSERT_FALSE(third.ok());
  EXPECT_EQ(third.status().code(), StatusCode::kResourceExhausted);
  clock.advanceMicros(61'000'000);
  EXPECT_TRUE(table.create(of(1)).ok());
  EXPECT_EQ(table.size(), 1u);
}

TEST(SessionTable, UpdatesChangeOnlyTheirFields) {
  FakeClock clock;
  SessionTable table(clock, 2, 60);
  auto s = table.create(of(1));
  // Two requests holding copies of the session each change one field: neither undoes the other.
  table.update(s->id, [](Session& x) { x.log_level = "info"; });
  table.update(s->id, [](Session& x) { x.tools_generation = 7; });
  table.update(s->id, [](Session& x) { x.initialized = true; });
  auto got = table.get(s->id, 1);
  EXPECT_EQ(got->log_level, "info");
  EXPECT_EQ(got->tools_generation, 7);
  EXPECT_TRUE(got->initialized);
  table.update("no-such-session", [](Session& x) { x.log_level = "debug"; });
  EXPECT_EQ(table.size(), 1u);
}

TEST(SessionTable, ExistsAndTouch) {
  FakeClock clock;
  SessionTable table(clock, 2, 60);
  auto s = table.create(of(1));
  EXPECT_TRUE(table.exists(s->id));
  EXPECT_FALSE(table.exists("nope"));
  clock.advanceMicros(50'000'000);
  table.touch(s->id);  // a held GET stream keeps it alive
  clock.advanceMicros(50'000'000);
  EXPECT_TRUE(table.exists(s->id));
  clock.advanceMicros(11'000'000);
  EXPECT_FALSE(table.exists(s->id));  // idle past 60 s
  table.touch(s->id);                 // too late: touching does not revive it
  EXPECT_FALSE(table.exists(s->id));
}

}  // namespace
}  // namespace ward::mcp
