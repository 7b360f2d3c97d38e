// Audit retention; the contract is in include/ward/server/audit_retention.h.
#include "ward/server/audit_retention.h"

#include "ward/common/clock.h"
#include "ward/common/log.h"

namespace ward::server {

Result<size_t> applyAuditRetention(ServerContext& ctx) {
  audit::SubjectKeyStore* keys = ctx.auditKeys();
  if (keys == nullptr) return size_t{0};
  size_t destroyed = 0;
  int64_t now = SystemClock::instance().nowMicros();
  for (const std::string& tenant : keys->tenants()) {
    WARD_ASSIGN_OR_RETURN(audit::KeyDestruction d,
                          audit::applyRetention(*keys, ctx.traces(), tenant,
                                                ctx.config().audit.retentionDaysFor(tenant), now));
    destroyed += d.key_ids.size();
  }
  return destroyed;
}

RetentionLoop::RetentionLoop(ServerContext& ctx) : ctx_(ctx) {
  if (ctx_.auditKeys() == nullptr) return;
  thread_ = std::thread([this] {
    MutexLock lock(mu_);
    while (!stop_) {
      lock.unlock();
      auto n = applyAuditRetention(ctx_);
      if (!n.ok()) logWarn("audit retention: " + n.status().toString());
      lock.lock();
      cv_.waitFor(lock, std::chrono::hours(1), [this]() WARD_REQUIRES(mu_) { return stop_; });
    }
  });
}

RetentionLoop::~RetentionLoop() {
  {
    MutexLock lock(mu_);
    stop_ = true;
  }
  cv_.notifyAll();
  if (thread_.joinable()) thread_.join();
}

}  // namespace ward::server
