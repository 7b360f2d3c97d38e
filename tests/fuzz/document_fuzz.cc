// libFuzzer target for the document parsers and the chunker: extractDocument for each format
// (and the Confluence storage format converter in front of the HTML parser), then chunkDocument
// on what it extracted. The first byte picks the format (its low 7 bits modulo the number of
// formats, in the order of kFormats below) and, through bit 7, small chunk options; the rest is
// the file. Everything runs in this process (sandbox_min_bytes is raised past any input, and PDF
// goes straight to parsePdf) so the sanitizers see the parsers' own code; the limits are small so
// an input that grows the output stops early. Checks that nothing crashes, that every block lies
// inside the text and in order, and that every chunk's span lies inside the text.
// Seed corpus: tests/fuzz/corpus/document (file names start with the format).
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "connectors/confluence/confluence_storage.h"
#include "parse_budget.h"
#include "parsers.h"
#include "ward/ingest/chunker.h"
#include "ward/ingest/parser.h"

namespace {

// "confluence": Confluence storage format through confluenceStorageToHtml, then the HTML parser.
constexpr std::string_view kFormats[] = {"markdown", "text", "html", "pdf",
                                         "csv",      "tsv",  "code", "confluence"};
constexpr std::string_view kFileNames[] = {"in.md",  "in.txt", "in.html", "in.pdf",
                                           "in.csv", "in.tsv", "in.py",   "in.html"};

size_t codePoints(std::string_view s) {
  size_t n = 0;
  for (char c : s) n += (static_cast<unsigned char>(c) & 0xC0) != 0x80 ? 1 : 0;
  return n;
}

ward::ingest::ParseLimits fuzzLimits() {
  ward::ingest::ParseLimits limits;
  limits.max_output_bytes = 4 << 20;
  limits.max_blocks = 100'000;
  limits.max_cells = 100'000;
  limits.max_pages = 50;
  limits.wall_seconds = 10;
  limits.sandbox_min_bytes = SIZE_MAX;  // never fork under the fuzzer
  limits.max_markdown_table_cells = 10'000;
  return limits;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  constexpr size_t kCount = sizeof(kFormats) / sizeof(kFormats[0]);
  const size_t which = (data[0] & 0x7F) % kCount;
  const std::string_view bytes(reinterpret_cast<const char*>(data) + 1, size - 1);
  const ward::ingest::ParseLimits limits = fuzzLimits();
  ward::Result<ward::ingest::ExtractedDocument> doc = ward::Status::internal("unset");
  if (kFormats[which] == "pdf") {
    ward::ingest::ParseBudget budget("pdf", limits);
    doc = ward::ingest::parsePdf(bytes, kFileNames[which], budget);
    if (budget.exhausted()) return 0;
  } else if (kFormats[which] == "confluence") {
    const std::string html = ward::ingest::confluenceStorageToHtml(bytes, "Page");
    doc = ward::ingest::extractDocument("html", html, kFileNames[which], limits);
  } else {
    doc = ward::ingest::extractDocument(kFormats[which], bytes, kFileNames[which], limits);
  }
  if (!doc.ok()) {
    if (doc.status().message().empty()) std::abort();
    return 0;
  }
  size_t last_end = 0;
  for (const auto& block : doc->blocks) {
    if (block.start > block.end || block.end > doc->text.size() || block.start < last_end) {
      std::abort();
    }
    last_end = block.end;
  }
  ward::ingest::ChunkOptions options;
  if ((data[0] & 0x80) != 0) {
    options.target_tokens = 8;
    options.max_tokens = 12;
    options.table_rows_per_chunk = 2;
  }
  const size_t text_points = codePoints(doc->text);
  for (const auto& chunk : ward::ingest::chunkDocument(*doc, options)) {
    if (chunk.span_start > chunk.span_end || chunk.span_end > text_points) std::abort();
  }
  return 0;
}
