// Bulk document writes on PostgreSQL (pg_bulk.h).
#include "pg_bulk.h"

#include <algorithm>
#include <set>
#include <string>
#include <utility>

namespace ward::store::pg {

namespace {

// What the database holds for one write of a run, read under its row lock.
struct Existing {
  bool found = false;
  int64_t id = 0;
  int64_t version = 0;
  std::string content_hash;
  std::string acl;
  std::string metadata;
  bool deleted = false;
  std::string source;
  std::string url;
  int64_t updated_at = 0;
};

// One write as this run will apply it.
struct Planned {
  DocumentWrite* w = nullptr;
  std::string acl_json;
  std::string meta_json;
  WriteResult result;
  const char* change = nullptr;  // the feed row's kind, or none (unchanged)
};

Result<std::vector<Existing>> lockExisting(PgConn& db, const std::vector<Planned>& run) {
  std::vector<std::string> tenants, ext_ids;
  for (const Planned& p : run) {
    tenants.push_back(p.w->tenant);
    ext_ids.push_back(p.w->ext_id);
  }
  // In id order, so two batches over the same documents lock them in the same order.
  WARD_ASSIGN_OR_RETURN(
      PgResult r,
      db.query("read documents",
               "SELECT d.id,d.version,d.content_hash,d.acl,d.metadata,d.deleted,d.source,d.url,"
               "d.updated_at,u.n FROM documents d JOIN unnest($1::text[],$2::text[]) WITH "
               "ORDINALITY AS u(tenant,ext_id,n) ON d.tenant=u.tenant AND d.ext_id=u.ext_id "
               "ORDER BY d.id FOR UPDATE OF d",
               PgParams().add(textArray(tenants)).add(textArray(ext_ids))));
  std::vector<Existing> out(run.size());
  for (int i = 0; i < r.rows(); ++i) {
    int64_t n = r.int64(i, 9);
    if (n < 1 || n > static_cast<int64_t>(run.size())) {
      return Status::internal("postgresql: read documents: row for an unknown write");
    }
    Existing& e = out[static_cast<size_t>(n - 1)];
    e.found = true;
    e.id = r.int64(i, 0);
    e.version = r.int64(i, 1);
    e.content_hash = r.text(i, 2);
    e.acl = r.text(i, 3);
    e.metadata = r.text(i, 4);
    e.deleted = r.boolean(i, 5);
    e.source = r.text(i, 6);
    e.url = r.text(i, 7);
    e.updated_at = r.int64(i, 8);
  }
  return out;
}

// `count` ids from the identity sequence of `table` (ascending), for rows this run COPYs in.
Result<std::vector<int64_t>> takeIds(PgConn& db, const char* table, size_t count) {
  std::vector<int64_t> ids;
  if (count == 0) return ids;
  WARD_ASSIGN_OR_RETURN(PgResult r,
                        db.query(std::string("take ") + table + " ids",
                                 "SELECT nextval(pg_get_serial_sequence($1,'id')) FROM "
                                 "generate_series(1,$2)",
                                 PgParams().add(table).add(static_cast<int64_t>(count))));
  if (r.rows() != static_cast<int>(count)) {
    return Status::internal(std::string("postgresql: take ") + table + " ids: short answer");
  }
  ids.reserve(count);
  for (int i = 0; i < r.rows(); ++i) ids.push_back(r.int64(i, 0));
  std::sort(ids.begin(), ids.end());
  return ids;
}

// Decides each write's outcome the way writeDocument does.
void decide(Planned& p, const Existing& e) {
  const DocumentWrite& w = *p.w;
  if (!e.found) {
    p.result.version = 1;
    p.result.outcome = WriteOutcome::kCreated;
    p.change = "upsert";
    return;
  }
  p.result.doc_id = e.id;
  bool same_content = !e.deleted && e.content_hash == w.content_hash;
  bool same_attrs = e.acl == p.acl_json && e.metadata == p.meta_json && e.source == w.source &&
                    e.url == w.url && e.updated_at == w.updated_at;
  if (same_content && same_attrs) {
    p.result.version = e.version;
    p.result.outcome = WriteOutcome::kUnchanged;
  } else if (same_content) {
    p.result.version = e.version;
    p.result.outcome = WriteOutcome::kAclChanged;
    p.change = "acl";
  } else {
    p.result.version = e.version + 1;
    p.result.outcome = WriteOutcome::kUpdated;
    p.change = "upsert";
  }
}

Status insertDocuments(PgConn& db, std::vector<Planned*>& created, int64_t now) {
  if (created.empty()) return Status();
  WARD_ASSIGN_OR_RETURN(std::vector<int64_t> ids, takeIds(db, "documents", created.size()));
  std::string rows;
  for (size_t i = 0; i < created.size(); ++i) {
    Planned& p = *created[i];
    const DocumentWrite& w = *p.w;
    p.result.doc_id = ids[i];
    rows += std::to_string(ids[i]);
    rows += '\t';
    copyField(rows, w.tenant, '\t');
    copyField(rows, w.ext_id, '\t');
    copyField(rows, w.source, '\t');
    copyField(rows, w.title, '\t');
    copyField(rows, w.url, '\t');
    copyField(rows, w.format, '\t');
    rows += std::to_string(w.updated_at) + '\t' + std::to_string(now) + "\t1\t";
    copyField(rows, w.content_hash, '\t');
    copyField(rows, p.acl_json, '\t');
    copyField(rows, p.meta_json, '\t');
    rows += "f\n";
  }
  return db.copyIn("copy documents",
                   "COPY documents(id,tenant,ext_id,source,title,url,format,updated_at,indexed_at,"
                   "version,content_hash,acl,metadata,deleted) FROM STDIN",
                   rows);
}

Status updateDocuments(PgConn& db, const std::vector<Planned*>& updated, int64_t now) {
  if (updated.empty()) return Status();
  std::vector<int64_t> ids, updated_at, versions;
  std::vector<std::string> source, title, url, format, hash, acl, meta;
  for (const Planned* p : updated) {
    ids.push_back(p->result.doc_id);
    source.push_back(p->w->source);
    title.push_back(p->w->title);
    url.push_back(p->w->url);
    format.push_back(p->w->format);
    updated_at.push_back(p->w->updated_at);
    versions.push_back(p->result.version);
    hash.push_back(p->w->content_hash);
    acl.push_back(p->acl_json);
    meta.push_back(p->meta_json);
  }
  WARD_RETURN_IF_ERROR(db.query("delete chunks",
                                "DELETE FROM chunks WHERE doc_id=ANY($1::bigint[])",
                                PgParams().add(intArray(ids)))
                           .status());
  return db
      .query("update documents",
             "UPDATE documents d SET source=u.source,title=u.title,url=u.url,format=u.format,"
             "updated_at=u.updated_at,indexed_at=$1,version=u.version,"
             "content_hash=u.content_hash,acl=u.acl,metadata=u.metadata,deleted=false FROM "
             "unnest($2::bigint[],$3::text[],$4::text[],$5::text[],$6::text[],$7::bigint[],"
             "$8::bigint[],$9::text[],$10::text[],$11::text[]) AS u(id,source,title,url,format,"
             "updated_at,version,content_hash,acl,metadata) WHERE d.id=u.id",
             PgParams()
                 .add(now)
                 .add(intArray(ids))
                 .add(textArray(source))
                 .add(textArray(title))
                 .add(textArray(url))
                 .add(textArray(format))
                 .add(intArray(updated_at))
                 .add(intArray(versions))
                 .add(textArray(hash))
                 .add(textArray(acl))
                 .add(textArray(meta)))
      .status();
}

Status updateAttributes(PgConn& db, const std::vector<Planned*>& changed) {
  if (changed.empty()) return Status();
  std::vector<int64_t> ids, updated_at;
  std::vector<std::string> acl, meta, source, url;
  for (const Planned* p : changed) {
    ids.push_back(p->result.doc_id);
    acl.push_back(p->acl_json);
    meta.push_back(p->meta_json);
    source.push_back(p->w->source);
    url.push_back(p->w->url);
    updated_at.push_back(p->w->updated_at);
  }
  return db
      .query("update document attributes",
             "UPDATE documents d SET acl=u.acl,metadata=u.metadata,source=u.source,url=u.url,"
             "updated_at=u.updated_at FROM unnest($1::bigint[],$2::text[],$3::text[],$4::text[],"
             "$5::text[],$6::bigint[]) AS u(id,acl,metadata,source,url,updated_at) "
             "WHERE d.id=u.id",
             PgParams()
                 .add(intArray(ids))
                 .add(textArray(acl))
                 .add(textArray(meta))
                 .add(textArray(source))
                 .add(textArray(url))
                 .add(intArray(updated_at)))
      .status();
}

// COPYs the chunks of every created or updated write, with ids taken from the sequence and
// written back into the writes.
Status insertChunks(PgConn& db, const std::vector<Planned*>& versioned) {
  size_t count = 0;
  for (const Planned* p : versioned) count += p->w->chunks.size();
  if (count == 0) return Status();
  WARD_ASSIGN_OR_RETURN(std::vector<int64_t> ids, takeIds(db, "chunks", count));
  size_t bytes = 0;
  for (const Planned* p : versioned) {
    for (const auto& c : p->w->chunks) bytes += c.text.size() + c.heading_path.size() + 96;
  }
  std::string rows;
  rows.reserve(bytes + bytes / 16);
  size_t next = 0;
  for (Planned* p : versioned) {
    for (size_t i = 0; i < p->w->chunks.size(); ++i) {
      ChunkRecord& c = p->w->chunks[i];
      c.id = ids[next++];
      c.doc_id = p->result.doc_id;
      c.version = p->result.version;
      c.ordinal = static_cast<int>(i);
      rows += std::to_string(c.id) + '\t' + std::to_string(c.doc_id) + '\t' +
              std::to_string(c.version) + '\t' + std::to_string(i) + '\t';
      copyField(rows, c.text, '\t');
      rows += std::to_string(c.span_start) + '\t' + std::to_string(c.span_end) + '\t' +
              std::to_string(c.page) + '\t';
      copyField(rows, c.heading_path, '\t');
      copyField(rows, c.kind, '\n');
    }
  }
  return db.copyIn("copy chunks",
                   "COPY chunks(id,doc_id,version,ordinal,text,span_start,span_end,page,"
                   "heading_path,kind) FROM STDIN",
                   rows);
}

// The feed rows of the run's changes, in input order (the sequencer orders by (xid, id)).
Status appendChanges(PgConn& db, const std::vector<Planned>& run) {
  std::vector<std::string> kinds;
  std::vector<int64_t> docs;
  for (const Planned& p : run) {
    if (p.change == nullptr) continue;
    kinds.emplace_back(p.change);
    docs.push_back(p.result.doc_id);
  }
  if (kinds.empty()) return Status();
  return db
      .query("append changes",
             "INSERT INTO changes(kind,doc_id) SELECT k,d FROM unnest($1::text[],$2::bigint[]) "
             "WITH ORDINALITY AS u(k,d,n) ORDER BY n",
             PgParams().add(textArray(kinds)).add(intArray(docs)))
      .status();
}

// Writes one run (no document twice) and appends its results.
Status writeRun(PgConn& db, std::vector<Planned>& run, int64_t now,
                std::vector<WriteResult>& results) {
  WARD_ASSIGN_OR_RETURN(std::vector<Existing> existing, lockExisting(db, run));
  std::vector<Planned*> created, updated, attrs, versioned;
  for (size_t i = 0; i < run.size(); ++i) {
    decide(run[i], existing[i]);
    switch (run[i].result.outcome) {
      case WriteOutcome::kCreated:
        created.push_back(&run[i]);
        versioned.push_back(&run[i]);
        break;
      case WriteOutcome::kUpdated:
        updated.push_back(&run[i]);
        versioned.push_back(&run[i]);
        break;
      case WriteOutcome::kAclChanged:
        attrs.push_back(&run[i]);
        break;
      case WriteOutcome::kUnchanged:
        break;
    }
  }
  WARD_RETURN_IF_ERROR(insertDocuments(db, created, now));
  WARD_RETURN_IF_ERROR(updateDocuments(db, updated, now));
  WARD_RETURN_IF_ERROR(updateAttributes(db, attrs));
  WARD_RETURN_IF_ERROR(insertChunks(db, versioned));
  WARD_RETURN_IF_ERROR(appendChanges(db, run));
  for (const Planned& p : run) results.push_back(p.result);
  run.clear();
  return Status();
}

}  // namespace

Result<std::vector<WriteResult>> writeDocumentBatch(PgConn& db, std::vector<DocumentWrite>& writes,
                                                    int64_t now) {
  std::vector<WriteResult> results;
  results.reserve(writes.size());
  std::vector<Planned> run;
  std::set<std::pair<std::string, std::string>> keys;  // (tenant, ext_id) in the run
  for (auto& w : writes) {
    if (!keys.emplace(w.tenant, w.ext_id).second) {
      // A second write of one document: it must see the first, so the run ends here.
      WARD_RETURN_IF_ERROR(writeRun(db, run, now, results));
      keys.clear();
      keys.emplace(w.tenant, w.ext_id);
    }
    Planned p;
    p.w = &w;
    p.acl_json = dumpJson(w.acl.toJson());
    p.meta_json = dumpJson(w.metadata);
    run.push_back(std::move(p));
  }
  if (!run.empty()) WARD_RETURN_IF_ERROR(writeRun(db, run, now, results));
  return results;
}

}  // namespace ward::store::pg
