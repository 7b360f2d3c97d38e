// Runtime sources (runtime_sources.h; docs/design/ingest.md, "Runtime sources").
#include "runtime_sources.h"

#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <unistd.h>

#include "ward/common/clock.h"
#include "ward/common/log.h"
#include "ward/gateway/tool_gateway.h"
#include "ward/identity/principal.h"

namespace ward::cli {

namespace {

// The most bytes of a credential (the secrets store's own limit).
constexpr size_t kMaxCredentialBytes = 8192;

Status keyError(const std::string& key, const std::string& what) {
  return Status::invalidArgument("source." + key + ": " + what);
}

// Whether the source reads a local path (a folder, a file, a local git repository).
bool localRoot(const ingest::SourceConfig& s) {
  if (s.root.empty()) return false;
  if (s.connector == "git") return s.root.rfind("https://", 0) != 0;
  return true;
}

// A local root must be at or beneath one of [runtime_sources] allowed_roots: an API admin may not
// make Ward read any path its process can (ward.toml's sources are the operator's to name).
Status checkRoot(const ingest::SourceConfig& s, const std::vector<std::string>& allowed) {
  if (!localRoot(s)) return Status();
  std::string path = s.root.rfind("file://", 0) == 0 ? s.root.substr(7) : s.root;
  if (allowed.empty()) {
    return keyError("root",
                    "a local root is refused: ward.toml's [runtime_sources] allowed_roots names "
                    "none (local sources over the API need the operator's leave)");
  }
  char resolved[PATH_MAX];
  if (::realpath(path.c_str(), resolved) == nullptr) {
    return keyError("root", "cannot be resolved (it must exist): " + s.root);
  }
  const std::string real = resolved;
  for (const std::string& a : allowed) {
    char base[PATH_MAX];
    if (::realpath(a.c_str(), base) == nullptr) continue;
    const std::string b = base;
    if (real == b || (real.size() > b.size() && real.compare(0, b.size(), b) == 0 &&
                      (b == "/" || real[b.size()] == '/'))) {
      return Status();
    }
  }
  return keyError("root", "is not beneath any of [runtime_sources] allowed_roots");
}

Json entryJson(const SourceEntry& e) {
  Json j = ingest::sourceConfigJson(e.config);
  j["origin"] = e.runtime ? "api" : "config";
  if (e.runtime) {
    j["created_by"] = e.record.created_by;
    j["created_at"] = formatRfc3339(e.record.created_at);
    j["updated_at"] = formatRfc3339(e.record.updated_at);
    j["removing"] = e.record.removing;
  }
  return j;
}

Status recordChange(CliContext& ctx, const std::string& tenant, const std::string& by,
                    const std::string& action, const std::string& name) {
  trace::TraceEvent ev;
  ev.context = trace::TraceContext::generate();
  ev.kind = "source_changed";
  ev.tenant = tenant;
  ev.principal = by;
  ev.time_us = SystemClock::instance().nowMicros();
  ev.attributes = {{"action", action}, {"source", name}};  // never the config's credential
  return ctx.traces().record(ev);
}

}  // namespace

Result<std::vector<SourceEntry>> listSourceEntries(SyncWiring& wiring, const std::string& tenant,
                                                   bool removing) {
  std::vector<SourceEntry> out;
  for (const auto& s : wiring.sources) out.push_back({s, false, {}});
  WARD_ASSIGN_OR_RETURN(auto rows, wiring.sync->listSources(tenant));
  for (auto& r : rows) {
    if (r.removing && !removing) continue;
    if (wiring.find(r.name) != nullptr) continue;  // ward.toml's wins (a name added there since)
    auto j = parseJson(r.config);
    auto c =
        j.ok() ? ingest::parseSourceJson(*j, "source") : Result<ingest::SourceConfig>(j.status());
    if (!c.ok()) {
      logWarn("sync: runtime source '" + r.name + "' is skipped: " + c.status().message());
      continue;
    }
    out.push_back({std::move(c).value(), true, std::move(r)});
  }
  return out;
}

Result<ingest::SourceConfig> findAnySource(CliContext& ctx, SyncWiring& wiring,
                                           const std::string& tenant, const std::string& name) {
  if (const ingest::SourceConfig* c = wiring.find(name)) return *c;
  WARD_ASSIGN_OR_RETURN(auto entries, listSourceEntries(wiring, tenant, false));
  for (auto& e : entries) {
    if (e.config.name == name) return e.config;
  }
  return Status::notFound("no source '" + name + "' in " + ctx.configPath() +
                          " or among the runtime sources");
}

namespace {

// Deletes the secret Ward sealed from a runtime source's `credential` (named
// kCredentialSecretPrefix + source) once nothing uses it; a secret the admin named through
// `token_secret` is theirs and stays. An already missing secret is not an error.
Status dropSealedCredential(CliContext& ctx, const std::string& tenant, const std::string& secret,
                            const std::string& still_used) {
  if (secret.rfind(kCredentialSecretPrefix, 0) != 0 || secret == still_used) return Status();
  WARD_ASSIGN_OR_RETURN(gateway::ToolGateway * gw, ctx.gateway());
  Status dropped = gw->deleteSecret(tenant, secret);
  if (!dropped.ok() && dropped.code() != StatusCode::kNotFound) return dropped;
  return Status();
}

}  // namespace

Result<Json> putRuntimeSource(CliContext& ctx, SyncWiring& wiring, const std::string& tenant,
                              const std::string& by, Json body, const std::string& name_in_path) {
  if (!body.is_object()) return Status::invalidArgument("the body must be a JSON object");
  std::string credential;
  if (body.contains(kCredentialKey)) {
    const Json& v = body[kCredentialKey];
    if (!v.is_string()) return keyError(kCredentialKey, "must be a string");
    credential = v.get<std::string>();
    body.erase(kCredentialKey);
    if (credential.empty() || credential.size() > kMaxCredentialBytes) {
      return keyError(kCredentialKey,
                      "must be 1 to " + std::to_string(kMaxCredentialBytes) + " bytes");
    }
    if (credential.find_first_of("\r\n") != std::string::npos) {
      return keyError(kCredentialKey, "must not contain CR or LF");
    }
    if (body.contains("token_secret")) {
      return keyError(kCredentialKey, "give either credential or token_secret, not both");
    }
  }
  if (!name_in_path.empty()) {
    if (!body.contains("name")) body["name"] = name_in_path;
    if (body["name"] != name_in_path) {
      return keyError("name", "must be the name in the path ('" + name_in_path + "')");
    }
  }
  if (!body.contains("name")) return keyError("name", "is required");
  if (!body["name"].is_string()) return keyError("name", "must be a string");
  const std::string name = body["name"].get<std::string>();
  if (Status valid = identity::validateName("source", name); !valid.ok()) {
    return keyError("name", valid.message());
  }
  if (!credential.empty()) {
    body["token_secret"] = std::string(kCredentialSecretPrefix) + name;
  }
  WARD_ASSIGN_OR_RETURN(ingest::SourceConfig c, ingest::parseSourceJson(body, "source"));
  if (wiring.find(c.name) != nullptr) {
    return Status::alreadyExists("source '" + c.name + "' is configured in ward.toml");
  }
  WARD_RETURN_IF_ERROR(checkRoot(c, wiring.runtime_roots));
  WARD_RETURN_IF_ERROR(checkScheduledCanary(c, "source"));  // after checkRoot: git reads it
  // Loopback and private addresses are the operator's to open (ward.toml), not an API admin's:
  // a runtime source could otherwise make Ward call into its own network.
  if (c.allow_private) {
    return keyError("allow_private",
                    "refused over the API: only a ward.toml source may reach "
                    "loopback and private addresses");
  }
  store::RuntimeSourceRecord r;
  r.tenant = tenant;
  r.name = c.name;
  r.config = dumpJson(ingest::sourceConfigJson(c));
  r.created_by = by;
  WARD_ASSIGN_OR_RETURN(auto existing, wiring.sync->getSource(tenant, c.name));
  if (name_in_path.empty()) {
    if (existing) return Status::alreadyExists("source '" + c.name + "' already exists");
    if (wiring.sources.size() >= ingest::kMaxSources) {
      return Status::failedPrecondition("at most " + std::to_string(ingest::kMaxSources) +
                                        " sources (kMaxSources), ward.toml's included");
    }
  } else {
    if (!existing) return Status::notFound("no runtime source '" + c.name + "'");
    if (existing->removing) {
      return Status::failedPrecondition("source '" + c.name +
                                        "' is being removed (its deletion waits for approval)");
    }
  }
  // Every check is done: a refused body never leaves a credential behind.
  if (!credential.empty()) {
    WARD_ASSIGN_OR_RETURN(gateway::ToolGateway * gw, ctx.gateway());
    Status sealed = gw->putSecret(tenant, c.token_secret, credential);
    if (!sealed.ok()) {
      return Status(sealed.code(), "source.credential: cannot be sealed: " + sealed.message());
    }
  }
  if (name_in_path.empty()) {
    WARD_RETURN_IF_ERROR(wiring.sync->createSource(r, ingest::kMaxSources - wiring.sources.size()));
  } else {
    WARD_RETURN_IF_ERROR(wiring.sync->replaceSource(r));
    // A replacement that no longer uses the credential Ward sealed for the source drops it.
    WARD_ASSIGN_OR_RETURN(Json before, parseJson(existing->config));
    if (before.contains("token_secret") && before["token_secret"].is_string()) {
      WARD_RETURN_IF_ERROR(dropSealedCredential(
          ctx, tenant, before["token_secret"].get<std::string>(), c.token_secret));
    }
  }
  WARD_RETURN_IF_ERROR(
      recordChange(ctx, tenant, by, name_in_path.empty() ? "created" : "replaced", c.name));
  WARD_ASSIGN_OR_RETURN(auto stored, wiring.sync->getSource(tenant, c.name));
  SourceEntry e{c, true, stored ? *stored : r};
  return entryJson(e);
}

Result<RemoveOutcome> removeRuntimeSource(CliContext& ctx, SyncWiring& wiring,
                                          const std::string& tenant, const std::string& name,
                                          const std::string& approve, const std::string& reviewer) {
  if (wiring.find(name) != nullptr) {
    return Status::failedPrecondition("source '" + name +
                                      "' is configured in ward.toml: remove it there");
  }
  WARD_ASSIGN_OR_RETURN(auto row, wiring.sync->getSource(tenant, name));
  if (!row) return Status::notFound("no runtime source '" + name + "'");
  WARD_ASSIGN_OR_RETURN(Json j, parseJson(row->config));
  WARD_ASSIGN_OR_RETURN(ingest::SourceConfig c, ingest::parseSourceJson(j, "source"));
  // No longer synced from here on, whatever the deletion below does.
  WARD_RETURN_IF_ERROR(wiring.sync->setSourceRemoving(tenant, name));
  // Its documents go by a run whose listing is empty: every live document is unseen, so the
  // guards (max_delete_share, the shrunken listing) hold the deletion for an approval.
  const std::string empty = ctx.data_dir + "/sync/removal.empty.jsonl";
  int fd = ::open(empty.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600);
  if (fd < 0) return Status::unavailable("cannot create " + empty);
  ::close(fd);
  ingest::SourceConfig removal = c;
  removal.connector = "jsonl";
  removal.root = empty;
  ingest::SyncRequest req;
  req.approve = approve;
  req.reviewer = reviewer;
  RemoveOutcome out;
  WARD_ASSIGN_OR_RETURN(out.run, wiring.runner->run(tenant, removal, req));
  if (out.run.run.state == store::SyncRunState::kCompleted) {
    WARD_RETURN_IF_ERROR(wiring.sync->deleteSource(tenant, name));
    out.removed = true;
    WARD_RETURN_IF_ERROR(dropSealedCredential(ctx, tenant, c.token_secret, ""));
    WARD_RETURN_IF_ERROR(recordChange(ctx, tenant, reviewer, "deleted", name));
  }
  return out;
}

Result<Json> allSourcesJson(SyncWiring& wiring, const std::string& tenant, int64_t now_us) {
  WARD_ASSIGN_OR_RETURN(auto entries, listSourceEntries(wiring, tenant, true));
  std::vector<ingest::SourceConfig> configs;
  for (const auto& e : entries) configs.push_back(e.config);
  WARD_ASSIGN_OR_RETURN(Json list, ingest::sourcesJson(*wiring.sync, tenant, configs, now_us));
  for (size_t i = 0; i < entries.size() && i < list.size(); ++i) {
    list[i]["origin"] = entries[i].runtime ? "api" : "config";
    if (entries[i].runtime) {
      list[i]["created_by"] = entries[i].record.created_by;
      list[i]["created_at"] = formatRfc3339(entries[i].record.created_at);
      list[i]["updated_at"] = formatRfc3339(entries[i].record.updated_at);
      list[i]["removing"] = entries[i].record.removing;
    }
  }
  return list;
}

}  // namespace ward::cli
