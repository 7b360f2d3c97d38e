// Requests waiting for an approval decision (`?wait=SECONDS`) without a thread each. One poller
// thread, started on the first wait, re-reads every waited-on approval each kPollInterval (so a
// decision made by another process shows within it) and is woken at once by a decision made in
// this process (wake()). A waiter ends once its approval settles, its deadline passes, its
// approval cannot be read, or it is cancelled (its client went away); `done` then runs exactly
// once, on the poller thread, except after cancel(), when it never runs.
//
// Bounded: at most kMaxApprovalWaitersPerPrincipal waiters per (tenant, principal) and
// kMaxApprovalWaiters in all (tool_gateway.h); over either, add() is ResourceExhausted. The
// per-principal counts are erased when they drop to zero, so the map holds only live waiters.
//
// Thread-safe. The destructor completes every remaining waiter with Unavailable and joins.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <thread>

#include "ward/common/json.h"
#include "ward/common/mutex.h"
#include "ward/common/status.h"
#include "ward/gateway/gateway_results.h"
#include "ward/identity/principal.h"

namespace ward::gateway {

class ApprovalWaiters {
 public:
  using Done = std::function<void(Result<ApprovalView>)>;
  // The approval as `viewer` may see it; *settled when it will not change any more.
  using Check = std::function<Result<ApprovalView>(const identity::Principal& viewer,
                                                   const std::string& id, bool* settled)>;
  static constexpr std::chrono::milliseconds kPollInterval{50};

  explicit ApprovalWaiters(Check check) : check_(std::move(check)) {}
  ~ApprovalWaiters();
  ApprovalWaiters(const ApprovalWaiters&) = delete;
  ApprovalWaiters& operator=(const ApprovalWaiters&) = delete;

  // Registers a waiter; returns its token (for cancel). ResourceExhausted over a bound.
  Result<uint64_t> add(const identity::Principal& viewer, const std::string& id,
                       std::chrono::steady_clock::time_point deadline, Done done);
  // Withdraws a waiter whose `done` has not started; a no-op otherwise.
  void cancel(uint64_t token);
  // Checks every waiter now (a decision was just made in this process).
  void wake();
  // Waiters now (the /metrics gauge ward_gateway_approval_waiters).
  size_t size() const;

 private:
  struct Waiter {
    identity::Principal viewer;
    std::string id;
    std::chrono::steady_clock::time_point deadline;
    Done done;
  };
  static std::string principalKey(const identity::Principal& p) { return p.tenant + "/" + p.name; }
  void run();
  void eraseLocked(std::map<uint64_t, Waiter>::iterator it) WARD_REQUIRES(mu_);

  const Check check_;
  mutable Mutex mu_;
  CondVar cv_;
  std::map<uint64_t, Waiter> waiters_ WARD_GUARDED_BY(mu_);
  std::map<std::string, int> per_principal_ WARD_GUARDED_BY(mu_);  // no zero entries
  uint64_t next_token_ WARD_GUARDED_BY(mu_) = 1;
  bool woken_ WARD_GUARDED_BY(mu_) = false;
  bool stopping_ WARD_GUARDED_BY(mu_) = false;
  std::thread poller_;  // started by the first add(), under mu_
};

}  // namespace ward::gateway
