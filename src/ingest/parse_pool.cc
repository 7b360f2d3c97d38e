// The sync runner's parse workers (parse_pool.h).
#include "parse_pool.h"
#include "ward/common/mutex.h"

#include <algorithm>

namespace ward::ingest {

unsigned defaultParseWorkers() {
  unsigned n = std::thread::hardware_concurrency();
  return std::clamp(n, 1u, kMaxParseWorkers);
}

ParsePool::ParsePool(unsigned workers) {
  workers = std::clamp(workers, 1u, kMaxParseWorkers);
  threads_.reserve(workers);
  for (unsigned i = 0; i < workers; ++i) threads_.emplace_back([this] { work(); });
}

ParsePool::~ParsePool() {
  wait();
  {
    MutexLock lock(mu_);
    stop_ = true;
  }
  wake_.notifyAll();
  for (auto& t : threads_) t.join();
}

void ParsePool::submit(std::function<void()> task) {
  {
    MutexLock lock(mu_);
    queue_.push_back(std::move(task));
  }
  wake_.notifyOne();
}

bool ParsePool::runOne() {
  if (queue_.empty()) return false;
  std::function<void()> task = std::move(queue_.front());
  queue_.pop_front();
  ++running_;
  mu_.unlock();  // the caller's MutexLock owns it again once relocked below
  task();
  mu_.lock();
  --running_;
  idle_.notifyAll();
  return true;
}

void ParsePool::wait() {
  MutexLock lock(mu_);
  while (runOne()) {
  }
  idle_.wait(lock, [this]() WARD_REQUIRES(mu_) { return queue_.empty() && running_ == 0; });
}

void ParsePool::work() {
  MutexLock lock(mu_);
  while (true) {
    wake_.wait(lock, [this]() WARD_REQUIRES(mu_) { return stop_ || !queue_.empty(); });
    if (queue_.empty()) return;  // stopping, nothing left
    runOne();
  }
}

}  // namespace ward::ingest
