// The in-process index: MemoryIndex owns the index state and its locks, follows the change feed
// (catchUp), searches, checkpoints and reports stats. Postings sit in segments of at most
// IndexConfig::segment_chunks chunks (segment_set.h); visibility and filters are token bitmaps.
// How a document from the feed is prepared and applied to the state is in prepared_doc.cc.
#include <roaring/roaring.hh>

#include <algorithm>
#include <cmath>
#include <mutex>
#include <shared_mutex>
#include <thread>
#include <unordered_map>
#include <unordered_set>

#include "dense_bitset.h"
#include "index_files.h"
#include "index_state.h"
#include "phrase_check.h"
#include "prepared_doc.h"
#include "segment_set.h"
#include "top_k.h"
#include "ward/common/log.h"
#include "ward/identity/principal.h"
#include "ward/index/index.h"
#include "ward/index/written_docs.h"
#include "ward/io/file_system.h"
#include "ward/store/cluster.h"
#include "ward/store/store.h"
#include "ward/text/analyzer.h"

namespace ward::index {

namespace {

constexpr int kChangeBatch = 2000;
constexpr size_t kStatsCacheEntries = 64;
constexpr int kMaxPhraseVerifications = 5000;

bool intersects(const std::vector<std::string>& a, const std::vector<std::string>& b) {
  auto i = a.begin();
  auto j = b.begin();
  while (i != a.end() && j != b.end()) {
    int c = i->compare(*j);
    if (c == 0) return true;
    if (c < 0)
      ++i;
    else
      ++j;
  }
  return false;
}

// What a principal's token set sees: computed once per index generation and cached.
struct Visibility {
  DenseBitset visible;
  uint64_t count = 0;
  double avg_title = 0, avg_heading = 0, avg_body = 0;
};

struct Scratch {
  RankScratch rank;
  std::vector<Match> matches;      // every term's matches, one range per term
  std::vector<TermMatches> terms;  // distinct terms with a match, in query order
  DenseBitset removed;
  DenseBitset matched;  // chunks some term matched (total_matches when ranking is pruned)
  DenseBitset candidates;
};

class MemoryIndex final : public Index {
 public:
  MemoryIndex(store::Store& store, const IndexConfig& config, const std::string& dir)
      : store_(store),
        config_(config),
        segments_(
            SegmentPolicy{static_cast<uint32_t>(config.segment_chunks), config.merge_factor, 65535},
            st_.chunk_partition, st_.live) {
    if (!dir.empty()) files_ = std::make_unique<IndexFiles>(io::posixFileSystem(), dir);
    cluster_ = dynamic_cast<store::ClusterStore*>(&store);
  }

  // A writer that applied changes since its last checkpoint writes one, so the next process
  // starts from here rather than from the change feed.
  ~MemoryIndex() override {
    if (!files_ || !files_->writer()) return;
    Status s = checkpoint();
    if (!s.ok()) logWarn("index: checkpoint at close failed: " + s.message());
  }

  // Loads the persisted index if there is a usable one (else starts empty and says why), then
  // catches up with the change feed.
  Status open() {
    if (files_) {
      auto writer = files_->tryBecomeWriter();
      if (!writer.ok())
        logWarn("index: cannot take " + files_->dir() +
                "/LOCK, opening read-only: " + writer.status().message());
      Status loaded = files_->load(store_, &st_, &segments_);
      if (loaded.ok()) {
        loaded_ = true;
        persisted_seq_ = st_.applied_seq;
      } else {
        if (loaded.code() != StatusCode::kNotFound) {
          logWarn("index: not using " + files_->dir() + " (" + loaded.message() +
                  "); rebuilding from the store");
        }
        st_ = IndexState();
        segments_.clear();
      }
    }
    WARD_ASSIGN_OR_RETURN(int64_t applied, catchUp());
    (void)applied;
    return checkpoint();  // a no-op unless this writer is ahead of the files
  }

  Result<int64_t> catchUp() override { return catchUpWith({}); }

