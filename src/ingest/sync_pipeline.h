// Private to the ingest module: the sync runner's page pipeline (docs/design/ingest.md, "Sync
// runs", "Throughput"). The runner's sink (sync_runner.cc) decides, event by event and in order,
// what each item needs; this class does the expensive part beside it:
//
// - Parsing and chunking. A fetched item is handed over with its write (ids, ACL, metadata set)
//   and parsed on a ParsePool while the connector goes on listing and fetching. At the page's
//   checkpoint the parses are awaited and their writes join the page's batch in event order; an
//   item that fails to parse becomes a failed item, as if it had failed in the event thread: its
//   seen entry is marked failed, the run's `failed` counts it and its problem line keeps its place
//   among the page's problems.
// - Committing. A page is committed (its documents, seen ids, versions, group updates, counters
//   and checkpoint in ONE store transaction: SyncStore::commitBatch, unchanged) and then indexed
//   (Index::catchUp) on a background thread, while the event thread goes on with the next page.
//   That thread is the pipeline's own, one for the whole run (a thread per page cost a start
//   each, and under glibc each new thread may take another malloc arena: docs/design/ingest.md,
//   "Git").
//   Pages are committed one at a time and in order: the next page's commit first waits for this
//   one, and a commit that fails stops the pass at the next page boundary with nothing after it
//   committed. So a run killed at any moment still resumes from its last committed checkpoint.
//
// What the event thread reads from the store must not race the page in flight: before it reads a
// document that the page in flight writes (inFlight), or a group's manager, it waits for that page
// (waitInFlight). Counters the store adds in the transaction (indexed, unchanged) are merged back
// into the run when the page is awaited.
//
// Not thread-safe: the runner's event thread calls it; the pool and the committer are its own.
#pragma once

#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <unordered_set>
#include <vector>

#include "parse_pool.h"
#include "ward/common/status.h"
#include "ward/ingest/ingest_service.h"
#include "ward/ingest/sync_runner.h"
#include "ward/store/sync_store.h"

namespace ward::ingest {

// Bytes of fetched items waiting for a parse worker before the event thread stops fetching and
// helps parse (docs/design/ingest.md, "Throughput").
inline constexpr size_t kMaxQueuedParseBytes = 32 << 20;

// One fetched item to parse: its write with everything but the content set, and what
// fillDocumentWrite needs (source_document.h).
struct ParseItem {
  store::DocumentWrite write;
  std::string bytes;
  std::string name;
  std::string title;
  std::string stored_hash;   // the live stored version's content hash ("" = none)
  std::string stored_title;  // its title
};

class SyncPipeline {
 public:
  // Problems go to `problems` (at most kMaxSyncProblems, in event order, one page at a time).
  SyncPipeline(const SyncDeps& deps, std::vector<IngestProblem>& problems,
               unsigned workers = defaultParseWorkers());
  // Waits for the parses and the commit in flight (their outcome is lost: call finish first).
  ~SyncPipeline();
  SyncPipeline(const SyncPipeline&) = delete;
  SyncPipeline& operator=(const SyncPipeline&) = delete;

  // A problem line of the page being built.
  void problem(std::string item, std::string message);
  // Queues the parse of `item`, whose seen entry is `batch.seen[seen_index]` of the page being
  // built (the batch that commitPage is given).
  void parse(ParseItem item, size_t seen_index);

  // Whether the page being committed writes, updates or saw document `ext_id`.
  bool inFlight(const std::string& ext_id) const;
  // Waits for the page in flight (if any) and merges its store-counted outcomes into `run`.
  Status waitInFlight(store::SyncRunRecord& run);

  // Ends the page being built: awaits its parses (their writes join `batch`, failures are
  // counted in `run`), waits for the previous page, then starts committing `batch` with `run`'s
  // counters and checkpoint.
  Status commitPage(store::SyncBatch batch, store::SyncRunRecord& run);
  // Awaits the page's parses (without committing them: the pass stopped) and the page in flight;
  // flushes the problems. `run` then holds every committed page's counters.
  Status finish(store::SyncRunRecord& run);

 private:
  struct Job {
    ParseItem item;
    size_t seen_index = 0;
    size_t problem_slot = 0;
    Status status;
  };
  // Awaits the page's parses and moves their writes (or failures) into `batch` and `run`.
  void collectParses(store::SyncBatch* batch, store::SyncRunRecord& run);
  void flushProblems();

  const SyncDeps& deps_;
  std::vector<IngestProblem>& problems_;
  ParsePool pool_;
  std::vector<std::unique_ptr<Job>> jobs_;  // the page's parses, in event order
  // The page's problem lines in event order; a parse's slot stays empty if it passes.
  std::vector<std::optional<IngestProblem>> page_problems_;
  size_t queued_bytes_ = 0;
  // The page being committed on the background thread.
  std::unique_ptr<store::SyncBatch> inflight_;
  std::unordered_set<std::string> inflight_ids_;
  int64_t inflight_indexed_ = 0;  // the run's counters when it was handed over
  int64_t inflight_unchanged_ = 0;
  ParsePool committer_{1};   // commits the page in flight
  bool committing_ = false;  // a page was handed to committer_ and not yet awaited
  Status committed_;         // its outcome, written by committer_ (read after committer_.wait())
};

}  // namespace ward::ingest
