#include "stream_threads.h"

#include <condition_variable>
#include <deque>
#include <mutex>
#include <thread>

#include "ward/common/log.h"

namespace ward::http {

struct StreamThreads::State {
  std::chrono::milliseconds idle;
  mutable std::mutex mu;
  std::condition_variable wake;
  std::deque<std::function<void()>> tasks;  // guarded by mu
  size_t threads = 0;                       // guarded by mu
  size_t idle_threads = 0;                  // guarded by mu
  bool stopping = false;                    // guarded by mu
};

StreamThreads::StreamThreads(std::chrono::milliseconds idle) : state_(std::make_shared<State>()) {
  state_->idle = idle;
}

StreamThreads::~StreamThreads() {
  std::lock_guard lock(state_->mu);
  state_->stopping = true;
  state_->wake.notify_all();
}

Status StreamThreads::run(std::function<void()> task) {
  std::unique_lock lock(state_->mu);
  state_->tasks.push_back(std::move(task));
  // Each idle thread takes one task: a new thread only when the queue outgrows them.
  if (state_->tasks.size() <= state_->idle_threads) {
    state_->wake.notify_one();
    return Status();
  }
  ++state_->threads;
  try {
    std::thread([s = state_] { work(s); }).detach();
  } catch (const std::exception& e) {
    --state_->threads;
    state_->tasks.pop_back();
    return Status::unavailable(std::string("cannot start a stream thread: ") + e.what());
  }
  return Status();
}

size_t StreamThreads::threads() const {
  std::lock_guard lock(state_->mu);
  return state_->threads;
}

size_t StreamThreads::idleThreads() const {
  std::lock_guard lock(state_->mu);
  return state_->idle_threads;
}

StreamThreads& StreamThreads::shared() {
  static StreamThreads* pool = new StreamThreads();  // never destroyed: see the header
  return *pool;
}

void StreamThreads::work(const std::shared_ptr<State>& s) {
  std::unique_lock lock(s->mu);
  for (;;) {
    if (s->tasks.empty()) {
      ++s->idle_threads;
      const bool woken = s->wake.wait_for(lock, s->idle,
                                          [&] { return !s->tasks.empty() || s->stopping; });
      --s->idle_threads;
      if (!woken || s->tasks.empty()) break;  // idle too long, or the pool is going away
    }
    std::function<void()> task = std::move(s->tasks.front());
    s->tasks.pop_front();
    lock.unlock();
    try {
      task();
    } catch (const std::exception& e) {
      logError(std::string("stream thread: a producer threw: ") + e.what());
    } catch (...) {
      logError("stream thread: a producer threw");
    }
    task = nullptr;  // releases what it captured before this thread waits again
    lock.lock();
  }
  --s->threads;
}

}  // namespace ward::http
