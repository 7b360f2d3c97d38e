// HTTP push snapshots (docs/design/ingest.md, "Push snapshots"): POST
// /v1/sources/{name}/snapshot stages pages of jsonl records for a source and, on commit, runs a
// sync of the jsonl connector over them, exactly as `ward ingest --jsonl FILE --snapshot`: the
// source's documents absent from the snapshot are deleted at the end of a complete, clean run,
// under the mass-deletion and exposure guards.
//
// Thread-safe: one mutex serializes every page of every source (a commit runs the sync).
#pragma once

#include <cstdint>
#include <mutex>
#include <string>
#include <vector>

#include "sync_wiring.h"

namespace ward::cli {

// The staged pages of one source's snapshot may hold this much (each page is also bounded by
// server.max_body_bytes).
constexpr uint64_t kMaxStagedSnapshotBytes = uint64_t{1} << 30;

// Which part of a snapshot a request carries (`?page=`).
enum class SnapshotPage {
  kWhole,   // (no `page`) the whole snapshot: staged and committed at once
  kBegin,   // the first page: drops anything staged before
  kAppend,  // a further page
  kCommit,  // the last page (may be empty): runs the sync
};
// "begin", "append", "commit", "" (whole); InvalidArgument otherwise.
Result<SnapshotPage> parseSnapshotPage(const std::string& text);

// The source `name` for a snapshot read from `file`: its settings (which must be a jsonl
// source's) from ward.toml's [[sources]] or else from the tenant's runtime sources (one being
// removed is FailedPrecondition), or an unconfigured jsonl source of that name.
Result<ingest::SourceConfig> pushSourceConfig(SyncWiring& wiring, const std::string& tenant,
                                              const std::string& name, const std::string& file);

// Records of a request body: a JSON array of objects, `{"records": [...]}`, or JSON lines (one
// object a line, blank lines ignored); each becomes one line. InvalidArgument names the first
// record that is not a JSON object.
Result<std::vector<std::string>> snapshotLines(const std::string& body);

struct SnapshotOutcome {
  bool committed = false;  // false: staged, waiting for more pages
  int64_t staged_records = 0;
  ingest::SyncResult result;  // when committed
};

class PushSnapshots {
 public:
  // `dir` holds the staging files (`<tenant>.<source>.snapshot.jsonl`).
  PushSnapshots(SyncWiring& wiring, std::string dir) : wiring_(wiring), dir_(std::move(dir)) {}

  Result<SnapshotOutcome> push(const std::string& tenant, const std::string& source,
                               SnapshotPage page, const std::vector<std::string>& lines,
                               const ingest::SyncRequest& request);

 private:
  SyncWiring& wiring_;
  const std::string dir_;
  std::mutex mu_;  // serializes pushes (the staging files and the runs)
};

}  // namespace ward::cli
