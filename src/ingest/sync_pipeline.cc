// The sync runner's page pipeline (sync_pipeline.h).
#include "sync_pipeline.h"

#include <exception>
#include <new>

#include "injection_audit.h"
#include "ward/index/index.h"
#include "ward/index/written_docs.h"
#include "ward/ingest/source_document.h"

namespace ward::ingest {

namespace {

// A page's one transaction, then the index's catch-up from the page's own writes.
Status commitAndIndex(const SyncDeps& deps, store::SyncBatch& b) {
  WARD_ASSIGN_OR_RETURN(std::vector<store::WriteResult> results, deps.sync->commitBatch(b));
  recordInjectionFlags(deps.traces, FlagRequester{{}, std::string(kSyncRequester)}, b.writes,
                       results);
  // The index takes the page's new versions from here rather than reading them back.
  WARD_ASSIGN_OR_RETURN(int64_t applied,
                        index::catchUpWritten(*deps.index, index::writtenDocs(results, b.writes)));
  (void)applied;
  return Status();
}

}  // namespace

SyncPipeline::SyncPipeline(const SyncDeps& deps, std::vector<IngestProblem>& problems,
                           unsigned workers)
    : deps_(deps), problems_(problems), pool_(workers) {}

SyncPipeline::~SyncPipeline() {
  pool_.wait();
  committer_.wait();
}

void SyncPipeline::problem(std::string item, std::string message) {
  page_problems_.push_back(IngestProblem{std::move(item), std::move(message)});
}

void SyncPipeline::parse(ParseItem item, size_t seen_index) {
  auto job = std::make_unique<Job>();
  job->item = std::move(item);
  job->seen_index = seen_index;
  job->problem_slot = page_problems_.size();
  page_problems_.emplace_back();  // filled if the parse fails
  queued_bytes_ += job->item.bytes.size();
  Job* j = job.get();
  jobs_.push_back(std::move(job));
  const IngestConfig* config = &deps_.config;
  pool_.submit([j, config] {
    ParseItem& it = j->item;
    try {
      j->status = fillDocumentWrite(it.write, it.bytes, it.name, it.title, it.stored_hash,
                                    it.stored_title, *config);
    } catch (const std::bad_alloc&) {  // a task must not throw (parse_pool.h)
      j->status = Status::resourceExhausted("out of memory while parsing");
    } catch (const std::exception& e) {
      j->status = Status::internal(std::string("parsing failed: ") + e.what());
    }
    std::string().swap(it.bytes);  // the chunks hold the text now
  });
  // Bounds what fetched bytes wait in memory: past the limit the event thread helps parse.
  if (queued_bytes_ > kMaxQueuedParseBytes) {
    pool_.wait();
    queued_bytes_ = 0;
  }
}

void SyncPipeline::collectParses(store::SyncBatch* batch, store::SyncRunRecord& run) {
  pool_.wait();
  queued_bytes_ = 0;
  for (auto& job : jobs_) {
    if (job->status.ok()) {
      if (batch != nullptr) batch->writes.push_back(std::move(job->item.write));
      continue;
    }
    ++run.failed;
    const std::string& id = job->item.write.ext_id;
    page_problems_[job->problem_slot] = IngestProblem{id, job->status.message()};
    if (batch != nullptr) {
      batch->seen[job->seen_index] = store::SeenItem{id, "", store::SeenState::kFailed};
    }
  }
  jobs_.clear();
}

void SyncPipeline::flushProblems() {
  for (auto& p : page_problems_) {
    if (p && problems_.size() < kMaxSyncProblems) problems_.push_back(std::move(*p));
  }
  page_problems_.clear();
}

bool SyncPipeline::inFlight(const std::string& ext_id) const {
  return inflight_ != nullptr && inflight_ids_.count(ext_id) > 0;
}

Status SyncPipeline::waitInFlight(store::SyncRunRecord& run) {
  if (!committing_) return Status();
  committer_.wait();  // runs the commit here if the committer has not started it yet
  committing_ = false;
  Status s = std::move(committed_);
  if (s.ok()) {
    run.indexed += inflight_->run.indexed - inflight_indexed_;
    run.unchanged += inflight_->run.unchanged - inflight_unchanged_;
  }
  inflight_.reset();
  inflight_ids_.clear();
  return s;
}

Status SyncPipeline::commitPage(store::SyncBatch batch, store::SyncRunRecord& run) {
  collectParses(&batch, run);
  flushProblems();
  WARD_RETURN_IF_ERROR(waitInFlight(run));
  batch.run = run;
  inflight_indexed_ = run.indexed;
  inflight_unchanged_ = run.unchanged;
  inflight_ = std::make_unique<store::SyncBatch>(std::move(batch));
  for (const auto& s : inflight_->seen) inflight_ids_.insert(s.ext_id);
  for (const auto& a : inflight_->acl_updates) inflight_ids_.insert(a.first);
  store::SyncBatch* b = inflight_.get();
  const SyncDeps* deps = &deps_;
  Status* out = &committed_;
  committing_ = true;
  committer_.submit([b, deps, out] {
    try {
      *out = commitAndIndex(*deps, *b);
    } catch (const std::bad_alloc&) {  // a task must not throw (parse_pool.h)
      *out = Status::resourceExhausted("out of memory while committing a page");
    }
  });
  return Status();
}

Status SyncPipeline::finish(store::SyncRunRecord& run) {
  collectParses(nullptr, run);
  flushProblems();
  return waitInFlight(run);
}

}  // namespace ward::ingest
