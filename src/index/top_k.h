// Ranking a query's matched postings by BM25F: every match scored (rankAll), or only as many as
// it takes to know the best k (rankTopK, MaxScore), with the same top k, scores and order.
//
// Scores are summed in fixed point (units of 2^-shift), so a chunk's score does not depend on
// the order its terms are added in: the pruned ranking visits terms by their bound, the full one
// in query order, and both give bit-identical scores. Bounds and the k-th best score are then
// exact integers, so pruning needs no tolerance: a chunk is dropped only when even its best case
// stays strictly below k chunks already scored.
//
// Not thread-safe: each search uses its own RankScratch (memory_index.cc keeps one per thread).
#pragma once

#include <cstddef>
#include <cstdint>
#include <utility>
#include <vector>

#include "field_tf.h"
#include "ward/index/index.h"

namespace ward::index {

using Match = std::pair<uint32_t, FieldTf>;  // a visible posting that passed the filters

// One distinct query term: its matches are matches[begin, end).
struct TermMatches {
  size_t begin = 0;
  size_t end = 0;
  double weight = 0;  // query weight · idf; >= 0 and finite
  bool required = false;
};

// What a contribution depends on besides the posting: chunk lengths, the visible set's average
// lengths and the BM25F parameters (docs/design/index.md "Scoring").
struct Bm25fNorms {
  const uint16_t* len_title = nullptr;
  const uint16_t* len_heading = nullptr;
  const uint32_t* len_body = nullptr;
  double avg_title = 0, avg_heading = 0, avg_body = 0;
  BM25Params params;
};

struct RankInput {
  const std::vector<Match>* matches = nullptr;
  const std::vector<TermMatches>* terms = nullptr;  // distinct terms, in query order
  const Bm25fNorms* norms = nullptr;
  size_t required_terms = 0;  // distinct required terms (each is one of `terms`)
};

// Per-chunk accumulators, reused across searches; all zero between searches.
struct RankScratch {
  std::vector<uint64_t> acc;     // fixed-point score
  std::vector<uint8_t> state;    // 0 untouched, 1 touched, 2 touched and still a candidate
  std::vector<uint8_t> in_heap;  // in the k-best heap (rankTopK)
  std::vector<uint8_t> required;
  std::vector<uint32_t> touched;

  void ensure(uint32_t chunks);
};

struct Ranked {
  std::vector<ScoredChunk> chunks;
  int64_t postings_scored = 0;  // contributions computed
};

// Every chunk that some term matched and that holds every required term, scored, in no order.
Ranked rankAll(const RankInput& in, RankScratch& s);

// The best k of what rankAll() returns, by score then lower chunk id, best first: the same chunks
// with the same scores, computing contributions only for chunks that can still reach the top k.
// For queries without required terms (the caller ranks those with rankAll()).
Ranked rankTopK(const RankInput& in, size_t k, RankScratch& s);

}  // namespace ward::index