  // catchUp, taking chunks from `written` where the store holds those versions (written_docs.h).
  Result<int64_t> catchUpWith(const std::vector<WrittenDoc>& written) {
    std::lock_guard<std::mutex> writer(catchup_mu_);
    std::unordered_map<int64_t, const WrittenDoc*> handed;  // document -> its newest version
    for (const auto& w : written) {
      if (w.write == nullptr) continue;
      auto [it, added] = handed.emplace(w.doc_id, &w);
      if (!added && it->second->version < w.version) it->second = &w;
    }
    int64_t applied = 0;
    while (true) {
      int64_t from;
      {
        std::shared_lock lock(mu_);
        from = st_.applied_seq;
      }
      std::vector<store::Change> changes;
      if (cluster_ != nullptr) {
        WARD_ASSIGN_OR_RETURN(store::FeedPage page, cluster_->readFeed(epoch_, from, kChangeBatch));
        if (page.resync) {
          WARD_RETURN_IF_ERROR(resyncFromSnapshot(page.epoch, from, handed));
          ++applied;
          continue;
        }
        epoch_ = page.epoch;
        changes = std::move(page.changes);
      } else {
        WARD_ASSIGN_OR_RETURN(changes, store_.changesSince(from, kChangeBatch));
      }
      if (changes.empty()) break;
      std::vector<int64_t> doc_ids;
      std::unordered_set<int64_t> seen;
      for (const auto& c : changes) {
        if (seen.insert(c.doc_id).second) doc_ids.push_back(c.doc_id);
      }
      WARD_RETURN_IF_ERROR(applyDocuments(doc_ids, handed, changes.back().seq));
      applied += static_cast<int64_t>(changes.size());
    }
    // A delete is purged from index/ at once: the checkpoint it forces no longer names the terms
    // that only the deleted chunks held (state_codec.cc), and drops the previous state file.
    const bool due =
        config_.checkpoint_changes > 0 &&
        st_.applied_seq - std::max<int64_t>(persisted_seq_, 0) >= config_.checkpoint_changes;
    if (files_ && (due || purge_pending_)) WARD_RETURN_IF_ERROR(checkpointLocked());
    return applied;
  }

  // Prepares and applies the documents `doc_ids` (their current state in the store), then sets
  // applied_seq to `seq` (unless negative) and runs the merges that are due. The caller holds
  // catchup_mu_.
  Status applyDocuments(const std::vector<int64_t>& doc_ids,
                        const std::unordered_map<int64_t, const WrittenDoc*>& handed, int64_t seq) {
    // Analysis is the expensive part of indexing: two threads share it (the machine Ward
    // targets has two cores); the store serialises their reads.
    std::vector<PreparedDoc> prepared(doc_ids.size());
    Status worker_status;
    auto work = [&](size_t begin, size_t end, Status* status) {
      for (size_t i = begin; i < end; ++i) {
        auto h = handed.find(doc_ids[i]);
        auto p = prepareDoc(store_, st_, mu_, doc_ids[i], h == handed.end() ? nullptr : h->second);
        if (!p.ok()) {
          *status = p.status();
          return;
        }
        prepared[i] = std::move(p).value();
      }
    };
    size_t half = doc_ids.size() >= 64 ? doc_ids.size() / 2 : doc_ids.size();
    std::thread helper;
    if (half < doc_ids.size()) {
      helper = std::thread(work, half, doc_ids.size(), &worker_status);
    }
    Status main_status;
    work(0, half, &main_status);
    if (helper.joinable()) helper.join();
    WARD_RETURN_IF_ERROR(main_status);
    WARD_RETURN_IF_ERROR(worker_status);
    if (std::any_of(prepared.begin(), prepared.end(),
                    [](const PreparedDoc& p) { return p.deleted; })) {
      purge_pending_ = true;
    }
    {
      std::unique_lock lock(mu_);
      applyBatch(st_, segments_, prepared);
      if (seq >= 0) st_.applied_seq = seq;
      for (const PreparedDoc& p : prepared) written_used_ += p.writer_chunks ? 1 : 0;
      ++generation_;
      stats_cache_.clear();
    }
    // Merges and compactions are built under the shared lock, so searches go on reading the
    // input segments; only the swap takes the exclusive lock. Nothing else changes the
    // segments meanwhile: catch-ups are serialised by catchup_mu_.
    while (true) {
      SegmentSet::MergePlan plan;
      FrozenSegment merged;
      {
        std::shared_lock lock(mu_);
        if (!segments_.nextMerge(&plan)) break;
        merged = segments_.build(plan);
      }
      std::unique_lock lock(mu_);
      segments_.install(plan, std::move(merged));
    }
    return Status();
  }

