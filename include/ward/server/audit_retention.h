// Retention of sealed audit content (docs/formats/audit-keys.md): destroys day keys older than
// each tenant's retention_days. `ward audit retention` runs it once; `ward serve` runs a
// RetentionLoop (at start, then hourly) while it serves.
#pragma once

#include <condition_variable>
#include <mutex>
#include <thread>

#include "ward/common/mutex.h"
#include "ward/server/server_context.h"

namespace ward::server {

// Applies retention to every tenant that holds day keys; returns the keys destroyed.
Result<size_t> applyAuditRetention(ServerContext& ctx);

class RetentionLoop {
 public:
  explicit RetentionLoop(ServerContext& ctx);
  ~RetentionLoop();  // stops and joins

 private:
  ServerContext& ctx_;
  Mutex mu_;
  CondVar cv_;
  bool stop_ WARD_GUARDED_BY(mu_) = false;
  std::thread thread_;
};

}  // namespace ward::server
