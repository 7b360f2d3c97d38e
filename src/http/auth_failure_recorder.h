// Failed authentications in the audit trail, bounded (docs/design/http.md "Failed
// authentication records"). Unauthenticated requests cost nothing to send, so recording each one
// would let anyone grow the audit log without limit. Instead, per source address (the IP, not
// the port) and fixed window of kAuthFailureWindowSeconds:
//   - the first failure is recorded at once as an `auth_failure` event (reason, method, path cut
//     to kMaxRecordedPathBytes, remote_address);
//   - later ones are only counted, and one `auth_failure_summary` event records the window's
//     counts (per address and reason) once the window is over;
//   - at most kMaxAuthFailureAddresses addresses are tracked per window; failures from further
//     addresses are not recorded one by one but counted as `untracked_failures` in the summary.
// So a window adds at most kMaxAuthFailureAddresses + 1 records, whatever the request rate.
// The summary of a finished window is written by the next call of record() or flushIfDue()
// (the authenticator calls flushIfDue() on every request) or by the destructor.
// Thread-safe; the sink must outlive the recorder.
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <string>

#include "ward/common/clock.h"
#include "ward/common/mutex.h"
#include "ward/http/http_message.h"
#include "ward/trace/trace.h"

namespace ward::http {

inline constexpr int64_t kAuthFailureWindowSeconds = 60;
inline constexpr size_t kMaxAuthFailureAddresses = 256;
inline constexpr size_t kMaxRecordedPathBytes = 256;
// Addresses listed by name in one summary (the most failing first); the rest are totalled.
inline constexpr size_t kMaxSummaryAddresses = 64;

enum class AuthFailureReason { kMissingKey, kInvalidKey, kInvalidToken };
inline constexpr size_t kAuthFailureReasons = 3;
const char* authFailureReasonName(AuthFailureReason reason);

class AuthFailureRecorder {
 public:
  // `tenant` is the tenant the events are recorded in (the configured one: an unauthenticated
  // request has no tenant of its own). `clock` null: the system clock.
  AuthFailureRecorder(trace::TraceSink* sink, std::string tenant, const Clock* clock = nullptr);
  ~AuthFailureRecorder();  // records the summary of the open window, if it has one

  void record(const HttpRequest& r, AuthFailureReason reason);
  // Records the summary of a window that is over, if any.
  void flushIfDue();

 private:
  struct Counts {
    int64_t failures = 0;  // all failures of this address in the window, the first included
    std::array<int64_t, kAuthFailureReasons> by_reason{};
  };
  // Closes the window if `now_us` is past it; returns its summary event when one is owed.
  std::optional<trace::TraceEvent> rollLocked(int64_t now_us) WARD_REQUIRES(mu_);
  // The open window's summary, dated `time_us`, when some failure was not recorded singly.
  std::optional<trace::TraceEvent> summaryLocked(int64_t time_us) const WARD_REQUIRES(mu_);
  void write(const trace::TraceEvent& event) const;

  trace::TraceSink* sink_;
  const std::string tenant_;
  const Clock* clock_;
  Mutex mu_;
  int64_t window_start_us_ WARD_GUARDED_BY(mu_) = 0;
  std::map<std::string, Counts> addresses_ WARD_GUARDED_BY(mu_);  // by source address
  int64_t untracked_failures_ WARD_GUARDED_BY(mu_) = 0;
};

}  // namespace ward::http
