#include "stream_threads.h"

#include <condition_variable>
#include <deque>
#include <mutex>
#include <thread>

#include "ward/common/log.h"
#include "ward/common/mutex.h"

namespace ward::http {

struct StreamThreads::State {
  std::chrono::milliseconds idle;
  mutable Mutex mu;
  CondVar wake;
  std::deque<std::function<void()>> tasks WARD_GUARDED_BY(mu);
  size_t threads WARD_GUARDED_BY(mu) = 0;
  size_t idle_threads WARD_GUARDED_BY(mu) = 0;
  bool stopping WARD_GUARDED_BY(mu) = false;
};

StreamThreads::StreamThreads(std::chrono::milliseconds idle) : state_(std::make_shared<State>()) {
  state_->idle = idle;
}

StreamThreads::~StreamThreads() {
  MutexLock lock(state_->mu);
  state_->stopping = true;
  state_->wake.notifyAll();
}

Status StreamThreads::run(std::function<void()> task) {
  MutexLock lock(state_->mu);
  state_->tasks.push_back(std::move(task));
  // Each idle thread takes one task: a new thread only when the queue outgrows them.
  if (state_->tasks.size() <= state_->idle_threads) {
    state_->wake.notifyOne();
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
  MutexLock lock(state_->mu);
  return state_->threads;
}

size_t StreamThreads::idleThreads() const {
  MutexLock lock(state_->mu);
  return state_->idle_threads;
}

StreamThreads& StreamThreads::shared() {
  static StreamThreads* pool = new StreamThreads();  // never destroyed: see the header
  return *pool;
}

void StreamThreads::work(const std::shared_ptr<State>& s) {
  MutexLock lock(s->mu);
  for (;;) {
    if (s->tasks.empty()) {
      ++s->idle_threads;
      const bool woken = s->wake.waitFor(
          lock, s->idle, [&]() WARD_REQUIRES(s->mu) { return !s->tasks.empty() || s->stopping; });
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
