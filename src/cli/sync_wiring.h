// The sync runner over a CLI context's store, index and traces, with the [[sources]] of its
// ward.toml (sync_command.cc; `ward serve` uses it too).
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "cli_context.h"
#include "ward/ingest/alert_notifier.h"
#include "ward/ingest/source_config.h"
#include "ward/ingest/sync_runner.h"
#include "ward/store/sync_store.h"
#include "ward/store/tool_store.h"

namespace ward::cli {

struct SyncWiring {
  std::vector<ingest::SourceConfig> sources;  // ward.toml's (runtime ones: runtime_sources.h)
  std::vector<std::string> runtime_roots;     // [runtime_sources] allowed_roots
  ingest::AlertWebhookConfig alert_webhook;   // [sync_alerts] (checked when opened)
  std::unique_ptr<store::SyncStore> sync;
  std::unique_ptr<store::ToolStore> approvals;
  std::unique_ptr<ingest::SyncRunner> runner;
  // ward.toml's source `name` (findAnySource looks among the runtime ones too).
  const ingest::SourceConfig* find(const std::string& name) const;
};

// After ctx.open(). Refuses a bad [[sources]] or [sync_alerts] table (an unreachable webhook).
Result<std::unique_ptr<SyncWiring>> openSyncWiring(CliContext& ctx);

// `ward ingest --jsonl FILE --snapshot --source S`: a sync run of the jsonl connector over FILE
// (the settings of source S, from ward.toml or a runtime source, when there is one); prints the
// run; the exit code of `ward sync`.
int runJsonlSnapshot(CliContext& ctx, const std::string& file, const std::string& source,
                     const std::string& approve, bool json);

// One canary of a folder, git or jsonl source (sync_canary.cc): {source, canary, seconds:
// {create, update, [revoke,] delete}, error?}, recorded as a `sync_canary` event by `by`;
// observed in ward_sync_canary_seconds{source,kind} with server.metrics_data_gauges.
// InvalidArgument for another connector, or a git source whose root is not a local bare
// repository.
Result<Json> runCanary(CliContext& ctx, SyncWiring& wiring, const ingest::SourceConfig& source,
                       const std::string& by);
// A source whose canary_interval_s is set must be able to run one: a git source's root must be a
// local bare repository with a branch, as `ward sync canary` requires (InvalidArgument naming
// `where`.canary_interval_s otherwise; other connectors are checked when parsed).
Status checkScheduledCanary(const ingest::SourceConfig& source, const std::string& where);
// `ward sync canary SOURCE`: prints the canary's figures; exit 0 when every step was reflected
// by search.
int runSyncCanary(CliContext& ctx, SyncWiring& wiring, const ingest::SourceConfig& source,
                  bool json);

}  // namespace ward::cli
