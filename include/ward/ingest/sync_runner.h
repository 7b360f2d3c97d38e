// Sync runs (docs/design/ingest.md, "Sync runs"): one pass of a configured source's connector,
// committed page by page with its checkpoint and counters in the same transaction
// (store/sync_store.h), resumed after a crash, deleting what the listing no longer holds only
// when the pass was complete and clean, and holding mass deletions and mass exposure for an
// admin's approval (the gateway's approvals table, tool kSyncApprovalTool).
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "ward/common/config.h"
#include "ward/common/json.h"
#include "ward/common/status.h"
#include "ward/ingest/connector.h"
#include "ward/ingest/ingest_service.h"
#include "ward/ingest/source_config.h"
#include "ward/store/sync_store.h"
#include "ward/trace/trace.h"

namespace ward::store {
class Store;
class ToolStore;
}  // namespace ward::store
namespace ward::index {
class Index;
}

namespace ward::ingest {

// The `tool` of a held run's approval row; its `version` is the source's name.
inline constexpr const char* kSyncApprovalTool = "ward.sync";
// The requester of a held run's approval (so any admin may review it).
inline constexpr const char* kSyncRequester = "ward-sync";
// A held run's approval expires after this long (then the next run asks again).
inline constexpr int64_t kSyncApprovalTtlSeconds = 7 * 86400;
// Problems kept in one run's report (the counters count all of them).
inline constexpr size_t kMaxSyncProblems = 1000;
// Runs listed by `ward jobs` / GET /v1/jobs by default.
inline constexpr int kDefaultJobsListed = 50;

struct SyncRequest {
  bool full = false;  // fetch every item, ignoring stored versions
  // A backfill: with `full`, only items the connector dates at or after this (micros) are
  // fetched again; older ones are compared by version as in any run, and undated ones are
  // fetched. 0 = every item. Stored with the run (SyncRunRecord::full_since): a resumed run keeps
  // its own time, whatever its resumer asks.
  int64_t full_since_us = 0;
  // Approves this source's pending held-run approval and runs with the guards lifted.
  std::string approve;
  std::string reviewer;  // who approves (recorded)
};

struct SyncResult {
  store::SyncRunRecord run;
  std::vector<IngestProblem> problems;  // this invocation's, at most kMaxSyncProblems
  // The longest retry-after the connector signalled in this invocation (0 = none).
  int64_t retry_after_s = 0;
  Json toJson() const;
};

struct SyncDeps {
  store::Store* store = nullptr;
  store::SyncStore* sync = nullptr;
  store::ToolStore* approvals = nullptr;  // null: a run that must be held fails instead
  index::Index* index = nullptr;
  trace::TraceSink* traces = nullptr;
  IngestConfig config;
  ConnectorEnv env;
  std::string lock_dir;  // one lock file per source: one run at a time, across processes
};

class SyncRunner {
 public:
  explicit SyncRunner(SyncDeps deps) : deps_(std::move(deps)) {}
  // Runs (or resumes) one pass of `source`. FailedPrecondition when another run of the source is
  // in progress or the approval does not fit; a pass that fails, or a connector that cannot start
  // (a missing root), is returned as a run in state failed (not as an error).
  Result<SyncResult> run(const std::string& tenant, const SourceConfig& source,
                         const SyncRequest& request);

 private:
  SyncDeps deps_;
};

Json syncRunJson(const store::SyncRunRecord& run);
// Per source: its config, document count, last run, the lags from its last complete pass
// (content, deletion, ACL; seconds, null when there was none), its SLOs, and its health
// (`state`: ok or error, `consecutive_failures`; sync_health.h).
Result<Json> sourcesJson(store::SyncStore& sync, const std::string& tenant,
                         const std::vector<SourceConfig>& sources, int64_t now_us);

}  // namespace ward::ingest
