// How one item's bytes become a document write's content hash and chunks, shared by `ward ingest`
// (ingest_service.cc) and synced sources (fillDocumentWrite, source_document.h).
#pragma once

#include <string>
#include <string_view>

#include "ward/common/config.h"
#include "ward/common/status.h"
#include "ward/store/records.h"

namespace ward::ingest {

// Everything that changes the chunks of a document goes into its content hash: the format, the
// title, the chunking settings and the bytes.
std::string contentHash(std::string_view format, std::string_view title, std::string_view body,
                        const IngestConfig& c);
// Parses `bytes` as `format` and appends its chunks to `w.chunks`; sets `w.title` from the parser
// (else `name`) when it is empty, then scans the title and chunks for injection and sets or clears
// the flags in `w.metadata` (flagInjection). Parse errors and limits are returned.
Status fillChunks(store::DocumentWrite& w, std::string_view format, std::string_view bytes,
                  const std::string& name, const IngestConfig& config);

}  // namespace ward::ingest
