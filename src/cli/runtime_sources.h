// Runtime sources (docs/design/ingest.md, "Runtime sources"): sources created over the API
// (POST /v1/sources) or `ward sources add`, kept in the store (schema step 9) beside ward.toml's
// [[sources]], validated by the same parser, with a credential sealed as a tenant secret.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "sync_wiring.h"

namespace ward::cli {

// The body key that carries a credential: sealed as a tenant secret, never stored in the config,
// echoed, logged or traced.
inline constexpr const char* kCredentialKey = "credential";
// The tenant secret a runtime source's credential is sealed under: this prefix, then its name.
inline constexpr const char* kCredentialSecretPrefix = "source-credential.";

struct SourceEntry {
  ingest::SourceConfig config;
  bool runtime = false;               // origin "api" (else "config": ward.toml)
  store::RuntimeSourceRecord record;  // runtime only
};

// ward.toml's [[sources]], then the tenant's runtime sources (those being removed only when
// `removing` is set). A stored config that no longer parses is skipped with a warning.
Result<std::vector<SourceEntry>> listSourceEntries(SyncWiring& wiring, const std::string& tenant,
                                                   bool removing);
// The source `name` of either origin (not one being removed); NotFound naming both places.
Result<ingest::SourceConfig> findAnySource(CliContext& ctx, SyncWiring& wiring,
                                           const std::string& tenant, const std::string& name);

// POST (name_in_path "") or PUT (replace) of a runtime source by `by`: validates `body` as a
// [[sources]] entry (InvalidArgument naming the key), refuses a clash with ward.toml (409),
// checks a local root against [runtime_sources] allowed_roots, seals `credential`, stores it.
// Returns the source's JSON (its config, origin "api").
Result<Json> putRuntimeSource(CliContext& ctx, SyncWiring& wiring, const std::string& tenant,
                              const std::string& by, Json body, const std::string& name_in_path);

struct RemoveOutcome {
  bool removed = false;  // the source is gone (its documents deleted)
  ingest::SyncResult run;
};
// DELETE: stops syncing the source and deletes its documents by a run over an empty listing,
// under the mass-deletion guard (held, with an approval, when over its share); `approve` gives
// that approval. The source is dropped once that run completes.
Result<RemoveOutcome> removeRuntimeSource(CliContext& ctx, SyncWiring& wiring,
                                          const std::string& tenant, const std::string& name,
                                          const std::string& approve, const std::string& reviewer);

// GET /v1/sources and `ward sources`: sourcesJson of every source with `origin` ("config" or
// "api"), and for runtime ones `created_by`, `created_at`, `updated_at`, `removing`.
Result<Json> allSourcesJson(SyncWiring& wiring, const std::string& tenant, int64_t now_us);

}  // namespace ward::cli
