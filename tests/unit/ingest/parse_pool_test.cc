// ParsePool (src/ingest/parse_pool.h): every task runs before wait() returns, workers run tasks at
// the same time, and the worker count is bounded by the documented constant.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>

#include "../../../src/ingest/parse_pool.h"

namespace ward::ingest {
namespace {

TEST(ParsePool, WaitReturnsOnceEveryTaskHasRun) {
  ParsePool pool(3);
  std::atomic<int> ran{0};
  for (int i = 0; i < 1000; ++i) pool.submit([&] { ran.fetch_add(1); });
  pool.wait();
  EXPECT_EQ(ran.load(), 1000);
  for (int i = 0; i < 10; ++i) pool.submit([&] { ran.fetch_add(1); });
  pool.wait();
  EXPECT_EQ(ran.load(), 1010);
}

// Two tasks that each wait for the other to start can only both finish when two threads run them
// at once. The wait is bounded so that a pool running one task at a time fails instead of hanging.
TEST(ParsePool, TwoWorkersRunTwoTasksAtOnce) {
  ParsePool pool(2);
  std::mutex mu;
  std::condition_variable cv;
  int started = 0;
  std::atomic<int> met{0};
  auto task = [&] {
    std::unique_lock<std::mutex> lock(mu);
    ++started;
    cv.notify_all();
    if (cv.wait_for(lock, std::chrono::seconds(60), [&] { return started >= 2; })) met.fetch_add(1);
  };
  pool.submit(task);
  pool.submit(task);
  pool.wait();
  EXPECT_EQ(met.load(), 2);
}

// The only worker is held by a task that the second task releases: wait() must run the second
// on the calling thread (bounded, so that a pool that does not fails instead of hanging).
TEST(ParsePool, TheCallerOfWaitRunsQueuedTasksToo) {
  ParsePool pool(1);
  std::atomic<bool> first_started{false};
  std::atomic<bool> released{false};
  std::atomic<bool> timed_out{false};
  pool.submit([&] {
    first_started = true;
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
    while (!released) {
      if (std::chrono::steady_clock::now() > deadline) {
        timed_out = true;
        return;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
  });
  while (!first_started) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  std::thread::id ran_on;
  pool.submit([&] {
    ran_on = std::this_thread::get_id();
    released = true;
  });
  pool.wait();
  EXPECT_FALSE(timed_out.load());
  EXPECT_EQ(ran_on, std::this_thread::get_id());
}

TEST(ParsePool, WorkersAreBoundedByTheNamedConstant) {
  EXPECT_GE(defaultParseWorkers(), 1u);
  EXPECT_LE(defaultParseWorkers(), kMaxParseWorkers);
  EXPECT_EQ(ParsePool(0).workers(), 1u);
  EXPECT_EQ(ParsePool(kMaxParseWorkers + 5).workers(), kMaxParseWorkers);
}

}  // namespace
}  // namespace ward::ingest
