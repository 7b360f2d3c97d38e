// Upstream tool import and the pinned name set (docs/design/upstream.md "Pinning").
#include "mcp_import.h"

#include <algorithm>
#include <set>

#include "gateway_impl.h"
#include "ward/common/hash.h"
#include "ward/common/mutex.h"
#include "ward/gateway/tool_definition.h"
#include "ward/upstream/upstream_pool.h"

namespace ward::gateway {

namespace {

bool annotated(const Json& tool, const char* hint) {
  // Upstream data: a hint of another type (a string "true") is not a hint.
  return tool.contains("annotations") && tool["annotations"].is_object() &&
         tool["annotations"].contains(hint) && tool["annotations"][hint] == true;
}

bool isMcpOf(const Json& definition, const std::string& upstream) {
  const Json& b = definition.value("backend", Json::object());
  return b.value("type", "") == "mcp" && b.value("server", "") == upstream;
}

}  // namespace

Result<Json> definitionFromMcpTool(const upstream::UpstreamConfig& up, const Json& tool) {
  if (!tool.is_object() || !tool.contains("name") || !tool["name"].is_string()) {
    return Status::invalidArgument("a tool without a string name");
  }
  const std::string tool_name = tool["name"].get<std::string>();
  const std::string name = up.name + "." + tool_name;
  if (name.size() > 64 || tool_name.empty() ||
      tool_name.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                                  "0123456789_-.") != std::string::npos) {
    return Status::invalidArgument("tool name cannot be imported as '" + name +
                                   "' (Ward tool names are 1-64 of [A-Za-z0-9_.-])");
  }
  const bool admin_read = std::find(up.read_only_tools.begin(), up.read_only_tools.end(),
                                    tool_name) != up.read_only_tools.end();
  std::string risk = "write";
  if (annotated(tool, "destructiveHint")) risk = "destructive";
  if (admin_read || (up.trusted && annotated(tool, "readOnlyHint"))) risk = "read";
  Json schema = tool.value("inputSchema", Json::object());
  Json def = {{"name", name},
              {"version", kUpstreamToolVersion},
              {"description", tool.contains("description") && tool["description"].is_string()
                                  ? tool["description"].get<std::string>()
                                  : std::string()},
              {"risk", risk},
              {"input_schema", schema},
              {"backend", {{"type", "mcp"}, {"server", up.name}, {"tool", tool_name}}}};
  // Checked here so a tool Ward cannot fence is reported by name instead of failing the sync.
  WARD_RETURN_IF_ERROR(parseToolDefinition(def).status());
  return def;
}

Json placeholderDefinition(const Json& definition) {
  Json p = definition;
  p["description"] =
      "A tool the upstream added after its tool set was pinned; it is "
      "quarantined until an admin approves its definition.";
  p["input_schema"] = Json{{"type", "object"}};
  p["risk"] = "destructive";
  return p;
}

Json tombstoneDefinition(const Json& definition) {
  Json t = definition;
  // A fixed past date: approving the removal sunsets the tool, and repeated syncs produce the
  // same definition (no new quarantine each time).
  t["deprecation"] = {{"deprecated", true}, {"sunset", "2000-01-01T00:00:00Z"}};
  return t;
}

std::string definitionDigest(const Json& definition) {
  return sha256Hex(canonicalJson(definition));
}

void UpstreamLiveSet::put(const std::string& tenant, const std::string& upstream, Entry e) {
  MutexLock lock(mu_);
  entries_[tenant + "/" + upstream] = std::move(e);
}

bool UpstreamLiveSet::get(const std::string& tenant, const std::string& upstream,
                          Entry* out) const {
  MutexLock lock(mu_);
  auto it = entries_.find(tenant + "/" + upstream);
  if (it == entries_.end()) return false;
  *out = it->second;
  return true;
}

std::string UpstreamLiveSet::digestOf(const std::string& tenant, const std::string& upstream,
                                      const std::string& tool, int64_t* generation) const {
  MutexLock lock(mu_);
  auto it = entries_.find(tenant + "/" + upstream);
  if (it == entries_.end()) {
    *generation = -1;
    return "";
  }
  *generation = it->second.generation;
  auto d = it->second.digests.find(tool);
  return d == it->second.digests.end() ? "" : d->second;
}