  // The store says the feed cannot be read on from `from` (epoch `epoch`): its epoch changed (a
  // restore) or rows after `from` were pruned. Rebuilds the index from the store's live
  // documents: the feed position is taken first, so a document changed while the rebuild reads
  // is read again from the feed after it (applying a document's current state twice is
  // harmless). Searches meanwhile see the documents rebuilt so far. The caller holds catchup_mu_.
  Status resyncFromSnapshot(int64_t epoch, int64_t from,
                            const std::unordered_map<int64_t, const WrittenDoc*>& handed) {
    WARD_ASSIGN_OR_RETURN(store::FeedResyncPoint point, cluster_->resyncPoint());
    logWarn("index: cannot follow the change feed on from position " + std::to_string(from) +
            " (index epoch " + std::to_string(epoch_) + ", store epoch " + std::to_string(epoch) +
            "): rebuilding from the store's documents at position " + std::to_string(point.seq));
    {
      std::unique_lock lock(mu_);
      st_ = IndexState();
      segments_.clear();
      ++generation_;
      stats_cache_.clear();
    }
    int64_t after = 0;
    while (true) {
      WARD_ASSIGN_OR_RETURN(std::vector<int64_t> ids,
                            cluster_->liveDocumentIds(after, kChangeBatch));
      if (ids.empty()) break;
      WARD_RETURN_IF_ERROR(applyDocuments(ids, handed, -1));
      after = ids.back();
    }
    {
      std::unique_lock lock(mu_);
      st_.applied_seq = point.seq;
      ++generation_;
      stats_cache_.clear();
    }
    epoch_ = point.epoch;
    purge_pending_ = true;  // the next checkpoint replaces the files of before
    ++resyncs_;
    return Status();
  }

