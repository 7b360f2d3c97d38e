#include "policy_cache.h"

#include <algorithm>

#include "ward/common/log.h"
#include "ward/common/mutex.h"

namespace ward::gateway {

Result<std::shared_ptr<const ResolvedTool>> resolveRecord(const store::ToolRecord& record) {
  auto def = parseToolDefinition(record.definition);
  if (!def.ok()) {
    return Status::corruption("stored tool '" + record.name + "@" + record.version +
                              "' no longer parses: " + def.status().message());
  }
  auto tool = std::make_shared<ResolvedTool>();
  tool->record = record;
  tool->definition = std::move(*def);
  WARD_ASSIGN_OR_RETURN(tool->input,
                        JsonSchema::compile(tool->definition.input_schema, "input_schema",
                                            schemaOptionsOf(tool->definition)));
  if (!tool->definition.output_schema.is_null()) {
    WARD_ASSIGN_OR_RETURN(tool->output,
                          JsonSchema::compile(tool->definition.output_schema, "output_schema",
                                              schemaOptionsOf(tool->definition)));
  }
  return std::shared_ptr<const ResolvedTool>(std::move(tool));
}

Result<std::shared_ptr<const ResolvedTool>> PolicySnapshot::resolve(
    const std::string& name, const std::string& version) const {
  auto found = resolveUsable(name, version);
  if (found.ok() || found.status().code() != StatusCode::kNotFound) return found;
  auto broken = unusable.find(name);
  if (broken == unusable.end()) return found;
  return Status::failedPrecondition(broken->second +
                                    " (an admin must register a corrected definition)");
}

Result<std::shared_ptr<const ResolvedTool>> PolicySnapshot::resolveUsable(
    const std::string& name, const std::string& version) const {
  auto it = tools.find(name);
  if (it == tools.end()) return Status::notFound("tool '" + name + "' not found");
  for (const auto& t : it->second) {
    if (!version.empty()) {
      if (t->record.version == version) return t;
      continue;
    }
    if (!t->record.deprecated && !t->definition.deprecation.deprecated && !t->record.quarantined) {
      return t;
    }
  }
  if (!version.empty()) return Status::notFound("tool '" + name + "@" + version + "' not found");
  // A tool whose only version waits for approval (e.g. one an upstream added after its tool set
  // was pinned) is returned so the caller learns it is quarantined, not that it is missing.
  if (it->second.size() == 1 && it->second.front()->record.quarantined) return it->second.front();
  return Status::notFound("tool '" + name +
                          "' has no version that is not deprecated; name a version");
}

Result<std::shared_ptr<const PolicySnapshot>> PolicyCache::snapshot(const std::string& tenant) {
  WARD_ASSIGN_OR_RETURN(int64_t generation, tools_.generation());
  {
    MutexLock lock(mu_);
    auto it = by_tenant_.find(tenant);
    if (it != by_tenant_.end() && it->second->generation == generation) return it->second;
  }
  auto snap = std::make_shared<PolicySnapshot>();
  snap->generation = generation;
  WARD_ASSIGN_OR_RETURN(std::vector<store::ToolRecord> records, tools_.listTools(tenant, ""));
  for (const store::ToolRecord& r : records) {
    auto resolved = resolveRecord(r);
    if (!resolved.ok()) {
      logWarn("tool '" + r.name + "@" + r.version + "' of tenant '" + tenant +
              "' is unusable: " + resolved.status().message());
      snap->unusable[r.name] = resolved.status().message();
      continue;
    }
    snap->tools[r.name].push_back(*resolved);
  }
  for (auto& [name, versions] : snap->tools) {
    std::sort(versions.begin(), versions.end(), [](const auto& a, const auto& b) {
      return a->definition.semver.compare(b->definition.semver) > 0;
    });
  }
  WARD_ASSIGN_OR_RETURN(snap->grants, tools_.listGrants(tenant));
  WARD_ASSIGN_OR_RETURN(snap->modes, tools_.listModes(tenant));
  WARD_ASSIGN_OR_RETURN(std::vector<store::DelegationRecord> delegations,
                        tools_.listDelegations(tenant));
  for (const auto& d : delegations) snap->delegations.emplace(d.user, d.agent);
  std::shared_ptr<const PolicySnapshot> out = std::move(snap);
  MutexLock lock(mu_);
  by_tenant_[tenant] = out;
  return out;
}

}  // namespace ward::gateway
