// The documents, chunks and changes statements on PostgreSQL: the same write path as SQLite's
// (sqlite_documents.h: created / updated / ACL changed / unchanged, a change-feed row in the same
// transaction), tombstones, ACL updates and reads. Callers run writes inside
// PgPool::transaction. Private to the store module.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "pg_conn.h"
#include "ward/store/records.h"
#include "ward/store/search_reads.h"

namespace ward::store::pg {

// Writes one document version, writes the new chunk ids back into `w.chunks` and appends the
// change. Locks the document's row (FOR UPDATE) so concurrent writers of one document serialize;
// two first inserts of one document race to a unique violation, which the caller retries.
Result<WriteResult> writeDocument(PgConn& db, DocumentWrite& w, int64_t now);
// Deletes the live document's chunks and turns its row into a tombstone; NotFound names it.
Status tombstoneDocument(PgConn& db, const std::string& tenant, const std::string& ext_id);
// Replaces the ACL of a live document and appends an `acl` change; NotFound names it.
Status updateDocumentAcl(PgConn& db, const std::string& tenant, const std::string& ext_id,
                         const Acl& acl);

Result<DocumentRecord> selectDocument(PgConn& db, const std::string& tenant,
                                      const std::string& ext_id);
Result<DocumentRecord> selectDocumentById(PgConn& db, int64_t doc_id);
Result<std::vector<ChunkRecord>> selectChunks(PgConn& db, int64_t doc_id);
Result<ChunkRecord> selectChunk(PgConn& db, int64_t chunk_id);
// SearchReads::chunksWithDocuments in one statement: the chunks with these ids joined with their
// live documents, in the order of `ids`; no ACL, and of the metadata only the content flags.
Result<std::vector<ChunkWithDocument>> selectChunksWithDocuments(PgConn& db,
                                                                 const std::vector<int64_t>& ids);

}  // namespace ward::store::pg
