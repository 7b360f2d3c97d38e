// The search index: BM25F postings over chunks, with ACL tokens evaluated during traversal.
//
// The index follows the store's change feed (store/store.h) and is rebuilt from it. Chunks are
// numbered by their store id. Postings live in an open segment that takes appends and frozen
// segments (grouped by ACL partition, merged in tiers); deletions are a live-chunk bitset; ACLs and
// filterable attributes are token -> chunk bitmaps, so an ACL or membership change takes effect on
// the next query without touching postings. The index lives in memory; the process holding the
// index lock checkpoints it under the index directory, and every process opening the data dir
// loads the latest checkpoint and catches up from the change feed (docs/design/index.md).
//
// Thread-safety: search() may run concurrently with itself; catchUp() takes an exclusive lock for
// the short moment it publishes each batch.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "ward/common/config.h"
#include "ward/common/status.h"

namespace ward::store {
class Store;
}

namespace ward::index {

// One query term with its weight in the query (repeated terms add up).
struct QueryTerm {
  std::string term;  // analyzed form (see text/analyzer.h)
  double weight = 1.0;
};

struct IndexQuery {
  std::vector<QueryTerm> terms;  // OR-scored; weights finite and >= 0 (else InvalidArgument)
  std::vector<std::vector<std::string>>
      phrases;                              // each phrase must occur (analyzed terms, in order)
  std::vector<std::string> required_terms;  // must occur (identifiers, phrase words)
  std::vector<std::string> any_of_tokens;   // visibility: ACL tokens the principal holds
  // Visibility, when set: a chunk must also carry one of these (an agent's document scope, see
  // identity/document_scope.h); empty = nothing is visible. Unlike filter_token_groups it narrows
  // the visible set itself, so ranking statistics are those of the intersection.
  std::optional<std::vector<std::string>> scope_tokens;
  std::vector<std::vector<std::string>> filter_token_groups;  // each group: chunk must have one
  std::optional<int64_t> updated_after;
  std::optional<int64_t> updated_before;
  int k = 10;
  // Score every match instead of pruning to the top k (the same top k, scores and order; for
  // tests and benchmarks that compare the two).
  bool exhaustive = false;
};

struct ScoredChunk {
  int64_t chunk_id = 0;
  double score = 0;  // a multiple of a power of two: sums are exact (docs/design/index.md)
};

struct IndexResult {
  std::vector<ScoredChunk> top;  // best first; ties broken by chunk id
  int64_t total_matches = 0;     // visible chunks matching the query
  // For the trace only. Distinct live chunks containing a query term that the ACL removed, in
  // the partitions that were scanned (the open segment and partitions sharing a token with the
  // principal).
  int64_t acl_removed = 0;
  // Postings of query terms in partitions skipped because the principal holds none of their
  // tokens: all removed by the ACL unread (a chunk matching several terms counts once per term).
  int64_t acl_skipped_postings = 0;
  // For benchmarks and tests: postings whose BM25F contribution was computed (pruning skips the
  // rest).
  int64_t postings_scored = 0;
};

struct IndexStats {
  int64_t chunks = 0;  // live chunks
  int64_t segments = 0;
  int64_t terms = 0;
  int64_t applied_seq = 0;     // last store change applied
  int64_t persisted_seq = -1;  // applied_seq of the checkpoint loaded or written last (-1: none)
  bool loaded = false;         // opened from persisted files rather than rebuilt from the store
  bool writer = false;         // holds index/LOCK: the process that writes checkpoints
  int64_t memory_bytes = 0;
};

struct BM25Params {
  double k1 = 1.2;
  double b = 0.75;
  double title_weight = 2.0;
  double heading_weight = 1.5;
  double body_weight = 1.0;
};

class Index {
 public:
  virtual ~Index() = default;
  // Applies store changes after applied_seq. Returns the number of changes applied.
  virtual Result<int64_t> catchUp() = 0;
  virtual Result<IndexResult> search(const IndexQuery& query, const BM25Params& params) = 0;
  // Persists the index under its directory (docs/formats/index-segments.md) if this process is
  // the index writer and changes were applied since the last checkpoint; otherwise a no-op.
  virtual Status checkpoint() = 0;
  virtual IndexStats stats() = 0;
};

// Opens the index for `store`: loads the checkpoint persisted under `dir` if it is intact and
// belongs to this store (else rebuilds, with a log line), then applies the change feed after it.
// Takes `dir`/LOCK if no other process holds it, becoming the one that writes checkpoints. An
// empty `dir` keeps everything in memory.
Result<std::unique_ptr<Index>> openIndex(const std::string& dir, store::Store& store,
                                         const IndexConfig& config);

}  // namespace ward::index
