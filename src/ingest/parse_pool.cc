// The sync runner's parse workers (parse_pool.h).
#include "parse_pool.h"

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
    std::lock_guard<std::mutex> lock(mu_);
    stop_ = true;
  }
  wake_.notify_all();
  for (auto& t : threads_) t.join();
}

void ParsePool::submit(std::function<void()> task) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    queue_.push_back(std::move(task));
  }
  wake_.notify_one();
}

bool ParsePool::runOne(std::unique_lock<std::mutex>& lock) {
  if (queue_.empty()) return false;
  std::function<void()> task = std::move(queue_.front());
  queue_.pop_front();
  ++running_;
  lock.unlock();
  task();
  lock.lock();
  --running_;
  idle_.notify_all();
  return true;
}

void ParsePool::wait() {
  std::unique_lock<std::mutex> lock(mu_);
  while (runOne(lock)) {
  }
  idle_.wait(lock, [this] { return queue_.empty() && running_ == 0; });
}

void ParsePool::work() {
  std::unique_lock<std::mutex> lock(mu_);
  while (true) {
    wake_.wait(lock, [this] { return stop_ || !queue_.empty(); });
    if (queue_.empty()) return;  // stopping, nothing left
    runOne(lock);
  }
}

}  // namespace ward::ingest
