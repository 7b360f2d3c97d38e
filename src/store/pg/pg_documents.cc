// Statements on the documents, chunks and changes tables in PostgreSQL (pg_documents.h).
#include "pg_documents.h"

#include "ward/common/clock.h"
#include "ward/store/document_flags.h"

namespace ward::store::pg {

namespace {

const std::string kDocColumns =
    "SELECT id,tenant,ext_id,source,title,url,format,updated_at,indexed_at,version,"
    "content_hash,acl,metadata,deleted";
const std::string kChunkColumns =
    "SELECT id,doc_id,version,ordinal,text,span_start,span_end,page,heading_path,kind";

Acl aclFromJson(const std::string& text) {
  Acl acl;
  Json j = Json::parse(text, nullptr, false);
  if (!j.is_object()) return acl;  // unreadable ACL: admins only (deny by default)
  if (j.contains("users") && j["users"].is_array()) {
    for (const auto& u : j["users"])
      if (u.is_string()) acl.users.push_back(u.get<std::string>());
  }
  if (j.contains("groups") && j["groups"].is_array()) {
    for (const auto& g : j["groups"])
      if (g.is_string()) acl.groups.push_back(g.get<std::string>());
  }
  acl.is_public = j.value("public", false);
  return acl;
}

Result<DocumentRecord> readDocument(const PgResult& r, const std::string& missing) {
  if (r.rows() == 0) return Status::notFound(missing);
  DocumentRecord d;
  d.id = r.int64(0, 0);
  d.tenant = r.text(0, 1);
  d.ext_id = r.text(0, 2);
  d.source = r.text(0, 3);
  d.title = r.text(0, 4);
  d.url = r.text(0, 5);
  d.format = r.text(0, 6);
  d.updated_at = r.int64(0, 7);
  d.indexed_at = r.int64(0, 8);
  d.version = r.int64(0, 9);
  d.content_hash = r.text(0, 10);
  d.acl = aclFromJson(r.text(0, 11));
  Json meta = Json::parse(r.text(0, 12), nullptr, false);
  d.metadata = meta.is_object() ? meta : Json::object();
  d.deleted = r.boolean(0, 13);
  return d;
}

ChunkRecord readChunkRow(const PgResult& r, int row) {
  ChunkRecord c;
  c.id = r.int64(row, 0);
  c.doc_id = r.int64(row, 1);
  c.version = r.int64(row, 2);
  c.ordinal = static_cast<int>(r.int64(row, 3));
  c.text = r.text(row, 4);
  c.span_start = r.int64(row, 5);
  c.span_end = r.int64(row, 6);
  c.page = static_cast<int>(r.int64(row, 7));
  c.heading_path = r.text(row, 8);
  c.kind = r.text(row, 9);
  return c;
}

// The feed row of a change, stamped with this transaction's xid by the column default.
Status appendChange(PgConn& db, const char* kind, int64_t doc_id) {
  return db
      .query("append change", "INSERT INTO changes(kind,doc_id) VALUES($1,$2)",
             PgParams().add(kind).add(doc_id))
      .status();
}

Status deleteChunks(PgConn& db, int64_t doc_id) {
  return db.query("delete chunks", "DELETE FROM chunks WHERE doc_id=$1", PgParams().add(doc_id))
      .status();
}

// Inserts the chunks of version `r.version` and writes their ids back into `w.chunks`.
Status insertChunks(PgConn& db, DocumentWrite& w, const WriteResult& r) {
  for (size_t i = 0; i < w.chunks.size(); ++i) {
    auto& c = w.chunks[i];
    WARD_ASSIGN_OR_RETURN(
        PgResult ins,
        db.query("insert chunk",
                 "INSERT INTO chunks(doc_id,version,ordinal,text,span_start,span_end,page,"
                 "heading_path,kind) VALUES($1,$2,$3,$4,$5,$6,$7,$8,$9) RETURNING id",
                 PgParams()
                     .add(r.doc_id)
                     .add(r.version)
                     .add(static_cast<int64_t>(i))
                     .add(c.text)
                     .add(c.span_start)
                     .add(c.span_end)
                     .add(c.page)
                     .add(c.heading_path)
                     .add(c.kind)));
    c.id = ins.int64(0, 0);
    c.doc_id = r.doc_id;
    c.version = r.version;
    c.ordinal = static_cast<int>(i);
  }
  return Status();
}

}  // namespace

Result<WriteResult> writeDocument(PgConn& db, DocumentWrite& w, int64_t now) {
  WARD_ASSIGN_OR_RETURN(PgResult cur,
                        db.query("read document",
                                 "SELECT id,version,content_hash,acl,metadata,deleted,source,url,"
                                 "updated_at FROM documents WHERE tenant=$1 AND ext_id=$2 "
                                 "FOR UPDATE",
                                 PgParams().add(w.tenant).add(w.ext_id)));
  std::string acl_json = dumpJson(w.acl.toJson());
  std::string meta_json = dumpJson(w.metadata);
  WriteResult r;
  if (cur.rows() > 0) {
    r.doc_id = cur.int64(0, 0);
    int64_t version = cur.int64(0, 1);
    bool deleted = cur.boolean(0, 5);
    bool same_content = !deleted && cur.text(0, 2) == w.content_hash;
    bool same_attrs = cur.text(0, 3) == acl_json && cur.text(0, 4) == meta_json &&
                      cur.text(0, 6) == w.source && cur.text(0, 7) == w.url &&
                      cur.int64(0, 8) == w.updated_at;
    if (same_content && same_attrs) {
      r.version = version;
      r.outcome = WriteOutcome::kUnchanged;
      return r;
    }
    if (same_content) {
      WARD_RETURN_IF_ERROR(db.query("update document attributes",
                                    "UPDATE documents SET acl=$1,metadata=$2,source=$3,url=$4,"
                                    "updated_at=$5 WHERE id=$6",
                                    PgParams()
                                        .add(acl_json)
                                        .add(meta_json)
                                        .add(w.source)
                                        .add(w.url)
                                        .add(w.updated_at)
                                        .add(r.doc_id))
                               .status());
      WARD_RETURN_IF_ERROR(appendChange(db, "acl", r.doc_id));
      r.version = version;
      r.outcome = WriteOutcome::kAclChanged;
      return r;
    }
    r.version = version + 1;
    r.outcome = WriteOutcome::kUpdated;
    WARD_RETURN_IF_ERROR(deleteChunks(db, r.doc_id));
    WARD_RETURN_IF_ERROR(db.query("update document",
                                  "UPDATE documents SET source=$1,title=$2,url=$3,format=$4,"
                                  "updated_at=$5,indexed_at=$6,version=$7,content_hash=$8,"
                                  "acl=$9,metadata=$10,deleted=false WHERE id=$11",
                                  PgParams()
                                      .add(w.source)
                                      .add(w.title)
                                      .add(w.url)
                                      .add(w.format)
                                      .add(w.updated_at)
                                      .add(now)
                                      .add(r.version)
                                      .add(w.content_hash)
                                      .add(acl_json)
                                      .add(meta_json)
                                      .add(r.doc_id))
                             .status());
  } else {
    r.version = 1;
    r.outcome = WriteOutcome::kCreated;
    WARD_ASSIGN_OR_RETURN(PgResult ins,
                          db.query("insert document",
                                   "INSERT INTO documents(tenant,ext_id,source,title,url,format,"
                                   "updated_at,indexed_at,version,content_hash,acl,metadata,"
                                   "deleted) VALUES($1,$2,$3,$4,$5,$6,$7,$8,1,$9,$10,$11,false) "
                                   "RETURNING id",
                                   PgParams()
                                       .add(w.tenant)
                                       .add(w.ext_id)
                                       .add(w.source)
                                       .add(w.title)
                                       .add(w.url)
                                       .add(w.format)
                                       .add(w.updated_at)
                                       .add(now)
                                       .add(w.content_hash)
                                       .add(acl_json)
                                       .add(meta_json)));
    r.doc_id = ins.int64(0, 0);
  }
  WARD_RETURN_IF_ERROR(insertChunks(db, w, r));
  WARD_RETURN_IF_ERROR(appendChange(db, "upsert", r.doc_id));
  return r;
}

Status tombstoneDocument(PgConn& db, const std::string& tenant, const std::string& ext_id) {
  WARD_ASSIGN_OR_RETURN(PgResult found,
                        db.query("find document",
                                 "SELECT id FROM documents WHERE tenant=$1 AND ext_id=$2 AND "
                                 "NOT deleted FOR UPDATE",
                                 PgParams().add(tenant).add(ext_id)));
  if (found.rows() == 0) return Status::notFound("document '" + ext_id + "' not found");
  int64_t id = found.int64(0, 0);
  WARD_RETURN_IF_ERROR(deleteChunks(db, id));
  // The tombstone keeps identity and version only: text, title, url and metadata are purged
  // (the old row versions stay in the heap until VACUUM reclaims them).
  WARD_RETURN_IF_ERROR(db.query("tombstone document",
                                "UPDATE documents SET deleted=true, title='', url='', "
                                "metadata='{}', content_hash='', indexed_at=$1 WHERE id=$2",
                                PgParams().add(SystemClock::instance().nowMicros()).add(id))
                           .status());
  return appendChange(db, "delete", id);
}

Status updateDocumentAcl(PgConn& db, const std::string& tenant, const std::string& ext_id,
                         const Acl& acl) {
  WARD_ASSIGN_OR_RETURN(PgResult up,
                        db.query("set acl",
                                 "UPDATE documents SET acl=$1 WHERE tenant=$2 AND ext_id=$3 AND "
                                 "NOT deleted RETURNING id",
                                 PgParams().add(dumpJson(acl.toJson())).add(tenant).add(ext_id)));
  if (up.rows() == 0) return Status::notFound("document '" + ext_id + "' not found");
  return appendChange(db, "acl", up.int64(0, 0));
}

Result<DocumentRecord> selectDocument(PgConn& db, const std::string& tenant,
                                      const std::string& ext_id) {
  WARD_ASSIGN_OR_RETURN(
      PgResult r,
      db.query("read document", kDocColumns + " FROM documents WHERE tenant=$1 AND ext_id=$2",
               PgParams().add(tenant).add(ext_id)));
  return readDocument(r, "document '" + ext_id + "' not found");
}

Result<DocumentRecord> selectDocumentById(PgConn& db, int64_t doc_id) {
  WARD_ASSIGN_OR_RETURN(PgResult r,
                        db.query("read document", kDocColumns + " FROM documents WHERE id=$1",
                                 PgParams().add(doc_id)));
  return readDocument(r, "document not found");
}

Result<std::vector<ChunkRecord>> selectChunks(PgConn& db, int64_t doc_id) {
  WARD_ASSIGN_OR_RETURN(
      PgResult r,
      db.query("read chunks", kChunkColumns + " FROM chunks WHERE doc_id=$1 ORDER BY ordinal",
               PgParams().add(doc_id)));
  std::vector<ChunkRecord> out;
  out.reserve(static_cast<size_t>(r.rows()));
  for (int i = 0; i < r.rows(); ++i) out.push_back(readChunkRow(r, i));
  return out;
}

Result<ChunkRecord> selectChunk(PgConn& db, int64_t chunk_id) {
  WARD_ASSIGN_OR_RETURN(
      PgResult r,
      db.query("read chunk", kChunkColumns + " FROM chunks WHERE id=$1", PgParams().add(chunk_id)));
  if (r.rows() == 0) return Status::notFound("chunk not found");
  return readChunkRow(r, 0);
}

Result<std::vector<ChunkWithDocument>> selectChunksWithDocuments(PgConn& db,
                                                                 const std::vector<int64_t>& ids) {
  // One round trip for a page of hits (the per-hit fallback is two per hit). `u.n` keeps the
  // order of `ids`; a chunk that is gone or whose document is a tombstone has no row.
  static const std::string kSql =
      "SELECT c.id,c.doc_id,c.version,c.ordinal,c.text,c.span_start,c.span_end,c.page,"
      "c.heading_path,c.kind,d.tenant,d.ext_id,d.source,d.title,d.url,d.format,d.updated_at,"
      "d.indexed_at,d.version,d.content_hash,d.metadata "
      "FROM unnest($1::bigint[]) WITH ORDINALITY AS u(id,n) JOIN chunks c ON c.id=u.id "
      "JOIN documents d ON d.id=c.doc_id WHERE NOT d.deleted ORDER BY u.n";
  std::vector<ChunkWithDocument> out;
  if (ids.empty()) return out;
  WARD_ASSIGN_OR_RETURN(
      PgResult r, db.query("read chunks with documents", kSql, PgParams().add(intArray(ids))));
  out.reserve(static_cast<size_t>(r.rows()));
  for (int i = 0; i < r.rows(); ++i) {
    ChunkWithDocument hit;
    hit.chunk = readChunkRow(r, i);
    DocumentRecord& d = hit.document;
    d.id = hit.chunk.doc_id;
    d.tenant = r.text(i, 10);
    d.ext_id = r.text(i, 11);
    d.source = r.text(i, 12);
    d.title = r.text(i, 13);
    d.url = r.text(i, 14);
    d.format = r.text(i, 15);
    d.updated_at = r.int64(i, 16);
    d.indexed_at = r.int64(i, 17);
    d.version = r.int64(i, 18);
    d.content_hash = r.text(i, 19);
    // Only the content flags of the metadata (document_flags.h), as the SQLite read gives.
    Json meta = Json::parse(r.text(i, 20), nullptr, false);
    d.metadata = Json::object();
    if (meta.is_object()) {
      auto it = meta.find(std::string(kDocumentFlagsKey));
      if (it != meta.end() && it->is_array()) d.metadata[std::string(kDocumentFlagsKey)] = *it;
    }
    out.push_back(std::move(hit));
  }
  return out;
}

}  // namespace ward::store::pg
