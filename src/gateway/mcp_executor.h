// The "mcp" backend: a tool of an upstream MCP server (docs/design/upstream.md), called through
// the upstream's McpClient after the whole stage chain passed.
//
// Before a call reaches an upstream, its definition is compared with what the upstream offers
// now: when the connection is new (a restarted server, a re-initialised session) or the server
// announced notifications/tools/list_changed, the upstream is re-synced first, so a changed,
// renamed or removed tool is quarantined before the call instead of after it.
//
// Upstream tasks (docs/design/upstream.md "Upstream tasks"): a tool the upstream runs as a task
// (its execution.taskSupport) is created there as a task when the call runs as a Ward MCP task
// (an UpstreamTaskLink is registered for it, task_link.h) or when the tool requires tasks; the
// executor then polls it to its end, cancels it when the Ward task is cancelled, and returns its
// result exactly as a synchronous call's, so the output stage checks and redacts it the same way.
#pragma once

#include <functional>
#include <string>

#include "executor.h"
#include "mcp_import.h"
#include "ward/trace/redactor.h"
#include "ward/upstream/mcp_client.h"
#include "ward/upstream/task_link.h"

namespace ward::upstream {
class UpstreamPool;
}

namespace ward::gateway {

class McpExecutor final : public Executor {
 public:
  using Sync = std::function<Status(const std::string& tenant, const std::string& upstream)>;
  // `pool` may be null (no upstreams configured): calls fail with Unavailable.
  // `tenant`: the one tenant whose tools may use the upstreams (ward.toml's). `redactor` (may be
  // null) redacts an isError result's text before it is shortened into the error message.
  McpExecutor(upstream::UpstreamPool* pool, const UpstreamLiveSet* live, Sync sync,
              std::string tenant, const trace::Redactor* redactor = nullptr)
      : pool_(pool),
        live_(live),
        sync_(std::move(sync)),
        tenant_(std::move(tenant)),
        redactor_(redactor) {}
  std::string_view type() const override { return "mcp"; }
  Result<Json> execute(CallContext& call) override;

 private:
  // Creates the task upstream and follows it (polls, cancels, times out); the upstream's
  // CallToolResult once it completed. `link` may be null (a task-only tool called directly).
  Result<Json> runAsTask(CallContext& call, upstream::McpClient& client,
                         upstream::UpstreamTaskLink* link);

  upstream::UpstreamPool* pool_;
  const UpstreamLiveSet* live_;
  Sync sync_;
  std::string tenant_;
  const trace::Redactor* redactor_;
};

}  // namespace ward::gateway
