// The stream thread pool (stream_threads.h): a thread is reused by the next stream, a busy one is
// not, an idle one exits after the idle time, and a task's captures are released when it returns.
// Event-driven: waits are on conditions, never on time.
#include "stream_threads.h"

#include <gtest/gtest.h>

#include <condition_variable>
#include <future>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <thread>

namespace ward::http {
namespace {

// Polls a condition that must become true (yields; no deadline: ctest's timeout bounds it).
template <typename F>
void waitFor(F condition) {
  while (!condition()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
}

std::thread::id runAndWait(StreamThreads& pool) {
  std::promise<std::thread::id> ran;
  auto id = ran.get_future();
  EXPECT_TRUE(pool.run([&ran] { ran.set_value(std::this_thread::get_id()); }).ok());
  return id.get();
}

TEST(StreamThreadsTest, TheNextStreamReusesAnIdleThread) {
  StreamThreads pool(std::chrono::hours(1));
  std::thread::id first = runAndWait(pool);
  waitFor([&] { return pool.idleThreads() == 1; });
  std::thread::id second = runAndWait(pool);
  EXPECT_EQ(first, second);
  EXPECT_NE(first, std::this_thread::get_id());
  EXPECT_EQ(pool.threads(), 1u);
}

TEST(StreamThreadsTest, ABusyThreadIsNotSharedEveryOpenStreamHasItsOwn) {
  StreamThreads pool(std::chrono::hours(1));
  std::promise<void> release;
  std::shared_future<void> released = release.get_future().share();
  std::promise<std::thread::id> first_id;
  ASSERT_TRUE(pool.run([&first_id, released] {
                    first_id.set_value(std::this_thread::get_id());
                    released.wait();  // an open stream
                  })
                  .ok());
  std::thread::id first = first_id.get_future().get();
  std::thread::id second = runAndWait(pool);  // runs while the first is still open
  EXPECT_NE(first, second);
  EXPECT_EQ(pool.threads(), 2u);
  release.set_value();
  waitFor([&] { return pool.idleThreads() == 2; });
}

TEST(StreamThreadsTest, AnIdleThreadExitsAfterTheIdleTime) {
  StreamThreads pool(std::chrono::milliseconds(1));
  runAndWait(pool);
  waitFor([&] { return pool.threads() == 0; });
  EXPECT_EQ(pool.idleThreads(), 0u);
  runAndWait(pool);  // a new thread starts for the next stream
}

TEST(StreamThreadsTest, WhatATaskCapturedIsReleasedWhenItReturns) {
  // The stream's ModelService::StreamGuard is such a capture: held by an idle thread, it would
  // keep the service's destructor waiting.
  StreamThreads pool(std::chrono::hours(1));
  auto guard = std::make_shared<int>(1);
  std::weak_ptr<int> watch = guard;
  std::promise<void> ran;
  ASSERT_TRUE(pool.run([guard = std::move(guard), &ran] { ran.set_value(); }).ok());
  ran.get_future().wait();
  waitFor([&] { return pool.idleThreads() == 1; });
  EXPECT_TRUE(watch.expired());
}

TEST(StreamThreadsTest, AThrowingTaskDoesNotTakeItsThreadDown) {
  StreamThreads pool(std::chrono::hours(1));
  ASSERT_TRUE(pool.run([] { throw std::runtime_error("boom"); }).ok());
  waitFor([&] { return pool.idleThreads() == 1; });
  runAndWait(pool);
  EXPECT_EQ(pool.threads(), 1u);
}

}  // namespace
}  // namespace ward::http
