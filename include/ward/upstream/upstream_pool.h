// The configured upstream MCP servers of one Ward process, by name. Owns one McpClient per
// upstream; clients connect lazily, so a broken upstream costs nothing until it is used and never
// affects the others (each has its own connection, lock and backoff).
//
// Thread-safe. The secret resolver may be set after construction (the gateway that owns the
// secrets is created later) and is read on every (re)connect.
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "ward/upstream/mcp_client.h"
#include "ward/upstream/task_link.h"
#include "ward/upstream/upstream_config.h"

namespace ward::upstream {

class UpstreamPool {
 public:
  explicit UpstreamPool(std::vector<UpstreamConfig> configs, const Clock* clock = nullptr);
  ~UpstreamPool();

  // Resolves "${secret:NAME}" for `tenant` (header and env values).
  void setSecretResolver(
      std::function<Result<std::string>(const std::string& tenant, const std::string& name)>
          resolver,
      const std::string& tenant);
  // The client of one upstream; NotFound naming the upstream when it is not configured.
  Result<McpClient*> client(const std::string& name);
  std::vector<std::string> names() const;
  // describe() of every upstream.
  Json describe() const;
  // The Ward tasks whose calls may follow an upstream task (task_link.h).
  UpstreamTaskLinks& taskLinks() { return task_links_; }

 private:
  std::map<std::string, std::unique_ptr<McpClient>> clients_;  // fixed after construction
  mutable std::mutex mu_;
  std::function<Result<std::string>(const std::string&, const std::string&)> resolver_;
  std::string tenant_;
  UpstreamTaskLinks task_links_;
};

}  // namespace ward::upstream
