// Private to the ingest module: the per-format parsers and the helpers they share.
//
// Every parser takes bytes that extractDocument has already repaired to valid UTF-8 (except
// parsePdf, which takes the raw file) and returns a document whose blocks are in text order,
// non-overlapping and inside `text`. None of them throws. Each counts its output in `budget` as
// it works and stops early once the budget is exhausted; extractDocument then reports the limit.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "parse_budget.h"
#include "ward/common/status.h"
#include "ward/ingest/extracted_document.h"

namespace ward::ingest {

Result<ExtractedDocument> parseMarkdown(std::string_view bytes, std::string_view filename,
                                        ParseBudget& budget);
Result<ExtractedDocument> parseText(std::string_view bytes, std::string_view filename,
                                    ParseBudget& budget);
Result<ExtractedDocument> parseHtml(std::string_view bytes, std::string_view filename,
                                    ParseBudget& budget);
Result<ExtractedDocument> parsePdf(std::string_view bytes, std::string_view filename,
                                   ParseBudget& budget);
Result<ExtractedDocument> parseCsv(std::string_view bytes, std::string_view filename,
                                   ParseBudget& budget);
Result<ExtractedDocument> parseTsv(std::string_view bytes, std::string_view filename,
                                   ParseBudget& budget);
Result<ExtractedDocument> parseCode(std::string_view bytes, std::string_view filename,
                                    ParseBudget& budget);

// Returns `bytes` with every byte that is not part of a well-formed UTF-8 sequence (and every NUL)
// replaced by U+FFFD, a leading byte-order mark dropped, and CR LF / lone CR turned into LF.
std::string repairUtf8(std::string_view bytes);

// Returns Markdown `bytes` with every table that would take the document's tables past
// `max_cells` cells turned into a plain paragraph (its delimiter row escaped); see
// markdown_tables.cc. Linear in the input.
std::string limitMarkdownTables(std::string_view bytes, size_t max_cells);

// Splits prose (kParagraph) blocks at numbered clause starts ("1.", "4.2", "§ 3", "Article IV",
// "Section 5") when the document has at least two; see clause_detector.cc for the rules.
void splitClauses(ExtractedDocument& doc);

// Splits the paragraphs of `text` (separated by blank lines) and appends them as kParagraph blocks
// with `page`; offsets are relative to `base`; each block counts in `budget`. Used by the text and
// PDF parsers.
void appendParagraphBlocks(std::string_view text, size_t base, int page, std::vector<Block>& out,
                           ParseBudget& budget);

// True for ASCII space, tab, newline, CR, form feed, vertical tab.
inline bool isSpace(char c) {
  return c == ' ' || c == '\n' || c == '\t' || c == '\r' || c == '\f' || c == '\v';
}
std::string_view trimView(std::string_view s);

// Builds an ExtractedDocument by appending blocks of text separated by blank lines, keeping the
// stack of headings in force. Used by the formats whose extracted text is not the file itself.
// Every block's text and heading path count in the budget; once it is exhausted, adds do nothing.
class DocumentBuilder {
 public:
  enum class TableStyle { kPipes, kKeyValue };

  explicit DocumentBuilder(ParseBudget& budget) : budget_(budget) {}

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
  // Counts a block of `text_bytes` (plus the heading path it copies); false when over budget.
  bool admit(size_t text_bytes);
  Block& startBlock(Block::Kind kind, std::string_view text);

  ParseBudget& budget_;
  ExtractedDocument doc_;
  std::vector<std::pair<int, std::string>> headings_;  // (level, text), outermost first
  size_t heading_bytes_ = 0;  // total size of headings_ texts: what each block's path copies
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
