#include "task_store.h"

#include <algorithm>
#include <chrono>

#include "ward/common/hash.h"
#include "ward/common/mutex.h"

namespace ward::mcp {

const char* taskStatusName(TaskStatus s) {
  switch (s) {
    case TaskStatus::kWorking:
      return "working";
    case TaskStatus::kInputRequired:
      return "input_required";
    case TaskStatus::kCompleted:
      return "completed";
    case TaskStatus::kFailed:
      return "failed";
    case TaskStatus::kCancelled:
      return "cancelled";
  }
  return "failed";
}

bool isTerminal(TaskStatus s) {
  return s == TaskStatus::kCompleted || s == TaskStatus::kFailed || s == TaskStatus::kCancelled;
}

namespace {

bool owns(const TaskOwner& owner, const Task& t) {
  return t.owner.tenant == owner.tenant && t.owner.principal_id == owner.principal_id &&
         t.owner.session_id == owner.session_id;
}

}  // namespace

void TaskStore::expireLocked(int64_t now) {
  for (auto it = tasks_.begin(); it != tasks_.end();) {
    const Task& t = it->second;
    if (isTerminal(t.status) && now >= t.created_us + t.ttl_ms * 1000) {
      it = tasks_.erase(it);
    } else {
      ++it;
    }
  }
}

Result<Task> TaskStore::create(Task t) {
  MutexLock lock(mu_);
  const int64_t now = clock_.nowMicros();
  expireLocked(now);
  size_t running = 0, kept = 0;
  auto oldest_finished = tasks_.end();
  for (auto it = tasks_.begin(); it != tasks_.end(); ++it) {
    const Task& other = it->second;
    if (other.owner.tenant != t.owner.tenant || other.owner.principal_id != t.owner.principal_id) {
      continue;
    }
    ++kept;
    if (!isTerminal(other.status)) {
      ++running;
    } else if (oldest_finished == tasks_.end() ||
               other.created_us < oldest_finished->second.created_us) {
      oldest_finished = it;
    }
  }
  if (running >= max_per_principal_) {
    return Status::resourceExhausted("too many unfinished MCP tasks for this principal (at most " +
                                     std::to_string(max_per_principal_) + ")");
  }
  // Room for the new one: the principal's oldest finished task goes first.
  if (kept >= max_kept_per_principal_ && oldest_finished != tasks_.end()) {
    tasks_.erase(oldest_finished);
  }
  if (tasks_.size() >= max_total_) {
    return Status::resourceExhausted("too many MCP tasks (" + std::to_string(max_total_) +
                                     "); try again when some have ended");
  }
  t.id = randomHex(16);
  t.created_us = now;
  t.updated_us = now;
  if (t.ttl_ms <= 0) t.ttl_ms = kTaskTtlMs;
  if (t.ttl_ms > kMaxTaskTtlMs) t.ttl_ms = kMaxTaskTtlMs;
  tasks_[t.id] = t;
  return t;
}

Result<Task> TaskStore::get(const TaskOwner& owner, const std::string& id) {
  MutexLock lock(mu_);
  expireLocked(clock_.nowMicros());
  auto it = tasks_.find(id);
  if (it == tasks_.end() || !owns(owner, it->second)) {
    return Status::notFound("task '" + id + "' not found");
  }
  return it->second;
}

std::vector<Task> TaskStore::list(const TaskOwner& owner) {
  MutexLock lock(mu_);
  expireLocked(clock_.nowMicros());
  std::vector<Task> out;
  for (const auto& [id, t] : tasks_) {
    if (owns(owner, t)) out.push_back(t);
  }
  std::sort(out.begin(), out.end(), [](const Task& a, const Task& b) {
    return a.created_us != b.created_us ? a.created_us < b.created_us : a.id < b.id;
  });
  return out;
}

std::optional<Task> TaskStore::update(const std::string& id,
                                      const std::function<void(Task&)>& change) {
  MutexLock lock(mu_);
  auto it = tasks_.find(id);
  if (it == tasks_.end()) return std::nullopt;
  Task& t = it->second;
  const TaskStatus before = t.status;
  Task copy = t;
  change(copy);
  if (isTerminal(before)) {
    // Settled: only the runner's bookkeeping may change, never the outcome.
    copy.status = before;
    copy.result = t.result;
    copy.error = t.error;
    copy.input_requests = t.input_requests;
    copy.status_message = t.status_message;
  }
  copy.id = t.id;
  copy.owner = t.owner;
  copy.created_us = t.created_us;
  copy.updated_us = clock_.nowMicros();
  t = std::move(copy);
  changed_.notifyAll();
  return t;
}

std::optional<Task> TaskStore::waitUntil(const std::string& id,
                                         const std::function<bool(const Task&)>& ready,
                                         int64_t timeout_ms) {
  MutexLock lock(mu_);
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  while (true) {
    auto it = tasks_.find(id);
    if (it == tasks_.end()) return std::nullopt;
    if (ready(it->second)) return it->second;
    if (changed_.waitUntil(lock, deadline) == std::cv_status::timeout) {
      it = tasks_.find(id);
      if (it == tasks_.end()) return std::nullopt;
      return it->second;
    }
  }
}

void TaskStore::requestCancelAll() {
  MutexLock lock(mu_);
  for (auto& [id, t] : tasks_) t.cancel_requested = true;
  changed_.notifyAll();
}

size_t TaskStore::size() {
  MutexLock lock(mu_);
  return tasks_.size();
}

Json taskWire(const Task& t, bool v2026) {
  Json w = {{"taskId", t.id},
            {"status", taskStatusName(t.status)},
            {"createdAt", formatRfc3339(t.created_us)},
            {"lastUpdatedAt", formatRfc3339(t.updated_us)}};
  if (!t.status_message.empty()) w["statusMessage"] = t.status_message;
  w[v2026 ? "ttlMs" : "ttl"] = t.ttl_ms;
  w[v2026 ? "pollIntervalMs" : "pollInterval"] = kTaskPollIntervalMs;
  if (!t.approval_id.empty()) w["_meta"]["ward/approvalId"] = t.approval_id;
  return w;
}

}  // namespace ward::mcp
