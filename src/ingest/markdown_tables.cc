// A linear pre-pass over Markdown that bounds the work of cmark-gfm's table extension. In
// cmark-gfm 0.29 every row of a table is padded to the header's column count, so a wide header
// over many one-cell lines costs rows x columns (an 18 KB file made 10 million cells in 10 s).
// The pass finds table starts (a line followed by a delimiter row such as `|---|:--:|`), counts
// each table's cells the way the extension will (columns times rows), and once a document's
// tables would pass the limit, escapes the delimiter row of every further table (`\|---|`) so
// cmark reads it as a plain paragraph: its text is still ingested, in linear time.
//
// The scan is deliberately generous (block-quote markers and indentation are looked through,
// rows run to the next blank line): counting more cells than cmark would only ever turn a table
// into a paragraph early, never let one through uncounted.
#include <string>
#include <vector>

#include "parsers.h"

namespace ward::ingest {

namespace {

struct LineRef {
  size_t start;    // first byte of the line
  size_t content;  // first byte after indentation and block-quote markers
  size_t end;      // the '\n' or the end of the text
};

std::vector<LineRef> splitLines(std::string_view text) {
  std::vector<LineRef> lines;
  for (size_t pos = 0; pos < text.size();) {
    size_t nl = text.find('\n', pos);
    size_t end = nl == std::string_view::npos ? text.size() : nl;
    size_t content = pos;
    while (content < end &&
           (text[content] == ' ' || text[content] == '\t' || text[content] == '>')) {
      ++content;
    }
    lines.push_back({pos, content, end});
    pos = end + 1;
  }
  return lines;
}

// Cells of a delimiter row, or 0 when the line is not one (only '|', '-', ':' and blanks, with
// at least one '-').
size_t delimiterCells(std::string_view line) {
  bool dash = false;
  for (char c : line) {
    if (c == '-') {
      dash = true;
    } else if (c != '|' && c != ':' && c != ' ' && c != '\t' && c != '\r') {
      return 0;
    }
  }
  if (!dash) return 0;
  std::string_view t = trimView(line);
  if (!t.empty() && t.front() == '|') t.remove_prefix(1);
  if (!t.empty() && t.back() == '|') t.remove_suffix(1);
  size_t cells = 1;
  for (char c : t) cells += c == '|' ? 1 : 0;
  return cells;
}

}  // namespace

std::string limitMarkdownTables(std::string_view bytes, size_t max_cells) {
  std::vector<LineRef> lines = splitLines(bytes);
  std::vector<size_t> escape_at;  // byte offsets that get a backslash
  size_t total = 0;
  auto content = [&](const LineRef& l) { return bytes.substr(l.content, l.end - l.content); };
  for (size_t i = 1; i < lines.size(); ++i) {
    std::string_view delim = content(lines[i]);
    std::string_view header = content(lines[i - 1]);
    if (trimView(header).empty()) continue;
    if (delim.find('|') == std::string_view::npos && header.find('|') == std::string_view::npos) {
      continue;
    }
    size_t columns = delimiterCells(delim);
    if (columns == 0) continue;
    size_t rows = 1;  // the header
    size_t j = i + 1;
    while (j < lines.size() && !trimView(content(lines[j])).empty()) {
      ++rows;
      ++j;
    }
    size_t cells = rows * columns;
    if (total + cells > max_cells) {
      escape_at.push_back(lines[i].content);
    } else {
      total += cells;
    }
    i = j;  // the next table starts after this one
  }
  if (escape_at.empty()) return std::string(bytes);
  std::string out;
  out.reserve(bytes.size() + escape_at.size());
  size_t from = 0;
  for (size_t at : escape_at) {
    out.append(bytes.substr(from, at - from));
    out.push_back('\\');
    from = at;
  }
  out.append(bytes.substr(from));
  return out;
}

}  // namespace ward::ingest
