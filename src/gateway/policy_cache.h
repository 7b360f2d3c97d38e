// A tenant's tools, grants, modes and delegations as one immutable snapshot, cached and rebuilt when the tool
// store's generation moves (any process's change bumps it), so a call costs one generation read
// instead of a dozen queries. Thread-safe.
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <vector>

#include "ward/common/mutex.h"
#include "ward/gateway/stage.h"
#include "ward/store/tool_store.h"

namespace ward::gateway {

struct PolicySnapshot {
  int64_t generation = -1;
  // Versions of each tool, newest first (semver order).
  std::map<std::string, std::vector<std::shared_ptr<const ResolvedTool>>> tools;
  std::vector<store::GrantRecord> grants;
  std::vector<store::ModeRecord> modes;
  std::set<std::pair<std::string, std::string>> delegations;  // (user, agent)
  // Stored tool versions that no longer compile (e.g. stored before patterns RE2 cannot evaluate
  // were refused): name -> why. They are left out, so the tenant's other tools keep working, and
  // a call naming one is refused with the reason.
  std::map<std::string, std::string> unusable;

  bool delegates(const std::string& user, const std::string& agent) const {
    return delegations.count({user, agent}) > 0;
  }

  // name@version, or the newest version that is neither deprecated nor quarantined when version
  // is empty. NotFound names the tool; FailedPrecondition when what it names no longer compiles.
  Result<std::shared_ptr<const ResolvedTool>> resolve(const std::string& name,
                                                      const std::string& version) const;

 private:
  Result<std::shared_ptr<const ResolvedTool>> resolveUsable(const std::string& name,
                                                            const std::string& version) const;
};

// Compiles a stored tool (parse + schemas). Corruption if the stored definition no longer parses.
Result<std::shared_ptr<const ResolvedTool>> resolveRecord(const store::ToolRecord& record);

class PolicyCache {
 public:
  explicit PolicyCache(store::ToolStore& tools) : tools_(tools) {}
  Result<std::shared_ptr<const PolicySnapshot>> snapshot(const std::string& tenant);

 private:
  store::ToolStore& tools_;
  Mutex mu_;
  std::map<std::string, std::shared_ptr<const PolicySnapshot>> by_tenant_ WARD_GUARDED_BY(mu_);
};

}  // namespace ward::gateway
