// Plain text (.txt, .rst): the file itself is the extracted text. Paragraphs are separated by blank
// lines; a line underlined with a run of one punctuation character (reStructuredText and setext
// style) is a heading, its level set by the order in which underline characters first appear.
#include <string>
#include <utility>

#include "parsers.h"

namespace ward::ingest {

namespace {

bool isUnderline(std::string_view line, size_t title_len) {
  line = trimView(line);
  if (line.size() < 3 || line.size() + 2 < title_len) return false;
  char c = line[0];
  if (std::string_view("=-~^*#+").find(c) == std::string_view::npos) return false;
  for (char x : line) {
    if (x != c) return false;
  }
  return true;
}

struct Line {
  size_t start;
  size_t end;
};

}  // namespace

Result<ExtractedDocument> parseText(std::string_view bytes, std::string_view filename,
                                    ParseBudget& budget) {
  ExtractedDocument doc;
  if (!budget.addOutput(bytes.size())) return doc;  // the text is the file
  doc.text = std::string(bytes);
  std::string_view text = doc.text;

  std::vector<Line> lines;
  for (size_t pos = 0; pos < text.size();) {
    size_t nl = text.find('\n', pos);
    size_t end = nl == std::string_view::npos ? text.size() : nl;
    lines.push_back({pos, end});
    pos = end + 1;
  }

  std::string underline_order;  // underline characters in order of first use = heading levels
  std::vector<std::pair<int, std::string>> headings;
  std::vector<std::string> path;
  size_t para_begin = 0;  // first line of the pending paragraph region
  auto flush = [&](size_t line_end_index) {
    if (line_end_index <= para_begin) return;
    size_t from = lines[para_begin].start;
    size_t to = lines[line_end_index - 1].end;
    size_t first = doc.blocks.size();
    appendParagraphBlocks(text.substr(from, to - from), from, 0, doc.blocks, budget);
    size_t path_bytes = 0;
    for (const auto& p : path) path_bytes += p.size();
    for (size_t i = first; i < doc.blocks.size() && budget.addOutput(path_bytes); ++i) {
      doc.blocks[i].heading_path = path;
    }
  };

  for (size_t i = 0; i + 1 < lines.size() && !budget.exhausted(); ++i) {
    std::string_view title = trimView(text.substr(lines[i].start, lines[i].end - lines[i].start));
    if (title.empty() || title.size() > 200) continue;
    std::string_view next = text.substr(lines[i + 1].start, lines[i + 1].end - lines[i + 1].start);
    if (!isUnderline(next, title.size()) || isUnderline(title, 0)) continue;
    // Setext headings need the title to start a paragraph.
    if (i > 0 &&
        !trimView(text.substr(lines[i - 1].start, lines[i - 1].end - lines[i - 1].start)).empty()) {
      continue;
    }
    flush(i);
    char c = trimView(next)[0];
    size_t level = underline_order.find(c);
    if (level == std::string::npos) {
      underline_order.push_back(c);
      level = underline_order.size() - 1;
    }
    int lvl = static_cast<int>(std::min<size_t>(level + 1, 6));
    while (!headings.empty() && headings.back().first >= lvl) headings.pop_back();
    path.clear();
    for (const auto& h : headings) path.push_back(h.second);
    Block b;
    b.kind = Block::Kind::kHeading;
    b.start = static_cast<size_t>(title.data() - text.data());
    b.end = b.start + title.size();
    b.heading_level = lvl;
    b.heading_path = path;
    doc.blocks.push_back(std::move(b));
    budget.addBlocks(1);
    if (doc.title.empty() && lvl == 1) doc.title = std::string(title);
    headings.emplace_back(lvl, std::string(title));
    path.push_back(std::string(title));
    para_begin = i + 2;
    ++i;
  }
  flush(lines.size());
  return doc;
}

}  // namespace ward::ingest
