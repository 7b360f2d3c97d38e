// Private to the ingest module: a small, fixed set of threads that parse and chunk the items of a
// sync page while the connector goes on listing and fetching (sync_runner.cc;
// docs/design/ingest.md, "Sync runs").
//
// Tasks run in any order on any worker; wait() returns once every task submitted so far has run,
// and the waiting thread runs queued tasks itself meanwhile (so a pool of one worker on a busy
// machine never leaves the caller idle). Tasks must not throw. Thread-safe; the destructor waits
// for the queued tasks and joins the workers.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

#include "ward/common/mutex.h"

namespace ward::ingest {

// At most this many parse workers, whatever the machine has (docs/design/ingest.md, "Sync runs").
inline constexpr unsigned kMaxParseWorkers = 8;

// The machine's hardware threads, capped at kMaxParseWorkers; at least 1.
unsigned defaultParseWorkers();

class ParsePool {
 public:
  explicit ParsePool(unsigned workers);
  ~ParsePool();
  ParsePool(const ParsePool&) = delete;
  ParsePool& operator=(const ParsePool&) = delete;

  void submit(std::function<void()> task);
  // Runs queued tasks on the calling thread until every submitted task has finished.
  void wait();
  unsigned workers() const { return static_cast<unsigned>(threads_.size()); }

 private:
  void work();
  // Pops and runs one task; false when the queue was empty. Releases mu_ while the task runs.
  bool runOne() WARD_REQUIRES(mu_);

  Mutex mu_;
  CondVar wake_;  // a task was queued, or the pool stops
  CondVar idle_;  // a task finished
  std::deque<std::function<void()>> queue_ WARD_GUARDED_BY(mu_);
  size_t running_ WARD_GUARDED_BY(mu_) = 0;
  bool stop_ WARD_GUARDED_BY(mu_) = false;
  std::vector<std::thread> threads_;
};

}  // namespace ward::ingest
