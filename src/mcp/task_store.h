// The MCP tasks of this process (the tasks extension: 2025-11-25 "tasks", 2026-07-28
// io.modelcontextprotocol/tasks, SEP-2663). A task is a tools/call that runs (or waits for a
// reviewer's approval) after its request was answered; the client polls it by id.
//
// Contracts:
// - A task is bound to its owner: tenant, principal id and, for a 2025-era session, the session
//   id. Any other caller asking for its id gets NotFound, exactly as for an unknown id.
// - In memory: tasks do not survive a restart (a client then gets "not found"; an approval the
//   task followed survives in the store and can still be read with GET /v1/approvals/{id}).
// - Bounded: at most kMaxTasksPerPrincipal unfinished tasks per principal (ResourceExhausted
//   past it); at most kMaxKeptTasksPerPrincipal kept per principal (a new task then evicts the
//   principal's oldest finished one, even before its TTL); kMaxTasks in all (ResourceExhausted).
//   A task lives ttl_ms from its creation; once that has passed and the task is terminal it is
//   removed (checked lazily on every access). A task still running when its TTL ends is kept
//   until it ends, then removed at the next access.
// - Thread-safe. Callers get copies; changes go through update().
#pragma once

#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "ward/common/clock.h"
#include "ward/common/json.h"
#include "ward/common/mutex.h"
#include "ward/common/status.h"
#include "ward/trace/trace.h"

namespace ward::mcp {

inline constexpr size_t kMaxTasksPerPrincipal = 64;       // unfinished
inline constexpr size_t kMaxKeptTasksPerPrincipal = 256;  // finished ones included
inline constexpr size_t kMaxTasks = 4096;
inline constexpr int64_t kTaskTtlMs = 3600 * 1000;          // one hour from creation
inline constexpr int64_t kMaxTaskTtlMs = 24 * 3600 * 1000;  // a client's ttl is capped here
inline constexpr int64_t kTaskPollIntervalMs = 1000;

enum class TaskStatus { kWorking, kInputRequired, kCompleted, kFailed, kCancelled };

const char* taskStatusName(TaskStatus s);
bool isTerminal(TaskStatus s);

struct TaskOwner {
  std::string tenant;
  int64_t principal_id = 0;
  std::string session_id;  // "" for stateless (2026-07-28) requests
};

struct Task {
  std::string id;  // 32 hex, from the CSPRNG
  TaskOwner owner;
  std::string principal_name;
  std::string tool;
  TaskStatus status = TaskStatus::kWorking;
  std::string status_message;
  int64_t created_us = 0;
  int64_t updated_us = 0;
  int64_t ttl_ms = kTaskTtlMs;
  Json result;  // kCompleted: the tools/call result
  Json error;   // kFailed: {code, message, data?}
  // kInputRequired: the requests the client still has to answer (key -> {method, params}).
  Json input_requests = Json::object();
  // Answers delivered by tasks/update and not yet taken by the running tool.
  Json input_responses = Json::object();
  std::string approval_id;  // the approval the task follows ("" when none)
  bool cancel_requested = false;
  trace::TraceContext trace;  // the creating request's: every state change is recorded under it
};

class TaskStore {
 public:
  explicit TaskStore(const Clock& clock, size_t max_per_principal = kMaxTasksPerPrincipal,
                     size_t max_total = kMaxTasks,
                     size_t max_kept_per_principal = kMaxKeptTasksPerPrincipal)
      : clock_(clock),
        max_per_principal_(max_per_principal),
        max_total_(max_total),
        max_kept_per_principal_(max_kept_per_principal) {}

  // Adds `t` (its id, times and status are set here); ResourceExhausted over a bound.
  Result<Task> create(Task t);
  // The task when it exists and belongs to `owner`; else NotFound.
  Result<Task> get(const TaskOwner& owner, const std::string& id);
  // The owner's live tasks, oldest first.
  std::vector<Task> list(const TaskOwner& owner);
  // Changes a task in place (whoever owns it: the runner's side). A terminal task never changes
  // status again. Returns the task after the change, nullopt when it no longer exists.
  std::optional<Task> update(const std::string& id, const std::function<void(Task&)>& change);
  // Waits until `ready(task)` holds, the task is gone, or `timeout_ms` passed; the task then.
  std::optional<Task> waitUntil(const std::string& id,
                                const std::function<bool(const Task&)>& ready, int64_t timeout_ms);
  // Asks every task still running to stop (Ward is shutting down); their runners see it.
  void requestCancelAll();
  size_t size();

 private:
  void expireLocked(int64_t now) WARD_REQUIRES(mu_);

  const Clock& clock_;
  const size_t max_per_principal_;
  const size_t max_total_;
  const size_t max_kept_per_principal_;
  Mutex mu_;
  CondVar changed_;
  std::map<std::string, Task> tasks_ WARD_GUARDED_BY(mu_);
};

// The task's wire view: the fields every revision shares (taskId, status, statusMessage,
// createdAt, lastUpdatedAt as ISO-8601 UTC, ttl/pollInterval under the revision's names).
Json taskWire(const Task& t, bool v2026);

}  // namespace ward::mcp
