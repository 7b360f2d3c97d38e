// Private to the ingest module: the per-format parsers and the helpers they share.
//
// Every parser takes bytes that extractDocument has already repaired to valid UTF-8 (except
// parsePdf, which takes the raw file) and returns a document whose blocks are in text order,
// non-overlapping and inside `text`. None of them throws.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "ward/common/status.h"
#include "ward/ingest/extracted_document.h"

namespace ward::ingest {

Result<ExtractedDocument> parseMarkdown(std::string_view bytes, std::string_view filename);
Result<ExtractedDocument> parseText(std::string_view bytes, std::string_view filename);
Result<ExtractedDocument> parseHtml(std::string_view bytes, std::string_view filename);
Result<ExtractedDocument> parsePdf(std::string_view bytes, std::string_view filename);
Result<ExtractedDocument> parseCsv(std::string_view bytes, std::string_view filename);
Result<ExtractedDocument> parseTsv(std::string_view bytes, std::string_view filename);
Result<ExtractedDocument> parseCode(std::string_view bytes, std::string_view filename);

// Returns `bytes` with every byte that is not part of a well-formed UTF-8 sequence (and every NUL)
// replaced by U+FFFD, a leading byte-order mark dropped, and CR LF / lone CR turned into LF.
std::string repairUtf8(std::string_view bytes);

// Splits prose (kParagraph) blocks at numbered clause starts ("1.", "4.2", "§ 3", "Article IV",
// "Section 5") when the document has at least two; see clause_detector.cc for the rules.
void splitClauses(ExtractedDocument& doc);

// Splits the paragraphs of `text` (separated by blank lines) and appends them as kParagraph blocks
// with `page`; offsets are relative to `base`. Used by the text and PDF parsers.
void appendParagraphBlocks(std::string_view text, size_t base, int page, std::vector<Block>& out);

// True for ASCII space, tab, newline, CR, form feed, vertical tab.
inline bool isSpace(char c) {
  return c == ' ' || c == '\n' || c == '\t' || c == '\r' || c == '\f' || c == '\v';
}
std::string_view trimView(std::string_view s);

// Builds an ExtractedDocument by appending blocks of text separated by blank lines, keeping the
// stack of headings in force. Used by the formats whose extracted text is not the file itself.
class DocumentBuilder {
 public:
  enum class TableStyle { kPipes, kKeyValue };

  void setPage(int page) { page_ = page; }
  // Sets the title unless one is already set.
  void offerTitle(std::string_view title);
  void addHeading(std::string_view text, int level);
  // Appends trimmed `text` as a block of `kind`; empty text adds nothing.
  void addBlock(Block::Kind kind, std::string_view text, std::string symbol = {});
  // Appends a table: the header line, then one line per row in `style`.
  void addTable(std::vector<std::string> header, std::vector<std::vector<std::string>> rows,
                TableStyle style);
  bool empty() const { return doc_.blocks.empty(); }
  ExtractedDocument finish();

 private:
  Block& startBlock(Block::Kind kind, std::string_view text);

  ExtractedDocument doc_;
  std::vector<std::pair<int, std::string>> headings_;  // (level, text), outermost first
  int page_ = 0;
};

// Table text shared by the parsers and the chunker. Cells have line breaks and tabs turned into
// spaces so that each row is exactly one line.
std::string renderTableHeader(const std::vector<std::string>& header);
std::string renderTableRowPipes(const std::vector<std::string>& row);
// "col: value; col: value" (cells past the header are named "column N"; empty cells skipped).
std::string renderTableRowKeyValue(const std::vector<std::string>& header,
                                   const std::vector<std::string>& row);

}  // namespace ward::ingest
