#include "task_store.h"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <vector>

namespace ward::mcp {
namespace {

Task of(int64_t principal, const std::string& session = "") {
  Task t;
  t.owner = TaskOwner{"t", principal, session};
  t.tool = "slow";
  return t;
}

TEST(TaskStore, TasksAreBoundToPrincipalAndSession) {
  FakeClock clock;
  TaskStore store(clock);
  auto t = store.create(of(1, "s1"));
  ASSERT_TRUE(t.ok());
  EXPECT_EQ(t->id.size(), 32u);
  EXPECT_TRUE(store.get(TaskOwner{"t", 1, "s1"}, t->id).ok());
  // Another principal, another session of the same principal, another tenant: not found,
  // exactly as an unknown id.
  EXPECT_EQ(store.get(TaskOwner{"t", 2, "s1"}, t->id).status().code(), StatusCode::kNotFound);
  EXPECT_EQ(store.get(TaskOwner{"t", 1, "s2"}, t->id).status().code(), StatusCode::kNotFound);
  EXPECT_EQ(store.get(TaskOwner{"u", 1, "s1"}, t->id).status().code(), StatusCode::kNotFound);
  EXPECT_EQ(store.get(TaskOwner{"t", 1, "s1"}, "nope").status().code(), StatusCode::kNotFound);
  EXPECT_EQ(store.list(TaskOwner{"t", 2, "s1"}).size(), 0u);
  EXPECT_EQ(store.list(TaskOwner{"t", 1, "s1"}).size(), 1u);
}

TEST(TaskStore, UnfinishedTasksPerPrincipalAreBounded) {
  FakeClock clock;
  TaskStore store(clock, 3, 100);
  std::vector<std::string> ids;
  for (int i = 0; i < 3; ++i) ids.push_back(store.create(of(1))->id);
  auto over = store.create(of(1));
  EXPECT_EQ(over.status().code(), StatusCode::kResourceExhausted);
  EXPECT_TRUE(store.create(of(2)).ok());  // one principal cannot take the others' room
  store.update(ids[0], [](Task& t) { t.status = TaskStatus::kCompleted; });
  EXPECT_TRUE(store.create(of(1)).ok());  // a finished task no longer counts
  // The default bound is the documented constant.
  TaskStore defaults(clock);
  for (size_t i = 0; i < kMaxTasksPerPrincipal; ++i) ASSERT_TRUE(defaults.create(of(7)).ok());
  EXPECT_FALSE(defaults.create(of(7)).ok());
}

TEST(TaskStore, KeptTasksPerPrincipalEvictTheOldestFinishedOne) {
  FakeClock clock;
  TaskStore store(clock, 10, 100, 3);
  std::vector<std::string> ids;
  for (int i = 0; i < 3; ++i) {
    ids.push_back(store.create(of(1))->id);
    store.update(ids.back(), [](Task& t) { t.status = TaskStatus::kCompleted; });
    clock.advanceMicros(1000);
  }
  ASSERT_TRUE(store.create(of(1)).ok());
  const TaskOwner owner{"t", 1, ""};
  EXPECT_FALSE(store.get(owner, ids[0]).ok());  // the oldest finished one made room
  EXPECT_TRUE(store.get(owner, ids[1]).ok());
  EXPECT_EQ(store.list(owner).size(), 3u);
  // The total bound refuses.
  TaskStore small(clock, 10, 2, 10);
  ASSERT_TRUE(small.create(of(1)).ok());
  ASSERT_TRUE(small.create(of(2)).ok());
  EXPECT_EQ(small.create(of(3)).status().code(), StatusCode::kResourceExhausted);
}

TEST(TaskStore, TerminalTasksExpireAfterTheirTtlRunningOnesStay) {
  FakeClock clock;
  TaskStore store(clock, 8, 100);
  Task a = of(1);
  a.ttl_ms = 1000;
  Task b = a;
  auto done = store.create(a);
  auto running = store.create(b);
  ASSERT_TRUE(done.ok() && running.ok());
  store.update(done->id, [](Task& t) { t.status = TaskStatus::kCompleted; });
  clock.advanceMicros(999 * 1000);
  EXPECT_TRUE(store.get(TaskOwner{"t", 1, ""}, done->id).ok());  // never before its ttl
  clock.advanceMicros(2 * 1000);
  EXPECT_FALSE(store.get(TaskOwner{"t", 1, ""}, done->id).ok());
  EXPECT_TRUE(store.get(TaskOwner{"t", 1, ""}, running->id).ok());
  store.update(running->id, [](Task& t) { t.status = TaskStatus::kFailed; });
  EXPECT_FALSE(store.get(TaskOwner{"t", 1, ""}, running->id).ok());
  EXPECT_EQ(store.size(), 0u);
}

TEST(TaskStore, ATerminalTaskNeverChangesItsOutcome) {
  FakeClock clock;
  TaskStore store(clock);
  auto t = store.create(of(1));
  ASSERT_TRUE(t.ok());
  store.update(t->id, [](Task& k) { k.status = TaskStatus::kCancelled; });
  auto after = store.update(t->id, [](Task& k) {
    k.status = TaskStatus::kCompleted;
    k.result = Json{{"x", 1}};
  });
  ASSERT_TRUE(after.has_value());
  EXPECT_EQ(after->status, TaskStatus::kCancelled);
  EXPECT_TRUE(after->result.is_null());
}

TEST(TaskStore, TtlIsCappedAndWireNamesFollowTheRevision) {
  FakeClock clock;
  TaskStore store(clock);
  Task a = of(1);
  a.ttl_ms = kMaxTaskTtlMs * 10;
  auto t = store.create(a);
  ASSERT_TRUE(t.ok());
  EXPECT_EQ(t->ttl_ms, kMaxTaskTtlMs);
  Json v2 = taskWire(*t, true);
  EXPECT_EQ(v2["ttlMs"], kMaxTaskTtlMs);
  EXPECT_EQ(v2["pollIntervalMs"], kTaskPollIntervalMs);
  EXPECT_FALSE(v2.contains("ttl"));
  EXPECT_EQ(v2["status"], "working");
  Json v1 = taskWire(*t, false);
  EXPECT_EQ(v1["ttl"], kMaxTaskTtlMs);
  EXPECT_EQ(v1["pollInterval"], kTaskPollIntervalMs);
  EXPECT_FALSE(v1.contains("ttlMs"));
  EXPECT_EQ(v1["createdAt"].get<std::string>().back(), 'Z');
}

// The limits table of docs/design/mcp.md states the store's bounds: its rows must carry the
// constants' values (a changed constant fails here until the doc says so too).
TEST(TaskStore, DesignDocStatesTheBounds) {
  std::ifstream in(WARD_MCP_DESIGN_DOC);
  ASSERT_TRUE(in.good()) << WARD_MCP_DESIGN_DOC;
  std::stringstream all;
  all << in.rdbuf();
  std::string tasks_row, lifetime_row, poll_row;
  std::string line;
  while (std::getline(all, line)) {
    if (line.rfind("| tasks |", 0) == 0) tasks_row = line;
    if (line.rfind("| task lifetime |", 0) == 0) lifetime_row = line;
    if (line.rfind("| task poll interval |", 0) == 0) poll_row = line;
  }
  auto has = [](const std::string& row, const std::string& text) {
    return row.find(text) != std::string::npos;
  };
  EXPECT_TRUE(has(tasks_row, std::to_string(kMaxTasksPerPrincipal) + " unfinished per principal"))
      << tasks_row;
  EXPECT_TRUE(has(tasks_row, std::to_string(kMaxKeptTasksPerPrincipal) + " kept per principal"))
      << tasks_row;
  EXPECT_TRUE(has(tasks_row, "4096 kept in all") && kMaxTasks == 4096) << tasks_row;
  EXPECT_TRUE(has(lifetime_row, "3,600,000") && kTaskTtlMs == 3600000) << lifetime_row;
  EXPECT_TRUE(has(lifetime_row, "24 h") && kMaxTaskTtlMs == 24 * 3600 * 1000) << lifetime_row;
  EXPECT_TRUE(has(poll_row, std::to_string(kTaskPollIntervalMs) + " ms")) << poll_row;
}

}  // namespace
}  // namespace ward::mcp
