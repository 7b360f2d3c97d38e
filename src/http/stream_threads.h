// The threads that run streamed responses' producers (stream_start.h). A producer runs on an idle
// thread when one is waiting, else on a new one: there is no bound, every open stream holds a
// thread (as one thread per stream did before). A thread idle for the pool's idle time exits.
// Reusing threads saves a thread start per stream and keeps each thread's outbound connection
// (net::send's per-thread libcurl handle, keep-alive) open for the next stream to the same
// provider. Private to src/http.
//
// A task's function object is destroyed as soon as it returned, before its thread waits again, so
// what it captured (a ModelService::StreamGuard) is released when the stream ends. Thread-safe.
#pragma once

#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>

#include "ward/common/status.h"

namespace ward::http {

// How long an idle stream thread waits for the next stream before it exits
// (docs/design/http.md, "Streamed responses").
inline constexpr std::chrono::seconds kStreamThreadIdle{30};

class StreamThreads {
 public:
  explicit StreamThreads(std::chrono::milliseconds idle = kStreamThreadIdle);
  // Idle threads exit at once; running tasks finish on their threads.
  ~StreamThreads();
  StreamThreads(const StreamThreads&) = delete;
  StreamThreads& operator=(const StreamThreads&) = delete;

  // Runs `task` on a pooled thread. Unavailable when a needed thread cannot be started (the task
  // is then not run). A task must not throw; one that does is stopped there.
  Status run(std::function<void()> task);

  size_t threads() const;      // threads alive, running or idle
  size_t idleThreads() const;  // threads waiting for a task

  // The server's pool: process-wide, never destroyed (idle threads end with the process).
  static StreamThreads& shared();

 private:
  struct State;
  static void work(const std::shared_ptr<State>& s);  // a pooled thread's loop

  std::shared_ptr<State> state_;  // shared with every thread, which may outlive this object
};

}  // namespace ward::http
