#include "ward/store/search_reads.h"

#include "ward/store/document_flags.h"
#include "ward/store/store.h"

namespace ward::store {

Result<std::vector<ChunkWithDocument>> readForResults(Store& store,
                                                      const std::vector<int64_t>& chunk_ids) {
  if (auto* reads = dynamic_cast<SearchReads*>(&store))
    return reads->chunksWithDocuments(chunk_ids);
  std::vector<ChunkWithDocument> out;
  out.reserve(chunk_ids.size());
  for (int64_t id : chunk_ids) {
    auto chunk = store.getChunk(id);
    if (!chunk.ok()) continue;  // deleted since the index read it
    auto doc = store.getDocumentById(chunk->doc_id);
    if (!doc.ok() || doc->deleted) continue;
    ChunkWithDocument r{std::move(chunk).value(), std::move(doc).value()};
    r.document.acl = Acl();
    // Only the content flags stay (document_flags.h): a search result shows no other metadata.
    Json flags = Json::object();
    auto it = r.document.metadata.find(std::string(kDocumentFlagsKey));
    if (r.document.metadata.is_object() && it != r.document.metadata.end()) {
      flags[std::string(kDocumentFlagsKey)] = *it;
    }
    r.document.metadata = std::move(flags);
    out.push_back(std::move(r));
  }
  return out;
}

}  // namespace ward::store
