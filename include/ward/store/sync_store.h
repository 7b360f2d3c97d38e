// The sync state of configured sources (schema step 7, docs/formats/ward-db.md): one row per
// sync run (a job), the ids a run's listing has seen so far, and the connector's version of each
// document it indexed. commitBatch writes a batch of documents together with the ids it covers,
// the run's checkpoint and its counters in ONE transaction, so a run killed at any moment resumes
// from its last checkpoint with nothing lost or doubled (docs/design/ingest.md, "Sync runs").
//
// Its own connection to ward.db (like the tool store); thread-safe (one mutex).
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "ward/common/status.h"
#include "ward/store/records.h"

namespace ward::store {

enum class SyncRunState { kRunning, kCompleted, kPartial, kHeld, kFailed };
std::string_view syncRunStateName(SyncRunState s);
std::optional<SyncRunState> parseSyncRunState(std::string_view s);

// One run of a source: a pass over its listing, resumed after a crash until it ends.
struct SyncRunRecord {
  int64_t id = 0;
  std::string tenant;
  std::string source;
  bool full = false;  // `ward sync --full`: every item fetched, stored versions ignored
  SyncRunState state = SyncRunState::kRunning;
  std::string checkpoint;  // the connector's opaque position after the last committed page
  int64_t started_at = 0;  // micros
  int64_t finished_at = 0;
  int64_t listed = 0;     // items the listing yielded
  int64_t fetched = 0;    // items whose bytes were read
  int64_t indexed = 0;    // documents created, updated or whose ACL changed
  int64_t unchanged = 0;  // same version or same content hash
  int64_t failed = 0;     // items that could not be read or parsed (protected from deletion)
  int64_t refused = 0;    // entries that are never documents (links, devices, FIFOs, too deep)
  int64_t held = 0;       // ACL widenings held back by the exposure guard
  int64_t widened = 0;    // ACL widenings applied
  int64_t deleted = 0;
  int64_t pages = 0;        // checkpoints committed
  int64_t resumed = 0;      // times the run was resumed after its process died
  bool exhausted = false;   // the listing reached its end
  std::string message;      // why the run deleted nothing, was held or failed
  std::string approval_id;  // the approval a held run waits for (or that lifted the guard)
  // A backfill's `--since` (micros; 0 = none), stored with the run so that a resumed run keeps it.
  int64_t full_since = 0;
  // HTTP requests the connector made to the source (schema step 10; 0 for connectors that make
  // none): what an incremental run cost, summed over a resumed run's passes.
  int64_t requests = 0;
};

// A source created over the API (POST /v1/sources; schema step 9, `sources`): its config is the
// JSON of the [[sources]] keys, parsed by ingest::parseSourceJson.
struct RuntimeSourceRecord {
  std::string tenant;
  std::string name;
  std::string config;  // JSON text
  std::string created_by;
  int64_t created_at = 0;  // micros
  int64_t updated_at = 0;
  // DELETE /v1/sources/{name} is waiting for its documents' deletion to be approved: no longer
  // synced, listed with `removing: true`.
  bool removing = false;
};

// How a listed id is remembered by the run that saw it; every state protects the id from
// deletion at the end of the run except kDeleteRequested.
enum class SeenState { kIndexed = 0, kFailed = 1, kHeld = 2, kDeleteRequested = 3 };

struct SeenItem {
  std::string ext_id;
  std::string version;  // the connector's version ("" = unknown)
  SeenState state = SeenState::kIndexed;
};

// A source's statement of one group's whole membership (schema step 8, `source_groups`).
struct GroupMembership {
  std::string group;
  std::vector<std::string> members;  // principal names of the tenant
};

// One committed page of a run.
struct SyncBatch {
  SyncRunRecord run;  // counters and checkpoint after this batch
  std::vector<DocumentWrite> writes;
  // ACL changes of live documents whose bytes are unchanged (ext_id, new ACL).
  std::vector<std::pair<std::string, Acl>> acl_updates;
  std::vector<SeenItem> seen;
  // Applied in order: a group the tenant does not have is created as the run's source's group;
  // the group's memberships become exactly `members` (names that are not principals of the tenant
  // are skipped). A group that is not the source's fails the commit (FailedPrecondition). Each
  // group is remembered as reported by the run (`sync_run_groups`) until the run finishes.
  std::vector<GroupMembership> group_updates;
};

class SyncStore {
 public:
  virtual ~SyncStore() = default;
  // The run of the source still marked running (its process died), if any.
  virtual Result<std::optional<SyncRunRecord>> runningRun(const std::string& tenant,
                                                          const std::string& source) = 0;
  // `full_since`: a backfill's time (micros, 0 = none), stored with the run.
  virtual Result<SyncRunRecord> startRun(const std::string& tenant, const std::string& source,
                                         bool full, int64_t full_since = 0) = 0;
  // Writes the documents, the ACL updates, the seen ids, their versions, and the run row in one
  // transaction; the writes' outcomes are added to `batch.run`'s indexed and unchanged counters
  // before it is stored. Results are the writes', in order.
  virtual Result<std::vector<WriteResult>> commitBatch(SyncBatch& batch) = 0;
  // Stores the run row alone (counters, state, message).
  virtual Status updateRun(const SyncRunRecord& run) = 0;
  // Live documents of the source whose ids the run has not seen, sorted.
  virtual Result<std::vector<std::string>> unseenDocuments(const SyncRunRecord& run) = 0;
  // Ids the run saw with SeenState::kDeleteRequested that are live documents of its source (a
  // delete never reaches another source's document).
  virtual Result<std::vector<std::string>> requestedDeletes(const SyncRunRecord& run) = 0;
  // Tombstones `deletes` (their chunks and text purged), drops the run's seen ids and reported
  // groups and stores the finished run, in one transaction; then truncates the WAL when something
  // was deleted. With `empty_unreported_groups` (a complete, clean pass of a source that declares
  // group membership), the groups the source manages that the run did not report lose all their
  // members in the same transaction (the identity generation moves); their names, sorted, go to
  // `emptied` when given.
  virtual Status finishRun(const SyncRunRecord& run, const std::vector<std::string>& deletes,
                           bool empty_unreported_groups = false,
                           std::vector<std::string>* emptied = nullptr) = 0;
  virtual Result<int64_t> liveDocuments(const std::string& tenant, const std::string& source) = 0;
  // ext_id -> connector version of the source's documents.
  virtual Result<std::map<std::string, std::string>> itemVersions(const std::string& tenant,
                                                                  const std::string& source) = 0;
  // Newest first; source "" = every source.
  virtual Result<std::vector<SyncRunRecord>> listRuns(const std::string& tenant,
                                                      const std::string& source, int limit) = 0;
  // The source managing group `group` of the tenant: nullopt when the tenant has no principal of
  // that name, "" when it exists but no source manages it (a Ward admin's, or not a group).
  virtual Result<std::optional<std::string>> groupManager(const std::string& tenant,
                                                          const std::string& group) = 0;
  // How many groups `source` manages.
  virtual Result<int64_t> managedGroups(const std::string& tenant, const std::string& source) = 0;
  // The newest run whose listing was exhausted and that ended completed, partial or held.
  virtual Result<std::optional<SyncRunRecord>> lastCompletePass(const std::string& tenant,
                                                                const std::string& source) = 0;

  // --- Runtime sources (schema step 9) ---
  // The tenant's runtime sources, by name.
  virtual Result<std::vector<RuntimeSourceRecord>> listSources(const std::string& tenant) = 0;
  virtual Result<std::optional<RuntimeSourceRecord>> getSource(const std::string& tenant,
                                                               const std::string& name) = 0;
  // Inserts `r` (created_at and updated_at set now). AlreadyExists when the tenant has a runtime
  // source of that name; FailedPrecondition when it already has `max_sources` of them (counted in
  // the same transaction).
  virtual Status createSource(const RuntimeSourceRecord& r, size_t max_sources) = 0;
  // Replaces the config of a runtime source (updated_at set now); NotFound when there is none.
  virtual Status replaceSource(const RuntimeSourceRecord& r) = 0;
  virtual Status setSourceRemoving(const std::string& tenant, const std::string& name) = 0;
  // NotFound when there is none.
  virtual Status deleteSource(const std::string& tenant, const std::string& name) = 0;
};

// Opens ward.db (applying every schema migration) with a connection of its own.
Result<std::unique_ptr<SyncStore>> openSqliteSyncStore(const std::string& path);

}  // namespace ward::store