  Result<IndexResult> search(const IndexQuery& query, const BM25Params& params) override {
    for (const auto& t : query.terms) {
      if (!std::isfinite(t.weight) || t.weight < 0) {
        return Status::invalidArgument("query term weights must be finite and not negative");
      }
    }
    std::shared_lock lock(mu_);
    IndexResult result;
    if (query.k <= 0) return result;
    std::shared_ptr<const Visibility> vis = visibilityFor(query.any_of_tokens, query.scope_tokens);
    if (vis->count == 0) return result;

    thread_local Scratch scratch;
    scratch.rank.ensure(st_.max_chunk + 1);
    scratch.removed.clearAll();
    scratch.removed.resize(st_.max_chunk + 1);
    scratch.matched.clearAll();
    scratch.matched.resize(st_.max_chunk + 1);
    scratch.matches.clear();
    scratch.terms.clear();

    // Candidates = visible, narrowed by filters (filters never change ranking statistics).
    const DenseBitset* candidates = &vis->visible;
    bool has_filters = !query.filter_token_groups.empty();
    if (has_filters) {
      buildCandidates(*vis, query.filter_token_groups, scratch.candidates);
      candidates = &scratch.candidates;
    }
    bool date_filter = query.updated_after.has_value() || query.updated_before.has_value();
    auto passes_date = [&](uint32_t c) {
      int64_t u = st_.chunk_updated[c];
      if (query.updated_after && u < *query.updated_after) return false;
      if (query.updated_before && u >= *query.updated_before) return false;
      return true;
    };

    // Merge duplicate terms, keeping query order of first appearance. Hashed, so that a long
    // query (a pasted paragraph, up to search.max_query_terms) costs linear time here.
    std::vector<QueryTerm> terms;
    std::unordered_map<std::string_view, size_t> position;
    position.reserve(query.terms.size() + query.required_terms.size());
    for (const auto& t : query.terms) {
      auto [it, added] = position.emplace(t.term, terms.size());
      if (added) {
        terms.push_back(t);
      } else {
        terms[it->second].weight += t.weight;
      }
    }
    std::vector<std::string> required = query.required_terms;
    std::sort(required.begin(), required.end());
    required.erase(std::unique(required.begin(), required.end()), required.end());
    for (const auto& r : required) {
      if (!position.count(r)) {
        terms.push_back(QueryTerm{r, 0.0});  // required only: filters but does not score
      }
    }
    // Pruning returns the exhaustive top k; it does not apply where every candidate is needed
    // (phrases are verified down the ranking) or counted (required terms), nor to zero weights.
    const bool prune =
        !query.exhaustive && query.phrases.empty() && required.empty() &&
        std::all_of(terms.begin(), terms.end(), [](const QueryTerm& t) { return t.weight > 0; });

    std::vector<char> wanted(st_.partitions.size() + 1, 0);
    {
      std::vector<std::string> held = query.any_of_tokens;
      std::sort(held.begin(), held.end());
      for (size_t i = 0; i < st_.partitions.size(); ++i) {
        wanted[i] = intersects(st_.partitions[i].tokens, held) ? 1 : 0;
      }
    }
    // Every term's visible, filtered postings first: df (and so the weights) must be known
    // before pruning can order the terms.
    const double n_docs = static_cast<double>(vis->count);
    for (const QueryTerm& qt : terms) {
      const size_t begin = scratch.matches.size();
      uint64_t df = 0;
      auto visit = [&](uint32_t c, FieldTf tf) {
        if (!vis->visible.test(c)) {
          if (st_.live.test(c)) (void)scratch.removed.testAndSet(c);
          return;
        }
        ++df;
        if (has_filters && !candidates->test(c)) return;
        if (date_filter && !passes_date(c)) return;
        scratch.matches.emplace_back(c, tf);
        if (prune) scratch.matched.set(c);
      };
      if (const auto* tid = st_.term_ids.find(qt.term)) {
        result.acl_skipped_postings +=
            static_cast<int64_t>(segments_.forEach(tid->value, wanted, visit));
      }
      if (df == 0) continue;
      double d = static_cast<double>(df);
      double idf = std::log(1.0 + (n_docs - d + 0.5) / (d + 0.5));
      scratch.terms.push_back(
          TermMatches{begin, scratch.matches.size(), qt.weight * idf,
                      std::binary_search(required.begin(), required.end(), qt.term)});
    }
    result.acl_removed = static_cast<int64_t>(scratch.removed.count());

    const Bm25fNorms norms{st_.len_title.data(),
                           st_.len_heading.data(),
                           st_.len_body.data(),
                           vis->avg_title,
                           vis->avg_heading,
                           vis->avg_body,
                           params};
    const RankInput input{&scratch.matches, &scratch.terms, &norms, required.size()};
    if (prune) {
      Ranked top = rankTopK(input, static_cast<size_t>(query.k), scratch.rank);
      result.total_matches = static_cast<int64_t>(scratch.matched.count());
      result.postings_scored = top.postings_scored;
      result.top = std::move(top.chunks);
      return result;
    }
    // Candidates that meet every requirement.
    Ranked all = rankAll(input, scratch.rank);
    result.postings_scored = all.postings_scored;
    std::vector<ScoredChunk>& ranked = all.chunks;
    auto better = [](const ScoredChunk& a, const ScoredChunk& b) {
      return a.score != b.score ? a.score > b.score : a.chunk_id < b.chunk_id;
    };

    if (query.phrases.empty()) {
      result.total_matches = static_cast<int64_t>(ranked.size());
      size_t k = std::min<size_t>(static_cast<size_t>(query.k), ranked.size());
      std::partial_sort(ranked.begin(), ranked.begin() + static_cast<long>(k), ranked.end(),
                        better);
      ranked.resize(k);
      result.top = std::move(ranked);
      return result;
    }
    // Phrases: verify against the stored chunk text in score order. That reads the store, so it
    // runs after the index lock is released (chunk ids are never reused, so a chunk deleted in
    // the meantime simply fails verification).
    lock.unlock();
    std::sort(ranked.begin(), ranked.end(), better);
    int verified = 0;
    int64_t matched = 0;
    for (const auto& sc : ranked) {
      if (verified >= kMaxPhraseVerifications) break;
      ++verified;
      if (!chunkHasPhrases(store_, sc.chunk_id, query.phrases)) continue;
      ++matched;
      if (static_cast<int>(result.top.size()) < query.k) result.top.push_back(sc);
    }
    result.total_matches = matched;
    return result;
  }

