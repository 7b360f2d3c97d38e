// The write side of the in-process index, apart from its locking: a document from the change feed
// prepared outside the index lock (store reads, analysis, term-id lookup), and the application of
// a batch of prepared documents to IndexState and SegmentSet. MemoryIndex::catchUp orders the two
// and holds the locks; see docs/design/index.md, "Data flow".
#pragma once

#include <cstdint>
#include <shared_mutex>
#include <string>
#include <vector>

#include "chunk_analysis.h"
#include "index_state.h"
#include "segment_set.h"
#include "ward/common/status.h"
#include "ward/index/written_docs.h"
#include "ward/store/store.h"

namespace ward::index {

// A document as fetched from the store, analyzed outside the index lock.
struct PreparedDoc {
  int64_t doc_id = 0;
  bool deleted = false;
  int64_t updated_at = 0;
  std::vector<std::string> tokens;
  std::vector<std::string> acl_tokens;  // sorted
  std::vector<uint32_t> chunk_ids;
  std::vector<AnalyzedChunk> analyzed;  // only chunks the index does not have yet
  bool writer_chunks = false;           // the chunks came from a WrittenDoc, not from the store
};

// Reads document `doc_id` and its current chunks from `store` and analyzes the chunks `st` does
// not hold yet; a missing or tombstoned document becomes a delete. When `written` (its writer's
// version, may be null) is the version the store holds, its chunks are used instead of reading
// the store's: those are the same rows. Takes `mu` (the lock guarding `st`) shared while it reads
// `st`. The caller runs the one catch-up, so nothing writes `st.docs` or `st.term_ids` meanwhile.
// Thread-safe otherwise: two threads prepare halves of a batch.
Result<PreparedDoc> prepareDoc(store::Store& store, const IndexState& st, std::shared_mutex& mu,
                               int64_t doc_id, const WrittenDoc* written = nullptr);

// Applies a prepared batch: drops chunks the documents no longer have, moves their token bitmaps
// and adds the new chunks in chunk-id order. The caller holds the exclusive lock on `st`.
void applyBatch(IndexState& st, SegmentSet& segments, std::vector<PreparedDoc>& batch);

}  // namespace ward::index
