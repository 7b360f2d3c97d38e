// Token budgets per principal (or per tenant): tokens per minute and per UTC day, from
// `[[model_budgets]]` in ward.toml (docs/design/models.md "Budgets").
//
// Admission reserves an estimate (prompt bytes / 4 + max_tokens, or kDefaultOutputEstimate) and
// settles it with the provider's usage when the call ends. A request is admitted when the spent
// plus reserved tokens plus its estimate fit every window it falls in — or when nothing else is
// in flight for that budget and the window is not yet used up: so concurrent requests never
// overshoot a budget by more than one request. Windows are fixed (the current minute, the current
// UTC day). Kept in memory: a restart starts the windows afresh.
//
// Thread-safe. Entries are keyed by authenticated principal names (or the tenant), never by
// request fields; an entry whose windows have passed is dropped on the next admission.
#pragma once

#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "ward/common/clock.h"
#include "ward/common/mutex.h"
#include "ward/common/status.h"
#include "ward/identity/principal.h"

namespace ward::models {

inline constexpr int64_t kDefaultOutputEstimate = 1024;  // when a request sets no max_tokens
inline constexpr size_t kMaxBudgets = 256;

struct BudgetConfig {
  std::string
      subject;  // "principal:<name>", "group:<name>" (each member), "agent:<name>", "tenant"
  int64_t tokens_per_minute = 0;  // 0 = no limit
  int64_t tokens_per_day = 0;     // 0 = no limit
};

// Every [[model_budgets]] entry of the ward.toml at `path` (none when absent); InvalidArgument
// naming the entry and key.
Result<std::vector<BudgetConfig>> loadBudgetConfigs(const std::string& path);

class TokenBudgets {
 public:
  TokenBudgets(std::vector<BudgetConfig> budgets, const Clock* clock);

  // What admit() hands back; settle() it exactly once.
  struct Ticket {
    std::vector<std::string> keys;  // the ledger entries charged
    int64_t reserved = 0;
    int64_t minute = 0, day = 0;  // the windows reserved in
  };

  // ResourceExhausted (with a retry-after) naming the budget when the request does not fit.
  Result<Ticket> admit(const identity::Principal& principal, int64_t estimate);
  // Replaces the reservation with what was used (`used` < 0: unknown, the estimate stands).
  void settle(const Ticket& ticket, int64_t used);
  bool empty() const { return budgets_.empty(); }

 private:
  struct Ledger {
    int64_t minute = -1, day = -1;  // the windows the counts belong to
    int64_t minute_tokens = 0, day_tokens = 0;
    int in_flight = 0;
  };
  void roll(Ledger& l, int64_t minute, int64_t day);

  const std::vector<BudgetConfig> budgets_;
  const Clock* clock_;
  Mutex mu_;
  std::map<std::string, Ledger> ledgers_ WARD_GUARDED_BY(mu_);  // key "<budget index>/<who>"
};

}  // namespace ward::models
