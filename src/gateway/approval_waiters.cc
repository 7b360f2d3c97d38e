#include "approval_waiters.h"

#include <algorithm>
#include <utility>
#include <vector>

#include "ward/common/mutex.h"
#include "ward/gateway/tool_gateway.h"

namespace ward::gateway {

ApprovalWaiters::~ApprovalWaiters() {
  std::map<uint64_t, Waiter> left;
  {
    MutexLock lock(mu_);
    stopping_ = true;
    left.swap(waiters_);
    per_principal_.clear();
  }
  cv_.notifyAll();
  if (poller_.joinable()) poller_.join();
  for (auto& [token, w] : left) w.done(Status::unavailable("the gateway is shutting down"));
}

Result<uint64_t> ApprovalWaiters::add(const identity::Principal& viewer, const std::string& id,
                                      std::chrono::steady_clock::time_point deadline, Done done) {
  MutexLock lock(mu_);
  if (stopping_) return Status::unavailable("the gateway is shutting down");
  const std::string key = principalKey(viewer);
  auto count = per_principal_.find(key);
  if (count != per_principal_.end() && count->second >= kMaxApprovalWaitersPerPrincipal) {
    return Status::resourceExhausted(
               "'" + viewer.name + "' already has " +
               std::to_string(kMaxApprovalWaitersPerPrincipal) +
               " requests waiting for approval decisions (the limit per principal); poll "
               "GET /v1/approvals/{id} or wait for one of them to end")
        .withRetryAfterSeconds(1);
  }
  if (waiters_.size() >= static_cast<size_t>(kMaxApprovalWaiters)) {
    return Status::resourceExhausted("the server already has " +
                                     std::to_string(kMaxApprovalWaiters) +
                                     " requests waiting for approval decisions; poll instead")
        .withRetryAfterSeconds(1);
  }
  const uint64_t token = next_token_++;
  waiters_.emplace(token, Waiter{viewer, id, deadline, std::move(done)});
  ++per_principal_[key];
  if (!poller_.joinable()) poller_ = std::thread([this] { run(); });
  woken_ = true;  // check it at once: the decision may have come before the waiter
  cv_.notifyAll();
  return token;
}

void ApprovalWaiters::eraseLocked(std::map<uint64_t, Waiter>::iterator it) {
  auto count = per_principal_.find(principalKey(it->second.viewer));
  if (count != per_principal_.end() && --count->second <= 0) per_principal_.erase(count);
  waiters_.erase(it);
}

void ApprovalWaiters::cancel(uint64_t token) {
  MutexLock lock(mu_);
  auto it = waiters_.find(token);
  if (it != waiters_.end()) eraseLocked(it);
}

void ApprovalWaiters::wake() {
  {
    MutexLock lock(mu_);
    woken_ = true;
  }
  cv_.notifyAll();
}

size_t ApprovalWaiters::size() const {
  MutexLock lock(mu_);
  return waiters_.size();
}

void ApprovalWaiters::run() {
  struct Due {
    uint64_t token;
    Result<ApprovalView> answer;
  };
  MutexLock lock(mu_);
  while (!stopping_) {
    cv_.waitFor(lock, kPollInterval, [this]() WARD_REQUIRES(mu_) { return stopping_ || woken_; });
    if (stopping_) break;
    woken_ = false;
    // Check outside the lock (store reads); waiters added or cancelled meanwhile are handled on
    // the next round.
    std::vector<std::pair<uint64_t, Waiter>> snapshot;
    snapshot.reserve(waiters_.size());
    for (const auto& [token, w] : waiters_)
      snapshot.emplace_back(token, Waiter{w.viewer, w.id, w.deadline, nullptr});
    lock.unlock();
    std::vector<Due> due;
    const auto now = std::chrono::steady_clock::now();
    for (const auto& [token, w] : snapshot) {
      bool settled = false;
      Result<ApprovalView> view = check_(w.viewer, w.id, &settled);
      if (!view.ok() || settled || now >= w.deadline) due.push_back({token, std::move(view)});
    }
    lock.lock();
    std::vector<std::pair<Done, Result<ApprovalView>>> finished;
    for (Due& d : due) {
      auto it = waiters_.find(d.token);
      if (it == waiters_.end()) continue;  // cancelled meanwhile
      finished.emplace_back(std::move(it->second.done), std::move(d.answer));
      eraseLocked(it);
    }
    if (finished.empty()) continue;
    lock.unlock();
    for (auto& [done, answer] : finished) done(std::move(answer));
    lock.lock();
  }
}

}  // namespace ward::gateway
