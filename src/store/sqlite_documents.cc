// Statements on the documents, chunks and changes tables: the write path of a document version
// (with its change-feed row), tombstones, ACL updates, and the reads of documents and chunks.
// sqlite_store.cc holds the locking, transactions, schema, identity and change-feed reads.
#include "sqlite_documents.h"

#include "ward/common/clock.h"
#include "ward/store/document_flags.h"

namespace ward::store {

namespace {

constexpr const char* kDocColumns =
    "SELECT id,tenant,ext_id,source,title,url,format,updated_at,indexed_at,version,"
    "content_hash,acl,metadata,deleted";
constexpr const char* kChunkColumns =
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

Result<DocumentRecord> readDocument(Statement* st, const std::string& missing) {
  if (!st->step()) {
    WARD_RETURN_IF_ERROR(st->error("read document"));
    return Status::notFound(missing);
  }
  DocumentRecord d;
  d.id = st->int64(0);
  d.tenant = st->text(1);
  d.ext_id = st->text(2);
  d.source = st->text(3);
  d.title = st->text(4);
  d.url = st->text(5);
  d.format = st->text(6);
  d.updated_at = st->int64(7);
  d.indexed_at = st->int64(8);
  d.version = st->int64(9);
  d.content_hash = st->text(10);
  d.acl = aclFromJson(st->text(11));
  Json meta = Json::parse(st->text(12), nullptr, false);
  d.metadata = meta.is_object() ? meta : Json::object();
  d.deleted = st->int64(13) != 0;
  return d;
}

ChunkRecord readChunkRow(Statement* st) {
  ChunkRecord c;
  c.id = st->int64(0);
  c.doc_id = st->int64(1);
  c.version = st->int64(2);
  c.ordinal = static_cast<int>(st->int64(3));
  c.text = st->text(4);
  c.span_start = st->int64(5);
  c.span_end = st->int64(6);
  c.page = static_cast<int>(st->int64(7));
  c.heading_path = st->text(8);
  c.kind = st->text(9);
  return c;
}

Status appendChange(Database& db, const char* kind, int64_t doc_id) {
  WARD_ASSIGN_OR_RETURN(StmtRef st, db.prepare("INSERT INTO changes(kind,doc_id) VALUES(?,?)"));
  st->bind(1, kind);
  st->bind(2, doc_id);
  return st->exec("append change");
}

Status deleteChunks(Database& db, int64_t doc_id) {
  WARD_ASSIGN_OR_RETURN(StmtRef st, db.prepare("DELETE FROM chunks WHERE doc_id=?"));
  st->bind(1, doc_id);
  return st->exec("delete chunks");
}

// Inserts the chunks of version `r.version` and writes their ids back into `w.chunks`.
Status insertChunks(Database& db, DocumentWrite& w, const WriteResult& r) {
  WARD_ASSIGN_OR_RETURN(StmtRef ch,
                        db.prepare("INSERT INTO chunks(doc_id,version,ordinal,text,span_start,"
                                   "span_end,page,heading_path,kind) VALUES(?,?,?,?,?,?,?,?,?)"));
  for (size_t i = 0; i < w.chunks.size(); ++i) {
    auto& c = w.chunks[i];
    ch->reset();
    ch->bind(1, r.doc_id);
    ch->bind(2, r.version);
    ch->bind(3, static_cast<int64_t>(i));
    ch->bind(4, c.text);
    ch->bind(5, c.span_start);
    ch->bind(6, c.span_end);
    ch->bind(7, c.page);
    ch->bind(8, c.heading_path);
    ch->bind(9, c.kind);
    WARD_RETURN_IF_ERROR(ch->exec("insert chunk"));
    c.id = db.lastInsertId();
    c.doc_id = r.doc_id;
    c.version = r.version;
    c.ordinal = static_cast<int>(i);
  }
  return Status();
}

}  // namespace

Result<WriteResult> writeDocument(Database& db, DocumentWrite& w, int64_t now) {
  WARD_ASSIGN_OR_RETURN(StmtRef st,
                        db.prepare("SELECT id,version,content_hash,acl,metadata,deleted,"
                                   "source,url,updated_at FROM documents WHERE tenant=? AND "
                                   "ext_id=?"));
  st->bind(1, w.tenant);
  st->bind(2, w.ext_id);
  std::string acl_json = dumpJson(w.acl.toJson());
  std::string meta_json = dumpJson(w.metadata);
  WriteResult r;
  bool exists = st->step();
  WARD_RETURN_IF_ERROR(st->error("read document"));
  if (exists) {
    r.doc_id = st->int64(0);
    int64_t version = st->int64(1);
    bool deleted = st->int64(5) != 0;
    bool same_content = !deleted && st->text(2) == w.content_hash;
    bool same_attrs = st->text(3) == acl_json && st->text(4) == meta_json &&
                      st->text(6) == w.source && st->text(7) == w.url &&
                      st->int64(8) == w.updated_at;
    if (same_content && same_attrs) {
      r.version = version;
      r.outcome = WriteOutcome::kUnchanged;
      return r;
    }
    if (same_content) {
      WARD_ASSIGN_OR_RETURN(StmtRef up,
                            db.prepare("UPDATE documents SET acl=?,metadata=?,source=?,url=?,"
                                       "updated_at=? WHERE id=?"));
      up->bind(1, acl_json);
      up->bind(2, meta_json);
      up->bind(3, w.source);
      up->bind(4, w.url);
      up->bind(5, w.updated_at);
      up->bind(6, r.doc_id);
      WARD_RETURN_IF_ERROR(up->exec("update document attributes"));
      WARD_RETURN_IF_ERROR(appendChange(db, "acl", r.doc_id));
      r.version = version;
      r.outcome = WriteOutcome::kAclChanged;
      return r;
    }
    r.version = version + 1;
    r.outcome = WriteOutcome::kUpdated;
    WARD_RETURN_IF_ERROR(deleteChunks(db, r.doc_id));
    WARD_ASSIGN_OR_RETURN(StmtRef up,
                          db.prepare("UPDATE documents SET source=?,title=?,url=?,format=?,"
                                     "updated_at=?,indexed_at=?,version=?,content_hash=?,"
                                     "acl=?,metadata=?,deleted=0 WHERE id=?"));
    up->bind(1, w.source);
    up->bind(2, w.title);
    up->bind(3, w.url);
    up->bind(4, w.format);
    up->bind(5, w.updated_at);
    up->bind(6, now);
    up->bind(7, r.version);
    up->bind(8, w.content_hash);
    up->bind(9, acl_json);
    up->bind(10, meta_json);
    up->bind(11, r.doc_id);
    WARD_RETURN_IF_ERROR(up->exec("update document"));
  } else {
    r.version = 1;
    r.outcome = WriteOutcome::kCreated;
    WARD_ASSIGN_OR_RETURN(
        StmtRef ins,
        db.prepare("INSERT INTO documents(tenant,ext_id,source,title,url,format,updated_at,"
                   "indexed_at,version,content_hash,acl,metadata,deleted) "
                   "VALUES(?,?,?,?,?,?,?,?,1,?,?,?,0)"));
    ins->bind(1, w.tenant);
    ins->bind(2, w.ext_id);
    ins->bind(3, w.source);
    ins->bind(4, w.title);
    ins->bind(5, w.url);
    ins->bind(6, w.format);
    ins->bind(7, w.updated_at);
    ins->bind(8, now);
    ins->bind(9, w.content_hash);
    ins->bind(10, acl_json);
    ins->bind(11, meta_json);
    WARD_RETURN_IF_ERROR(ins->exec("insert document"));
    r.doc_id = db.lastInsertId();
  }
  WARD_RETURN_IF_ERROR(insertChunks(db, w, r));
  WARD_RETURN_IF_ERROR(appendChange(db, "upsert", r.doc_id));
  return r;
}

Status tombstoneDocument(Database& db, const std::string& tenant, const std::string& ext_id) {
  WARD_ASSIGN_OR_RETURN(StmtRef st, db.prepare("SELECT id FROM documents WHERE tenant=? "
                                               "AND ext_id=? AND deleted=0"));
  st->bind(1, tenant);
  st->bind(2, ext_id);
  if (!st->step()) {
    WARD_RETURN_IF_ERROR(st->error("find document"));
    return Status::notFound("document '" + ext_id + "' not found");
  }
  int64_t id = st->int64(0);
  WARD_RETURN_IF_ERROR(deleteChunks(db, id));
  // The tombstone keeps identity and version only: text, title, url and metadata are purged
  // (secure_delete overwrites the freed pages).
  WARD_ASSIGN_OR_RETURN(StmtRef up,
                        db.prepare("UPDATE documents SET deleted=1, title='', url='', "
                                   "metadata='{}', content_hash='', indexed_at=? WHERE id=?"));
  up->bind(1, SystemClock::instance().nowMicros());
  up->bind(2, id);
  WARD_RETURN_IF_ERROR(up->exec("tombstone document"));
  return appendChange(db, "delete", id);
}

Status updateDocumentAcl(Database& db, const std::string& tenant, const std::string& ext_id,
                         const Acl& acl) {
  WARD_ASSIGN_OR_RETURN(StmtRef st, db.prepare("UPDATE documents SET acl=? WHERE "
                                               "tenant=? AND ext_id=? AND deleted=0"));
  st->bind(1, dumpJson(acl.toJson()));
  st->bind(2, tenant);
  st->bind(3, ext_id);
  WARD_RETURN_IF_ERROR(st->exec("set acl"));
  if (db.changes() == 0) return Status::notFound("document '" + ext_id + "' not found");
  WARD_ASSIGN_OR_RETURN(StmtRef q, db.prepare("SELECT id FROM documents WHERE tenant=? "
                                              "AND ext_id=?"));
  q->bind(1, tenant);
  q->bind(2, ext_id);
  if (!q->step()) return Status::internal("document vanished during ACL update");
  return appendChange(db, "acl", q->int64(0));
}

Result<DocumentRecord> selectDocument(Database& db, const std::string& tenant,
                                      const std::string& ext_id) {
  WARD_ASSIGN_OR_RETURN(StmtRef st, db.prepare(std::string(kDocColumns) +
                                               " FROM documents WHERE tenant=? AND ext_id=?"));
  st->bind(1, tenant);
  st->bind(2, ext_id);
  return readDocument(st.operator->(), "document '" + ext_id + "' not found");
}

Result<DocumentRecord> selectDocumentById(Database& db, int64_t doc_id) {
  WARD_ASSIGN_OR_RETURN(StmtRef st,
                        db.prepare(std::string(kDocColumns) + " FROM documents WHERE id=?"));
  st->bind(1, doc_id);
  return readDocument(st.operator->(), "document not found");
}

Result<std::vector<ChunkRecord>> selectChunks(Database& db, int64_t doc_id) {
  WARD_ASSIGN_OR_RETURN(StmtRef st, db.prepare(std::string(kChunkColumns) +
                                               " FROM chunks WHERE doc_id=? ORDER BY ordinal"));
  st->bind(1, doc_id);
  std::vector<ChunkRecord> out;
  while (st->step()) out.push_back(readChunkRow(st.operator->()));
  WARD_RETURN_IF_ERROR(st->error("read chunks"));
  return out;
}

Result<ChunkRecord> selectChunk(Database& db, int64_t chunk_id) {
  WARD_ASSIGN_OR_RETURN(StmtRef st,
                        db.prepare(std::string(kChunkColumns) + " FROM chunks WHERE id=?"));
  st->bind(1, chunk_id);
  if (!st->step()) {
    WARD_RETURN_IF_ERROR(st->error("read chunk"));
    return Status::notFound("chunk not found");
  }
  return readChunkRow(st.operator->());
}

Result<std::vector<ChunkWithDocument>> selectChunksWithDocuments(Database& db,
                                                                 const std::vector<int64_t>& ids) {
  static const std::string kSql =
      "SELECT c.id,c.doc_id,c.version,c.ordinal,c.text,c.span_start,c.span_end,c.page,"
      "c.heading_path,c.kind,d.tenant,d.ext_id,d.source,d.title,d.url,d.format,d.updated_at,"
      "d.indexed_at,d.version,d.content_hash,json_extract(d.metadata,'$.ward_flags') "
      "FROM chunks c JOIN documents d ON d.id=c.doc_id "
      "WHERE c.id=? AND d.deleted=0";
  std::vector<ChunkWithDocument> out;
  out.reserve(ids.size());
  for (int64_t id : ids) {
    WARD_ASSIGN_OR_RETURN(StmtRef st, db.prepare(kSql));
    st->bind(1, id);
    if (!st->step()) {
      WARD_RETURN_IF_ERROR(st->error("read chunk"));
      continue;  // deleted since the index read it
    }
    ChunkWithDocument r;
    r.chunk = readChunkRow(st.operator->());
    DocumentRecord& d = r.document;
    d.id = r.chunk.doc_id;
    d.tenant = st->text(10);
    d.ext_id = st->text(11);
    d.source = st->text(12);
    d.title = st->text(13);
    d.url = st->text(14);
    d.format = st->text(15);
    d.updated_at = st->int64(16);
    d.indexed_at = st->int64(17);
    d.version = st->int64(18);
    d.content_hash = st->text(19);
    // Only the content flags of the metadata (document_flags.h); NULL when there are none.
    if (std::string flags = st->text(20); !flags.empty()) {
      auto parsed = parseJson(flags);
      if (parsed.ok() && parsed->is_array()) {
        d.metadata = Json::object();
        d.metadata[std::string(kDocumentFlagsKey)] = std::move(parsed).value();
      }
    }
    out.push_back(std::move(r));
  }
  return out;
}

}  // namespace ward::store
