// Parsers: bytes of one file -> ExtractedDocument. Registered by format name.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ward/common/status.h"
#include "ward/ingest/extracted_document.h"
#include "ward/ingest/parse_limits.h"

namespace ward::ingest {

// Format names: "markdown", "text", "html", "pdf", "csv", "tsv", "code".
// Returns the format for a file name by extension, or nullopt when Ward does not support it.
std::optional<std::string> detectFormat(std::string_view filename);

// Extracts text and structure. Malformed input (bad PDF, invalid UTF-8 that cannot be repaired,
// a CSV with no rows) is InvalidArgument with a message naming the problem; a file that crosses
// one of `limits` (output bytes, blocks, cells, pages, memory, CPU or wall-clock time) is
// ResourceExhausted naming the limit. Never throws. PDF, and large Markdown and HTML, are parsed
// in a child process (parse_limits.h). `filename` is used for code language detection and as a
// title fallback.
Result<ExtractedDocument> extractDocument(std::string_view format, std::string_view bytes,
                                          std::string_view filename,
                                          const ParseLimits& limits = ParseLimits());

// The formats extractDocument accepts, for --help and errors.
std::vector<std::string> supportedFormats();

}  // namespace ward::ingest
