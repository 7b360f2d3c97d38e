// The reads behind a page of search results, as one call: the hits' chunks with their documents.
//
// An optional capability of a Store: the SQLite store implements it (one lock, one joined read
// per chunk, no ACL parsed, of the metadata only the content flags); for any other store readForResults() falls back to
// getChunk + getDocumentById per chunk. A separate header so that the many users of store.h do
// not depend on it.
#pragma once

#include <cstdint>
#include <vector>

#include "ward/common/status.h"
#include "ward/store/records.h"

namespace ward::store {

class Store;

struct ChunkWithDocument {
  ChunkRecord chunk;
  DocumentRecord
      document;  // `acl` empty; `metadata` holds only the content flags (document_flags.h)
};

class SearchReads {
 public:
  virtual ~SearchReads() = default;
  // The chunks with these ids, in the given order, each with its document. An id whose chunk is
  // gone or whose document is a tombstone is left out.
  virtual Result<std::vector<ChunkWithDocument>> chunksWithDocuments(
      const std::vector<int64_t>& chunk_ids) = 0;
};

// `store`'s own SearchReads when it has one, else the per-chunk fallback (same contract).
Result<std::vector<ChunkWithDocument>> readForResults(Store& store,
                                                      const std::vector<int64_t>& chunk_ids);

}  // namespace ward::store
