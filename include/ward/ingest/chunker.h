// Structure-aware chunking with citation anchors.
#pragma once

#include <string>
#include <vector>

#include "ward/ingest/extracted_document.h"

namespace ward::ingest {

struct ChunkOptions {
  size_t target_tokens = 512;        // aim for about this many tokens (words and punctuation runs)
  size_t max_tokens = 768;           // hard cap; a longer single sentence is cut at a word boundary
  size_t table_rows_per_chunk = 20;  // a table longer than this is split by rows, header repeated
};

// One chunk ready for the store. `text` is what is indexed and shown; for a table split by rows it
// is the rows rendered as "column: value" lines, so it can differ from the extracted span.
struct Chunk {
  std::string text;
  size_t span_start = 0;     // code-point offset in ExtractedDocument::text (inclusive)
  size_t span_end = 0;       // code-point offset (exclusive)
  int page = 0;              // page of the chunk's start, 0 when not paged
  std::string heading_path;  // "Handbook > Leave > Parental leave" (joined with " > ")
  std::string kind;          // "text", "table", "code", "clause"
};

// Splits a document into chunks: headings start new chunks and carry the heading path; tables stay
// whole when they fit, else split by rows with the header repeated; code splits on
// function/class boundaries; clauses on their numbers; pages never straddle a chunk. Within a
// section, text is packed up to target_tokens ending at a sentence boundary.
std::vector<Chunk> chunkDocument(const ExtractedDocument& doc, const ChunkOptions& options);

}  // namespace ward::ingest
