// What a parser makes of a file: the extracted plain text plus its structure.
//
// Offsets are UTF-8 byte offsets into `text`. Value type; thread-compatible.
#pragma once

#include <string>
#include <vector>

namespace ward::ingest {

// One structural unit of the extracted text.
struct Block {
  enum class Kind {
    kParagraph,  // prose (also plain-text paragraphs, list items)
    kHeading,    // a heading line; `heading_level` 1..6
    kTable,      // a table; `table_header` and `table_rows` hold the cells
    kCode,       // a code unit: a function, class, or the top-level code between them
    kClause,     // a numbered clause of a contract or policy ("1.", "1.1", "§ 3", "Article 4")
  };
  Kind kind = Kind::kParagraph;
  size_t start = 0;  // byte offset of the block in ExtractedDocument::text
  size_t end = 0;    // one past the last byte
  int page = 0;      // 1-based page for paged formats (PDF), 0 when the format has no pages
  int heading_level = 0;
  // Headings in force at this block, outermost first (for a heading: its ancestors only).
  std::vector<std::string> heading_path;
  std::vector<std::string> table_header;
  std::vector<std::vector<std::string>> table_rows;
  std::string symbol;  // code: the function or class name; clause: its number ("4.2")
};

struct ExtractedDocument {
  std::string title;  // first H1, <title>, PDF title, or empty (caller falls back to file name)
  std::string text;   // the extracted plain text that citation spans point into
  std::vector<Block> blocks;  // in text order, non-overlapping
};

}  // namespace ward::ingest