Result<Json> ToolGateway::syncUpstream(const std::string& tenant, const std::string& name) {
  Impl& g = *impl_;
  if (g.options.upstreams == nullptr) {
    return Status::failedPrecondition("no upstream MCP servers are configured");
  }
  WARD_RETURN_IF_ERROR(g.checkUpstreamTenant(tenant, name));
  WARD_ASSIGN_OR_RETURN(upstream::McpClient * client, g.options.upstreams->client(name));
  // One sync at a time: two concurrent syncs would both see "first import".
  MutexLock lock(g.sync_mu);
  (void)client->takeListChanged();
  WARD_ASSIGN_OR_RETURN(Json tools, client->listTools());
  const int64_t generation = client->connectionGeneration();

  WARD_ASSIGN_OR_RETURN(std::vector<store::ToolRecord> records,
                        g.options.tools->listTools(tenant, ""));
  std::map<std::string, store::ToolRecord> known;  // Ward name -> record, this upstream only
  for (store::ToolRecord& r : records) {
    if (r.version == kUpstreamToolVersion && isMcpOf(r.definition, name)) {
      known[r.name] = std::move(r);
    }
  }
  const bool first_import = known.empty();
  Json report = {{"upstream", name},
                 {"first_import", first_import},
                 {"tools", Json::array()},
                 {"skipped", Json::array()}};
  UpstreamLiveSet::Entry live;
  live.generation = generation;
  std::set<std::string> offered;
  for (const Json& tool : tools) {
    auto def = definitionFromMcpTool(client->config(), tool);
    if (!def.ok()) {
      report["skipped"].push_back(
          Json{{"tool", tool.value("name", Json("")).is_string() ? tool.value("name", "") : ""},
               {"reason", def.status().message()}});
      continue;
    }
    const std::string ward_name = (*def)["name"];
    const std::string tool_name = (*def)["backend"]["tool"];
    offered.insert(ward_name);
    live.digests[tool_name] = definitionDigest(*def);
    std::string outcome;
    if (!first_import && known.count(ward_name) == 0) {
      // A tool the pinned name set does not have: registered behind a placeholder, so the real
      // definition waits for approval like any changed definition.
      WARD_RETURN_IF_ERROR(addTool(tenant, placeholderDefinition(*def), true).status());
      WARD_RETURN_IF_ERROR(pinTool(tenant, ward_name, kUpstreamToolVersion, true));
      WARD_RETURN_IF_ERROR(addTool(tenant, *def, true).status());
      outcome = "quarantined_new";
    } else {
      WARD_ASSIGN_OR_RETURN(ToolAdded added, addTool(tenant, *def, true));
      outcome = store::toolPutOutcomeName(added.outcome);
      if (added.outcome == store::ToolPutOutcome::kCreated) {
        WARD_RETURN_IF_ERROR(pinTool(tenant, ward_name, kUpstreamToolVersion, true));
        outcome = "imported";
      } else if (added.outcome == store::ToolPutOutcome::kQuarantined) {
        outcome = "quarantined_changed";
      }
    }
    report["tools"].push_back(
        Json{{"tool", ward_name}, {"upstream_tool", tool_name}, {"outcome", outcome}});
  }
  for (const auto& [ward_name, rec] : known) {
    if (offered.count(ward_name) != 0) continue;
    Json tomb = tombstoneDefinition(rec.definition);
    if (rec.definition == tomb) continue;  // its removal was approved already: sunset
    WARD_ASSIGN_OR_RETURN(ToolAdded added, addTool(tenant, tomb, true));
    report["tools"].push_back(Json{
        {"tool", ward_name},
        {"upstream_tool", rec.definition["backend"].value("tool", "")},
        {"outcome", added.outcome == store::ToolPutOutcome::kQuarantined ? "quarantined_removed"
                                                                         : "removed"}});
  }
  g.live.put(tenant, name, std::move(live));
  g.record("upstream_sync", nullptr, tenant, "", trace::TraceContext::generate(), report);
  return report;
}

Result<Json> ToolGateway::listUpstreams(const std::string& tenant) {
  Impl& g = *impl_;
  Json out = {{"upstreams", Json::array()}};
  if (g.options.upstreams == nullptr || tenant != g.options.config_tenant) return out;
  Json described = g.options.upstreams->describe();
  WARD_ASSIGN_OR_RETURN(std::vector<store::ToolRecord> records,
                        g.options.tools->listTools(tenant, ""));
  for (Json& u : described) {
    Json tools = Json::array();
    for (const store::ToolRecord& r : records) {
      if (r.version != kUpstreamToolVersion || !isMcpOf(r.definition, u["name"])) continue;
      Json t = {{"tool", r.name},
                {"upstream_tool", r.definition["backend"].value("tool", "")},
                {"risk", r.definition.value("risk", "")},
                {"pinned", !r.pinned_hash.empty()},
                {"quarantined", r.quarantined}};
      if (r.quarantined) t["pending_definition"] = r.pending_definition;
      tools.push_back(std::move(t));
    }
    u["tools"] = std::move(tools);
    WARD_ASSIGN_OR_RETURN(std::vector<store::PromptPinRecord> pins,
                          g.options.tools->listPromptPins(tenant, u["name"]));
    u["prompts"] = Json::array();
    for (const store::PromptPinRecord& p : pins) {
      Json j = {{"prompt", u["name"].get<std::string>() + "." + p.prompt},
                {"pinned", !p.pinned_hash.empty()},
                {"quarantined", !p.pending_hash.empty()}};
      if (!p.pending_hash.empty()) {
        j["pending_hash"] = p.pending_hash;
        j["pending_definition"] = p.pending_definition;
      }
      u["prompts"].push_back(std::move(j));
    }
    out["upstreams"].push_back(std::move(u));
  }
  return out;
}

}  // namespace ward::gateway
