// The limits every parser runs under, counted while it works, so that a hostile file (a
// decompression bomb, a pathological table) costs a bounded amount of memory and time and ends
// as one per-file error while the rest of an ingest goes on. Documented in
// docs/design/ingest.md ("Parse limits") and the README's limits table.
#pragma once

#include <cstddef>

namespace ward::ingest {

// Extracted text of one file (everything a parser outputs, heading paths included).
inline constexpr size_t kMaxExtractedBytes = size_t{128} << 20;
// Table cells of one file (CSV and TSV fields, HTML and Markdown cells).
inline constexpr size_t kMaxTableCells = 4'000'000;
// Structural blocks (paragraphs, headings, table rows, code units, clauses) of one file.
inline constexpr size_t kMaxBlocks = 1'000'000;
// Pages of one PDF.
inline constexpr int kMaxPdfPages = 10'000;
// CPU seconds of a parse that runs in a child process (see kSandboxMinBytes).
inline constexpr int kParseCpuSeconds = 60;
// Wall-clock seconds of any parse: a child is killed, an in-process parse stops at its next check.
inline constexpr int kParseWallSeconds = 120;
// Memory a parse in a child process may allocate on top of what the process already had.
inline constexpr size_t kParseMemoryBytes = size_t{2} << 30;
// PDF always, and Markdown and HTML of at least this many bytes, are parsed in a forked child
// under RLIMIT_AS and RLIMIT_CPU: poppler, cmark-gfm and libxml2 cannot be bounded from inside.
inline constexpr size_t kSandboxMinBytes = size_t{64} << 10;
// Markdown table cells (rows x columns, padded rows included) per file; tables past it are read
// as plain paragraphs (cmark-gfm 0.29's table extension is quadratic in them).
inline constexpr size_t kMaxMarkdownTableCells = 1'000'000;

struct ParseLimits {
  size_t max_output_bytes = kMaxExtractedBytes;
  size_t max_blocks = kMaxBlocks;
  size_t max_cells = kMaxTableCells;
  int max_pages = kMaxPdfPages;
  int cpu_seconds = kParseCpuSeconds;
  int wall_seconds = kParseWallSeconds;
  size_t memory_bytes = kParseMemoryBytes;
  size_t sandbox_min_bytes = kSandboxMinBytes;
  size_t max_markdown_table_cells = kMaxMarkdownTableCells;
};

}  // namespace ward::ingest
