#include "ward/common/mutex.h"
#include "ward/models/token_budgets.h"

#include <toml++/toml.h>

#include <algorithm>

#include "ward/gateway/grant_subject.h"
#include "ward/upstream/upstream_config.h"
#include "ward/common/toml_file.h"

namespace ward::models {

namespace {

constexpr int64_t kMicrosPerMinute = 60'000'000;
constexpr int64_t kMicrosPerDay = 86'400'000'000;

bool matches(const BudgetConfig& b, const identity::Principal& p) {
  return b.subject == "tenant" || gateway::subjectListAllows({b.subject}, p);
}

}  // namespace

Result<std::vector<BudgetConfig>> loadBudgetConfigs(const std::string& path) {
  std::vector<BudgetConfig> out;
  WARD_ASSIGN_OR_RETURN(toml::table table, readTomlFile(path));
  WARD_ASSIGN_OR_RETURN(std::vector<const toml::table*> list,
                        tomlArrayOfTables(table, "model_budgets", kMaxBudgets));
  for (size_t i = 0; i < list.size(); ++i) {
    const std::string where = "ward.toml: model_budgets[" + std::to_string(i) + "]";
    BudgetConfig b;
    for (const auto& [k, v] : *list[i]) {
      const std::string key(k.str());
      if (key == "subject") {
        auto s = v.value<std::string>();
        if (!v.is_string() || !s)
          return Status::invalidArgument(where + ".subject must be a string");
        b.subject = *s;
      } else if (key == "tokens_per_minute" || key == "tokens_per_day") {
        auto n = v.value<int64_t>();
        if (!v.is_integer() || !n || *n < 0 || *n > 1'000'000'000'000) {
          return Status::invalidArgument(where + "." + key + " must be an integer 0..10^12");
        }
        (key == "tokens_per_minute" ? b.tokens_per_minute : b.tokens_per_day) = *n;
      } else {
        return Status::invalidArgument(where + "." + key + ": unknown key");
      }
    }
    if (b.subject != "tenant") {
      Status st = upstream::checkSubjectEntry(b.subject);
      if (!st.ok()) {
        return Status::invalidArgument(where + ".subject: must be \"tenant\" or " + st.message());
      }
    }
    out.push_back(std::move(b));
  }
  return out;
}

TokenBudgets::TokenBudgets(std::vector<BudgetConfig> budgets, const Clock* clock)
    : budgets_(std::move(budgets)), clock_(clock ? clock : &SystemClock::instance()) {}

void TokenBudgets::roll(Ledger& l, int64_t minute, int64_t day) {
  if (l.minute != minute) {
    l.minute = minute;
    l.minute_tokens = 0;
  }
  if (l.day != day) {
    l.day = day;
    l.day_tokens = 0;
  }
}

Result<TokenBudgets::Ticket> TokenBudgets::admit(const identity::Principal& p, int64_t estimate) {
  Ticket t;
  if (budgets_.empty()) return t;
  const int64_t now = clock_->nowMicros();
  t.minute = now / kMicrosPerMinute;
  t.day = now / kMicrosPerDay;
  t.reserved = estimate;
  MutexLock lock(mu_);
  // Windows that have passed hold nothing: drop them (bounds the map by active principals).
  for (auto it = ledgers_.begin(); it != ledgers_.end();) {
    it = it->second.in_flight == 0 && it->second.day != t.day ? ledgers_.erase(it) : std::next(it);
  }
  for (size_t i = 0; i < budgets_.size(); ++i) {
    const BudgetConfig& b = budgets_[i];
    if (!matches(b, p)) continue;
    const std::string key = std::to_string(i) + "/" +
                            (b.subject == "tenant" ? p.tenant + "/*" : p.tenant + "/" + p.name);
    Ledger& l = ledgers_[key];
    roll(l, t.minute, t.day);
    auto fits = [&](int64_t limit, int64_t used) {
      if (limit == 0) return true;
      if (used + estimate <= limit) return true;
      // Alone and not yet at the limit: one request may overshoot (its size is unknown).
      return l.in_flight == 0 && used < limit;
    };
    if (!fits(b.tokens_per_minute, l.minute_tokens)) {
      return Status::resourceExhausted("token budget of '" + b.subject + "' (" +
                                       std::to_string(b.tokens_per_minute) +
                                       " tokens per minute) is used up")
          .withRetryAfterSeconds(60 - (now / 1'000'000) % 60);
    }
    if (!fits(b.tokens_per_day, l.day_tokens)) {
      return Status::resourceExhausted("token budget of '" + b.subject + "' (" +
                                       std::to_string(b.tokens_per_day) +
                                       " tokens per day) is used up")
          .withRetryAfterSeconds(86400 - (now / 1'000'000) % 86400);
    }
    t.keys.push_back(key);
  }
  for (const std::string& key : t.keys) {
    Ledger& l = ledgers_[key];
    l.minute_tokens += estimate;
    l.day_tokens += estimate;
    ++l.in_flight;
  }
  return t;
}

void TokenBudgets::settle(const Ticket& t, int64_t used) {
  if (t.keys.empty()) return;
  const int64_t delta = used < 0 ? 0 : used - t.reserved;
  MutexLock lock(mu_);
  for (const std::string& key : t.keys) {
    auto it = ledgers_.find(key);
    if (it == ledgers_.end()) continue;
    Ledger& l = it->second;
    --l.in_flight;
    if (l.minute == t.minute) l.minute_tokens = std::max<int64_t>(0, l.minute_tokens + delta);
    if (l.day == t.day) l.day_tokens = std::max<int64_t>(0, l.day_tokens + delta);
  }
}

}  // namespace ward::models
