// /v1/documents: push records, read one document (only if the caller may), delete one.
#include <algorithm>

#include "body_shape.h"
#include "handlers.h"
#include "ward/ingest/ingest_service.h"
#include "ward/store/document_access.h"
#include "ward/store/store.h"

namespace ward::http {

namespace {

constexpr char kDefaultSource[] = "api";

// Pushing and deleting documents is for admins and service accounts (connectors, pipelines).
Status requireWriter(const identity::Principal& who) {
  if (who.admin || who.kind == identity::PrincipalKind::kServiceAccount) return Status();
  return Status::permissionDenied(
      "writing documents requires an admin or service_account principal");
}

// The same answer for a missing document and for one the caller may not read, so that the
// response never reveals that a hidden document exists.
Status documentNotFound(const std::string& id) {
  return Status::notFound("document '" + id + "' not found");
}

Json chunkJson(const store::ChunkRecord& c) {
  return Json{{"chunk_id", c.id},       {"ordinal", c.ordinal}, {"span_start", c.span_start},
              {"span_end", c.span_end}, {"page", c.page},       {"heading_path", c.heading_path},
              {"kind", c.kind},         {"text", c.text}};
}

}  // namespace

// POST /v1/documents  body: {"records":[...], "source"?} | [record...] | record
Result<HttpResponse> documentsPush(const Services& s, const HttpRequest& r) {
  WARD_ASSIGN_OR_RETURN(const identity::Principal* who, requirePrincipal(r));
  WARD_RETURN_IF_ERROR(requireWriter(*who));
  WARD_ASSIGN_OR_RETURN(Json body, r.jsonBody());

  std::string source = r.queryParam("source");
  Json records;
  if (body.is_array()) {
    records = std::move(body);
  } else if (body.is_object() && body.contains("records")) {
    // The wrapper form's shape; a bare record's fields are checked by ingest.
    static const BodyShape kWrapper = BodyShape::parse("records,source").value();
    WARD_RETURN_IF_ERROR(kWrapper.check(body));
    if (!body["records"].is_array()) {
      return Status::invalidArgument("field 'records' must be an array of record objects");
    }
    if (source.empty() && body.contains("source")) {
      if (!body["source"].is_string())
        return Status::invalidArgument("field 'source' must be a string");
      source = body["source"].get<std::string>();
    }
    records = std::move(body["records"]);
  } else if (body.is_object()) {
    records = Json::array({std::move(body)});
  } else {
    return Status::invalidArgument(
        "body must be a record object, an array of records, or "
        "{\"records\":[...]}");
  }
  if (records.empty()) return Status::invalidArgument("field 'records' must not be empty");
  if (source.empty()) source = kDefaultSource;

  WARD_ASSIGN_OR_RETURN(ingest::IngestReport report,
                        s.ingest->ingestRecords(who->tenant, records, source, r.trace, who->name));
  return HttpResponse::json(report.toJson());
}

// GET /v1/documents/{id}
Result<HttpResponse> documentGet(const Services& s, const HttpRequest& r) {
  WARD_ASSIGN_OR_RETURN(const identity::Principal* who, requirePrincipal(r));
  const std::string id = r.pathParam("id");
  auto doc = s.store->getDocument(who->tenant, id);
  if (!doc.ok()) {
    if (doc.status().code() == StatusCode::kNotFound) return documentNotFound(id);
    return doc.status();
  }
  if (!store::mayReadDocument(*who, *doc)) return documentNotFound(id);
  WARD_ASSIGN_OR_RETURN(std::vector<store::ChunkRecord> chunks, s.store->chunksOf(doc->id));

  Json out{{"id", doc->ext_id},
           {"version", doc->version},
           {"title", doc->title},
           {"url", doc->url},
           {"source", doc->source},
           {"format", doc->format},
           {"updated_at", timeJson(doc->updated_at)},
           {"indexed_at", timeJson(doc->indexed_at)},
           {"content_hash", doc->content_hash},
           {"metadata", doc->metadata}};
  // Who else may read it is shown to admins only: group names can be sensitive themselves.
  if (who->admin) out["acl"] = doc->acl.toJson();
  Json list = Json::array();
  for (const store::ChunkRecord& c : chunks) list.push_back(chunkJson(c));
  out["chunks"] = std::move(list);
  return HttpResponse::json(out);
}

// DELETE /v1/documents/{id}
Result<HttpResponse> documentDelete(const Services& s, const HttpRequest& r) {
  WARD_ASSIGN_OR_RETURN(const identity::Principal* who, requirePrincipal(r));
  WARD_RETURN_IF_ERROR(requireWriter(*who));
  const std::string id = r.pathParam("id");
  WARD_RETURN_IF_ERROR(s.ingest->removeDocument(who->tenant, id, r.trace, who->name));
  return HttpResponse::json(Json{{"id", id}, {"deleted", true}});
}

}  // namespace ward::http
