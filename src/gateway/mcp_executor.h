// The "mcp" backend: a tool of an upstream MCP server (docs/design/upstream.md), called through
// the upstream's McpClient after the whole stage chain passed.
//
// Before a call reaches an upstream, its definition is compared with what the upstream offers
// now: when the connection is new (a restarted server, a re-initialised session) or the server
// announced notifications/tools/list_changed, the upstream is re-synced first, so a changed,
// renamed or removed tool is quarantined before the call instead of after it.
#pragma once

#include <functional>
#include <string>

#include "executor.h"
#include "mcp_import.h"
#include "ward/audit/redactor.h"

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
              std::string tenant, const audit::Redactor* redactor = nullptr)
      : pool_(pool),
        live_(live),
        sync_(std::move(sync)),
        tenant_(std::move(tenant)),
        redactor_(redactor) {}
  std::string_view type() const override { return "mcp"; }
  Result<Json> execute(CallContext& call) override;

 private:
  upstream::UpstreamPool* pool_;
  const UpstreamLiveSet* live_;
  Sync sync_;
  std::string tenant_;
  const audit::Redactor* redactor_;
};

}  // namespace ward::gateway
