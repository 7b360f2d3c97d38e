// One synced item's bytes -> the parsed, chunked document write (the same formats, limits,
// content hash and chunking as `ward ingest`; docs/design/ingest.md, "Service flow").
#pragma once

#include <string>
#include <string_view>

#include "ward/common/config.h"
#include "ward/common/status.h"
#include "ward/store/records.h"

namespace ward::ingest {

// Sets `w.format`, `w.content_hash`, `w.title` and `w.chunks` from `bytes` and `title` ("" = the
// parser's title, else `name`; a given title is part of the content hash, as for records); the
// format comes from `name`'s extension (InvalidArgument "unsupported file type" otherwise). When
// the hash equals `stored_hash` (the live stored version's) nothing is parsed and `stored_title` is
// kept: the store then decides between unchanged and acl_changed; so the caller puts the stored
// version's injection flags into `w.metadata` first (keepInjectionFlags), and a parsed write's
// flags are set from its own scan. Parse errors and limits are returned.
Status fillDocumentWrite(store::DocumentWrite& w, std::string_view bytes, const std::string& name,
                         const std::string& title, const std::string& stored_hash,
                         const std::string& stored_title, const IngestConfig& config);

}  // namespace ward::ingest
