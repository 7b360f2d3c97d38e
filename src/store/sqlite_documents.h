// The documents, chunks and changes tables' statements (schema step 1): document writes with their
// change-feed rows, tombstones, ACL updates, and reads of documents and chunks. Private to the
// store module; callers hold the store's lock and, for writes, their own transaction.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "sqlite_db.h"
#include "ward/store/records.h"
#include "ward/store/search_reads.h"

namespace ward::store {

// Writes one document version (created, updated, ACL/attributes changed or unchanged; see
// docs/design/store.md), writes the new chunk ids back into `w.chunks` and appends the change.
Result<WriteResult> writeDocument(Database& db, DocumentWrite& w, int64_t now);
// Deletes the live document's chunks and turns its row into a tombstone; NotFound names it.
Status tombstoneDocument(Database& db, const std::string& tenant, const std::string& ext_id);
// Replaces the ACL of a live document and appends an `acl` change; NotFound names it.
Status updateDocumentAcl(Database& db, const std::string& tenant, const std::string& ext_id,
                         const Acl& acl);

// NotFound names the document.
Result<DocumentRecord> selectDocument(Database& db, const std::string& tenant,
                                      const std::string& ext_id);
Result<DocumentRecord> selectDocumentById(Database& db, int64_t doc_id);
// In ordinal order.
Result<std::vector<ChunkRecord>> selectChunks(Database& db, int64_t doc_id);
Result<ChunkRecord> selectChunk(Database& db, int64_t chunk_id);
// SearchReads::chunksWithDocuments: one joined read per chunk, no ACL or metadata parsed.
Result<std::vector<ChunkWithDocument>> selectChunksWithDocuments(Database& db,
                                                                 const std::vector<int64_t>& ids);

}  // namespace ward::store
