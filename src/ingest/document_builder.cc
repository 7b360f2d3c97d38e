// DocumentBuilder and the small text helpers the parsers share.
#include <utility>

#include "parsers.h"

namespace ward::ingest {

std::string_view trimView(std::string_view s) {
  size_t b = 0;
  size_t e = s.size();
  while (b < e && isSpace(s[b])) ++b;
  while (e > b && isSpace(s[e - 1])) --e;
  return s.substr(b, e - b);
}

namespace {

void appendCell(std::string& out, std::string_view cell) {
  cell = trimView(cell);
  for (char c : cell) out.push_back(c == '\n' || c == '\r' || c == '\t' ? ' ' : c);
}

}  // namespace

std::string renderTableHeader(const std::vector<std::string>& header) {
  return renderTableRowPipes(header);
}

std::string renderTableRowPipes(const std::vector<std::string>& row) {
  std::string out;
  for (size_t i = 0; i < row.size(); ++i) {
    if (i > 0) out += " | ";
    appendCell(out, row[i]);
  }
  return out;
}

std::string renderTableRowKeyValue(const std::vector<std::string>& header,
                                   const std::vector<std::string>& row) {
  std::string out;
  for (size_t i = 0; i < row.size(); ++i) {
    if (trimView(row[i]).empty()) continue;
    if (!out.empty()) out += "; ";
    if (i < header.size() && !trimView(header[i]).empty()) {
      appendCell(out, header[i]);
    } else {
      out += "column " + std::to_string(i + 1);
    }
    out += ": ";
    appendCell(out, row[i]);
  }
  return out;
}

void appendParagraphBlocks(std::string_view text, size_t base, int page, std::vector<Block>& out,
                           ParseBudget& budget) {
  size_t pos = 0;
  size_t para_start = std::string_view::npos;
  size_t para_end = 0;
  while (pos < text.size() && !budget.exhausted()) {
    size_t nl = text.find('\n', pos);
    size_t line_end = nl == std::string_view::npos ? text.size() : nl;
    std::string_view line = text.substr(pos, line_end - pos);
    std::string_view trimmed = trimView(line);
    if (trimmed.empty()) {
      if (para_start != std::string_view::npos) {
        Block b;
        b.start = base + para_start;
        b.end = base + para_end;
        b.page = page;
        out.push_back(std::move(b));
        budget.addBlocks(1);
        para_start = std::string_view::npos;
      }
    } else {
      if (para_start == std::string_view::npos) {
        para_start = static_cast<size_t>(trimmed.data() - text.data());
      }
      para_end = static_cast<size_t>(trimmed.data() - text.data()) + trimmed.size();
    }
    pos = line_end + 1;
  }
  if (para_start != std::string_view::npos && !budget.exhausted()) {
    Block b;
    b.start = base + para_start;
    b.end = base + para_end;
    b.page = page;
    out.push_back(std::move(b));
    budget.addBlocks(1);
  }
}

void DocumentBuilder::offerTitle(std::string_view title) {
  title = trimView(title);
  if (doc_.title.empty() && !title.empty()) doc_.title = std::string(title);
}

bool DocumentBuilder::admit(size_t text_bytes) {
  // Each block copies the heading path in force, so a long heading over many blocks counts as
  // often as it is copied.
  return budget_.addBlocks(1) && budget_.addOutput(text_bytes + 2 + heading_bytes_);
}

Block& DocumentBuilder::startBlock(Block::Kind kind, std::string_view text) {
  if (!doc_.text.empty()) doc_.text += "\n\n";
  Block b;
  b.kind = kind;
  b.start = doc_.text.size();
  doc_.text.append(text);
  b.end = doc_.text.size();
  b.page = page_;
  b.heading_path.reserve(headings_.size());
  for (const auto& h : headings_) b.heading_path.push_back(h.second);
  doc_.blocks.push_back(std::move(b));
  return doc_.blocks.back();
}

void DocumentBuilder::addHeading(std::string_view text, int level) {
  text = trimView(text);
  if (text.empty()) return;
  if (level < 1) level = 1;
  if (level > 6) level = 6;
  while (!headings_.empty() && headings_.back().first >= level) {
    heading_bytes_ -= headings_.back().second.size();
    headings_.pop_back();
  }
  if (!admit(text.size())) return;
  Block& b = startBlock(Block::Kind::kHeading, text);
  b.heading_level = level;
  headings_.emplace_back(level, std::string(text));
  heading_bytes_ += text.size();
}

void DocumentBuilder::addBlock(Block::Kind kind, std::string_view text, std::string symbol) {
  // Code keeps its indentation; only surrounding blank lines go.
  if (kind == Block::Kind::kCode) {
    while (!text.empty() && (text.back() == '\n' || text.back() == '\r' || text.back() == ' ')) {
      text.remove_suffix(1);
    }
    while (!text.empty() && text.front() == '\n') text.remove_prefix(1);
    if (trimView(text).empty()) return;
  } else {
    text = trimView(text);
    if (text.empty()) return;
  }
  if (!admit(text.size())) return;
  Block& b = startBlock(kind, text);
  b.symbol = std::move(symbol);
}

void DocumentBuilder::addTable(std::vector<std::string> header,
                               std::vector<std::vector<std::string>> rows, TableStyle style) {
  if (header.empty() && rows.empty()) return;
  std::string text = renderTableHeader(header);
  // Rendering counts as it goes: a wide header repeated on every key-value row multiplies.
  if (!budget_.addOutput(text.size())) return;
  for (const auto& row : rows) {
    if (!text.empty()) text += '\n';
    size_t before = text.size();
    text += style == TableStyle::kPipes ? renderTableRowPipes(row)
                                        : renderTableRowKeyValue(header, row);
    if (!budget_.addBlocks(1) || !budget_.addOutput(text.size() - before + 1)) return;
  }
  if (trimView(text).empty()) return;
  if (!admit(0)) return;
  // Not trimmed: the chunker maps line i to row i, so every line must survive.
  Block& b = startBlock(Block::Kind::kTable, text);
  b.table_header = std::move(header);
  b.table_rows = std::move(rows);
}

ExtractedDocument DocumentBuilder::finish() {
  ExtractedDocument out = std::move(doc_);
  doc_ = ExtractedDocument();
  headings_.clear();
  return out;
}

}  // namespace ward::ingest