  int64_t writtenUsed() {
    std::shared_lock lock(mu_);
    return written_used_;
  }

  Status checkpoint() override {
    std::lock_guard<std::mutex> writer(catchup_mu_);
    return checkpointLocked();
  }

  IndexStats stats() override {
    std::shared_lock lock(mu_);
    IndexStats s;
    s.chunks = static_cast<int64_t>(st_.live_count);
    size_t bytes = segments_.memoryBytes();
    s.segments = static_cast<int64_t>(segments_.segmentCount());
    bytes += st_.term_ids.memoryBytes();
    for (const auto& part : st_.partitions) bytes += part.tokens.size() * 48;
    for (const auto& [t, bm] : st_.token_bitmaps) bytes += bm.getSizeInBytes(false) + t.size() + 48;
    bytes += st_.chunk_doc.capacity() * sizeof(int64_t) +
             st_.chunk_updated.capacity() * sizeof(int64_t) + st_.len_body.capacity() * 4 +
             st_.len_title.capacity() * 2 + st_.len_heading.capacity() * 2 + st_.live.memoryBytes();
    bytes += st_.docs.size() * 96;
    s.terms = static_cast<int64_t>(st_.term_ids.size());
    s.applied_seq = st_.applied_seq;
    s.persisted_seq = persisted_seq_;
    s.loaded = loaded_;
    s.writer = files_ && files_->writer();
    s.memory_bytes = static_cast<int64_t>(bytes);
    return s;
  }

 private:
  // Persists the index if this process is (or can now become) the writer and has applied
  // changes since the last checkpoint. Caller holds catchup_mu_, so nothing changes the index
  // meanwhile; searches go on under the shared lock.
  Status checkpointLocked() {
    if (!files_) return Status();
    if (!files_->writer()) {
      auto became = files_->tryBecomeWriter();
      if (!became.ok() || !*became) return Status();  // another process writes index/
    }
    if (st_.applied_seq == persisted_seq_) return Status();
    std::shared_lock lock(mu_);
    WARD_RETURN_IF_ERROR(files_->save(store_, st_, segments_));
    persisted_seq_ = st_.applied_seq;
    purge_pending_ = false;
    return Status();
  }

  std::shared_ptr<const Visibility> visibilityFor(
      const std::vector<std::string>& tokens,
      const std::optional<std::vector<std::string>>& scope) {
    std::string key;
    for (const auto& t : tokens) {
      key += t;
      key += '\n';
    }
    if (scope) {
      key += "\x01scope\n";  // never a token: scoped and unscoped readers never share an entry
      for (const auto& t : *scope) {
        key += t;
        key += '\n';
      }
    }
    {
      std::lock_guard<std::mutex> lock(cache_mu_);
      auto it = stats_cache_.find(key);
      if (it != stats_cache_.end()) return it->second;
    }
    auto vis = std::make_shared<Visibility>();
    std::vector<const Roaring*> inputs;
    for (const auto& t : tokens) {
      auto it = st_.token_bitmaps.find(t);
      if (it != st_.token_bitmaps.end()) inputs.push_back(&it->second);
    }
    Roaring all = inputs.empty() ? Roaring() : Roaring::fastunion(inputs.size(), inputs.data());
    if (scope) all &= unionOf(*scope);
    vis->visible.resize(st_.max_chunk + 1);
    uint64_t sum_t = 0, sum_h = 0, sum_b = 0;
    for (uint32_t c : all) {
      if (!st_.live.test(c)) continue;
      vis->visible.set(c);
      ++vis->count;
      sum_t += st_.len_title[c];
      sum_h += st_.len_heading[c];
      sum_b += st_.len_body[c];
    }
    if (vis->count) {
      double n = static_cast<double>(vis->count);
      vis->avg_title = static_cast<double>(sum_t) / n;
      vis->avg_heading = static_cast<double>(sum_h) / n;
      vis->avg_body = static_cast<double>(sum_b) / n;
    }
    std::lock_guard<std::mutex> lock(cache_mu_);
    if (stats_cache_.size() >= kStatsCacheEntries) stats_cache_.clear();
    stats_cache_[key] = vis;
    return vis;
  }

