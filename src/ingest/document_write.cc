// Content hashes and chunks of one document write; contracts in document_write.h and
// include/ward/ingest/source_document.h.
#include "document_write.h"

#include "ward/common/hash.h"
#include "ward/ingest/chunker.h"
#include "ward/ingest/injection_scanner.h"
#include "ward/ingest/parser.h"
#include "ward/ingest/source_document.h"

namespace ward::ingest {

namespace {

ChunkOptions chunkOptions(const IngestConfig& c) {
  ChunkOptions o;
  o.target_tokens = c.chunk_tokens;
  o.max_tokens = c.chunk_max_tokens;
  o.table_rows_per_chunk = c.table_rows_per_chunk;
  return o;
}

}  // namespace

std::string contentHash(std::string_view format, std::string_view title, std::string_view body,
                        const IngestConfig& c) {
  std::string key;
  key.reserve(body.size() + title.size() + 64);
  key.append(format).push_back('\0');
  key.append(title).push_back('\0');
  key += std::to_string(c.chunk_tokens) + "/" + std::to_string(c.chunk_max_tokens) + "/" +
         std::to_string(c.table_rows_per_chunk);
  key.push_back('\0');
  key.append(body);
  return sha256Hex(key);
}

Status fillChunks(store::DocumentWrite& w, std::string_view format, std::string_view bytes,
                  const std::string& name, const IngestConfig& config) {
  WARD_ASSIGN_OR_RETURN(ExtractedDocument doc, extractDocument(format, bytes, name));
  if (w.title.empty()) w.title = doc.title.empty() ? name : doc.title;
  for (auto& c : chunkDocument(doc, chunkOptions(config))) {
    store::ChunkRecord r;
    r.text = std::move(c.text);
    r.span_start = static_cast<int64_t>(c.span_start);
    r.span_end = static_cast<int64_t>(c.span_end);
    r.page = c.page;
    r.heading_path = std::move(c.heading_path);
    r.kind = std::move(c.kind);
    w.chunks.push_back(std::move(r));
  }
  flagInjection(w);  // the version's flags, kept with it (injection_scanner.h)
  return Status();
}

Status fillDocumentWrite(store::DocumentWrite& w, std::string_view bytes, const std::string& name,
                         const std::string& title, const std::string& stored_hash,
                         const std::string& stored_title, const IngestConfig& config) {
  auto format = detectFormat(name);
  if (!format) return Status::invalidArgument("unsupported file type");
  w.format = *format;
  w.content_hash = contentHash(*format, title, bytes, config);
  w.chunks.clear();
  if (!stored_hash.empty() && stored_hash == w.content_hash) {
    w.title = stored_title;  // the caller put the stored flags in w.metadata (keepInjectionFlags)
    return Status();
  }
  w.title = title;
  return fillChunks(w, *format, bytes, name, config);
}

}  // namespace ward::ingest
