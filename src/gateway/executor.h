// Executors run a tool on its backend, one per backend type ("http", "builtin", "mcp"),
// registered by name in the dispatch stage. Shared by all calls: execute() is thread-safe.
#pragma once

#include <string_view>

#include "ward/common/json.h"
#include "ward/common/status.h"
#include "ward/gateway/stage.h"

namespace ward::gateway {

class Executor {
 public:
  virtual ~Executor() = default;
  virtual std::string_view type() const = 0;
  // Runs the call and returns the backend's JSON output. Sets call.backend_contacted once the
  // backend may have acted (so an idempotency key is kept, not released, on failure).
  virtual Result<Json> execute(CallContext& call) = 0;
};

}  // namespace ward::gateway