  // Chunks carrying any of `tokens`.
  Roaring unionOf(const std::vector<std::string>& tokens) const {
    std::vector<const Roaring*> inputs;
    for (const auto& t : tokens) {
      auto it = st_.token_bitmaps.find(t);
      if (it != st_.token_bitmaps.end()) inputs.push_back(&it->second);
    }
    return inputs.empty() ? Roaring() : Roaring::fastunion(inputs.size(), inputs.data());
  }

  void buildCandidates(const Visibility& vis, const std::vector<std::vector<std::string>>& groups,
                       DenseBitset& out) {
    Roaring narrowed;
    bool first = true;
    for (const auto& group : groups) {
      std::vector<const Roaring*> inputs;
      for (const auto& t : group) {
        auto it = st_.token_bitmaps.find(t);
        if (it != st_.token_bitmaps.end()) inputs.push_back(&it->second);
      }
      Roaring any = inputs.empty() ? Roaring() : Roaring::fastunion(inputs.size(), inputs.data());
      if (first) {
        narrowed = std::move(any);
        first = false;
      } else {
        narrowed &= any;
      }
    }
    out.clearAll();
    out.resize(st_.max_chunk + 1);
    for (uint32_t c : narrowed) {
      if (vis.visible.test(c)) out.set(c);
    }
  }

  store::Store& store_;
  // The store's epoch-checked feed (PostgreSQL), or null (SQLite: changesSince).
  store::ClusterStore* cluster_ = nullptr;
  int64_t epoch_ = 0;    // (catchup_mu_) the store epoch the index follows; 0 until first read
  int64_t resyncs_ = 0;  // (catchup_mu_) rebuilds from a snapshot
  IndexConfig config_;
  std::mutex catchup_mu_;         // one catch-up at a time
  mutable std::shared_mutex mu_;  // guards everything below
  IndexState st_;
  SegmentSet segments_;                // refers to st_.chunk_partition and st_.live
  std::unique_ptr<IndexFiles> files_;  // null: nothing persisted (no directory given)
  int64_t persisted_seq_ = -1;         // applied_seq of the checkpoint loaded or written last
  bool loaded_ = false;                // opened from persisted files
  bool purge_pending_ = false;         // (catchup_mu_) a delete applied since the last checkpoint
  uint64_t generation_ = 0;
  int64_t written_used_ = 0;  // documents prepared with a writer's chunks (written_docs.h)
  std::mutex cache_mu_;
  std::unordered_map<std::string, std::shared_ptr<const Visibility>> stats_cache_;
};

}  // namespace

// MemoryIndex is the one Index implementation; another (a test double) simply reads the store.
Result<int64_t> catchUpWritten(Index& index, const std::vector<WrittenDoc>& written) {
  if (auto* m = dynamic_cast<MemoryIndex*>(&index)) return m->catchUpWith(written);
  return index.catchUp();
}

int64_t writtenDocsUsed(Index& index) {
  auto* m = dynamic_cast<MemoryIndex*>(&index);
  return m == nullptr ? 0 : m->writtenUsed();
}

Result<std::unique_ptr<Index>> openIndex(const std::string& dir, store::Store& store,
                                         const IndexConfig& config) {
  auto index = std::make_unique<MemoryIndex>(store, config, dir);
  WARD_RETURN_IF_ERROR(index->open());
  return std::unique_ptr<Index>(std::move(index));
}

}  // namespace ward::index
