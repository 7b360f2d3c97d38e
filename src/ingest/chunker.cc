// The structure-aware chunker. One pass over the blocks; prose is packed by scanning its bytes
// once for sentence ends and word runs, so the cost is linear in the text.
#include "ward/ingest/chunker.h"

#include <algorithm>
#include <string_view>

#include "parsers.h"

namespace ward::ingest {

namespace {

using Kind = Block::Kind;

// A chunk's text never exceeds max_tokens times this many bytes: a "word" can be a 50 MB run
// of letters, and one token that long must still be cut.
constexpr size_t kChunkBytesPerToken = 32;
// A chunk's heading path (joined with " > ") is cut to this many bytes.
constexpr size_t kMaxHeadingPathBytes = 1024;

// The largest prefix of `s` of at most `n` bytes that ends on a character boundary.
size_t charBoundaryAtMost(std::string_view s, size_t n) {
  if (n >= s.size()) return s.size();
  while (n > 0 && (static_cast<unsigned char>(s[n]) & 0xC0) == 0x80) --n;
  return n;
}

inline bool isWordByte(unsigned char c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c >= 0x80;
}

size_t countTokens(std::string_view s) {
  size_t n = 0;
  bool in_word = false;
  for (char ch : s) {
    bool w = isWordByte(static_cast<unsigned char>(ch));
    n += (w && !in_word) ? 1 : 0;
    in_word = w;
  }
  return n;
}

std::string joinPath(const std::vector<std::string>& path) {
  std::string out;
  for (const auto& p : path) {
    if (!out.empty()) out += " > ";
    out += p;
    if (out.size() > kMaxHeadingPathBytes) break;
  }
  out.resize(charBoundaryAtMost(out, kMaxHeadingPathBytes));
  return out;
}

bool hasPrefix(const std::vector<std::string>& path, const std::vector<std::string>& prefix) {
  return path.size() >= prefix.size() && std::equal(prefix.begin(), prefix.end(), path.begin());
}

// Byte offsets to code-point offsets; cheap for the increasing offsets the chunker asks for.
class CodePointCursor {
 public:
  explicit CodePointCursor(std::string_view text) : text_(text) {}
  size_t at(size_t byte) {
    if (byte < byte_) {
      byte_ = 0;
      cp_ = 0;
    }
    byte = std::min(byte, text_.size());
    for (; byte_ < byte; ++byte_) {
      cp_ += (static_cast<unsigned char>(text_[byte_]) & 0xC0) != 0x80 ? 1 : 0;
    }
    return cp_;
  }

 private:
  std::string_view text_;
  size_t byte_ = 0;
  size_t cp_ = 0;
};

class Chunker {
 public:
  Chunker(const ExtractedDocument& doc, const ChunkOptions& options)
      : doc_(doc), text_(doc.text), cursor_(doc.text) {
    target_ = std::max<size_t>(1, options.target_tokens);
    max_ = std::max(target_, options.max_tokens);
    rows_per_chunk_ = std::max<size_t>(1, options.table_rows_per_chunk);
    tiny_ = std::max<size_t>(1, target_ / 8);
    byte_cap_ = max_ * kChunkBytesPerToken;
  }

  std::vector<Chunk> run() {
    if (text_.empty()) return {};
    std::vector<Block> synthesized;
    const std::vector<Block>* blocks = &doc_.blocks;
    if (blocks->empty()) {
      Block all;
      all.end = text_.size();
      synthesized.push_back(all);
      blocks = &synthesized;
    }
    size_t last_end = 0;
    for (const Block& b : *blocks) {
      // Blocks come from our parsers, but stay safe against any ExtractedDocument.
      if (b.start > b.end || b.end > text_.size() || b.start < last_end) continue;
      last_end = b.end;
      if (b.kind == Kind::kHeading) {
        onHeading(b);
        continue;
      }
      if (pending_ && pending_page_ != b.page) emitPendingHeading();
      if (!group_.empty()) {
        const Block& g = *group_.front();
        bool same = groupKind(g.kind) == groupKind(b.kind) && g.page == b.page &&
                    b.kind != Kind::kTable &&
                    (b.kind == Kind::kClause || g.heading_path == b.heading_path);
        if (!same) flushGroup();
      }
      if (group_.empty()) {
        group_start_ = pending_ ? pending_start_ : b.start;
        pending_ = false;
      }
      group_.push_back(&b);
      if (b.kind == Kind::kTable) flushGroup();
    }
    flushGroup();
    if (pending_) emitPendingHeading();
    return std::move(out_);
  }

 private:
  static int groupKind(Kind k) {
    switch (k) {
      case Kind::kClause:
        return 1;
      case Kind::kCode:
        return 2;
      case Kind::kTable:
        return 3;
      default:
        return 0;
    }
  }

  std::string_view slice(size_t a, size_t b) const { return text_.substr(a, b - a); }

  // --- headings ----------------------------------------------------------------------------

  void onHeading(const Block& b) {
    flushGroup();
    if (pending_ && (b.page != pending_page_ || b.heading_level <= pending_level_)) {
      emitPendingHeading();
    }
    if (!pending_) {
      pending_ = true;
      pending_start_ = b.start;
      pending_page_ = b.page;
    }
    pending_end_ = b.end;
    pending_level_ = b.heading_level;
    pending_path_ = b.heading_path;
    pending_path_.emplace_back(slice(b.start, b.end));
  }

  // A heading with nothing under it (before a sibling heading, a page break or the end).
  void emitPendingHeading() {
    pending_ = false;
    emitSlice(pending_start_, pending_end_, pending_page_, joinPath(pending_path_), "text");
  }

  // --- output ------------------------------------------------------------------------------

  // Emits doc.text[start, end) trimmed of surrounding whitespace; nothing if it is blank. A
  // slice over the byte cap is split into word pieces, each citing its own span.
  void emitSlice(size_t start, size_t end, int page, const std::string& path, const char* kind) {
    while (start < end && isSpace(text_[start])) ++start;
    while (end > start && isSpace(text_[end - 1])) --end;
    if (start >= end) return;
    if (end - start > byte_cap_) {
      splitWords(start, end, page, path, kind);
      return;
    }
    emitText(std::string(slice(start, end)), start, end, page, path, kind);
  }

  // Like emitSlice, for the pieces splitWords cuts (at most byte_cap_ plus one character).
  void emitPiece(size_t start, size_t end, int page, const std::string& path, const char* kind) {
    while (start < end && isSpace(text_[start])) ++start;
    while (end > start && isSpace(text_[end - 1])) --end;
    if (start >= end) return;
    emitText(std::string(slice(start, end)), start, end, page, path, kind);
  }

  // Emits one chunk; text made up by the chunker (table rows) over the byte cap is cut at
  // character boundaries into pieces that all cite [start, end).
  void emitText(std::string text, size_t start, size_t end, int page, const std::string& path,
                const char* kind) {
    if (text.size() > byte_cap_ + 4) {
      std::string_view rest = text;
      while (!rest.empty()) {
        size_t n = charBoundaryAtMost(rest, byte_cap_);
        if (n == 0) n = std::min(rest.size(), byte_cap_);
        emitText(std::string(rest.substr(0, n)), start, end, page, path, kind);
        rest.remove_prefix(n);
      }
      return;
    }
    Chunk c;
    c.text = std::move(text);
    c.span_start = cursor_.at(start);
    c.span_end = cursor_.at(end);
    c.page = page;
    c.heading_path = path;
    c.kind = kind;
    out_.push_back(std::move(c));
  }

  // --- groups ------------------------------------------------------------------------------

  void flushGroup() {
    if (group_.empty()) return;
    const Block& first = *group_.front();
    switch (groupKind(first.kind)) {
      case 1:
        emitClauses();
        break;
      case 2:
        emitCode();
        break;
      case 3:
        emitTable(first);
        break;
      default:
        pack(group_start_, group_.back()->end, first.page, joinPath(first.heading_path), "text",
             false);
        break;
    }
    group_.clear();
  }

  // Consecutive clauses: one chunk each, huge ones split by sentences, tiny ones merged with the
  // next while that one is a sub-clause of the first clause in the chunk ("4. Termination" with
  // "4.1") or, for a chunk of plain siblings, another sibling ("1. A", "2. B").
  void emitClauses() {
    size_t acc_start = 0;
    size_t acc_end = 0;
    size_t acc_tokens = 0;
    bool acc_has_children = false;
    const Block* acc_first = nullptr;
    auto flush = [&] {
      if (acc_first == nullptr) return;
      emitSlice(acc_start, acc_end, acc_first->page, joinPath(acc_first->heading_path), "clause");
      acc_first = nullptr;
    };
    for (size_t i = 0; i < group_.size(); ++i) {
      const Block& c = *group_[i];
      size_t start = i == 0 ? group_start_ : c.start;
      size_t tokens = countTokens(slice(start, c.end));
      if (tokens > max_) {
        flush();
        pack(start, c.end, c.page, joinPath(c.heading_path), "clause", false);
        continue;
      }
      if (acc_first != nullptr && (acc_tokens < tiny_ || tokens < tiny_) &&
          acc_tokens + tokens <= target_ && hasPrefix(c.heading_path, acc_first->heading_path)) {
        bool child = c.heading_path.size() > acc_first->heading_path.size();
        if (child || !acc_has_children) {
          acc_has_children = acc_has_children || child;
          acc_end = c.end;
          acc_tokens += tokens;
          continue;
        }
      }
      flush();
      acc_has_children = false;
      acc_first = &c;
      acc_start = start;
      acc_end = c.end;
      acc_tokens = tokens;
    }
    flush();
  }

  // Code units: one chunk each; tiny neighbours merged up to the target, long ones split by lines.
  void emitCode() {
    size_t acc_start = 0;
    size_t acc_end = 0;
    size_t acc_tokens = 0;
    const Block* acc_first = nullptr;
    auto flush = [&] {
      if (acc_first == nullptr) return;
      emitSlice(acc_start, acc_end, acc_first->page, joinPath(acc_first->heading_path), "code");
      acc_first = nullptr;
    };
    for (size_t i = 0; i < group_.size(); ++i) {
      const Block& c = *group_[i];
      size_t start = i == 0 ? group_start_ : c.start;
      size_t tokens = countTokens(slice(start, c.end));
      if (tokens > max_) {
        flush();
        pack(start, c.end, c.page, joinPath(c.heading_path), "code", true);
        continue;
      }
      if (acc_first != nullptr && (acc_tokens < tiny_ || tokens < tiny_) &&
          acc_tokens + tokens <= target_) {
        acc_end = c.end;
        acc_tokens += tokens;
        continue;
      }
      flush();
      acc_first = &c;
      acc_start = start;
      acc_end = c.end;
      acc_tokens = tokens;
    }
    flush();
  }

  void emitTable(const Block& t) {
    std::string path = joinPath(t.heading_path);
    std::string_view body = slice(t.start, t.end);
    size_t tokens = countTokens(body);
    if (t.table_rows.size() <= rows_per_chunk_ && tokens <= max_) {
      emitSlice(group_start_, t.end, t.page, path, "table");
      return;
    }
    // Map rows to their lines in the text when the layout is the parsers' (header line, then one
    // line per row); otherwise every piece cites the whole table.
    std::string header = renderTableHeader(t.table_header);
    bool header_line = !header.empty();
    std::vector<std::pair<size_t, size_t>> lines;
    for (size_t pos = t.start; pos <= t.end;) {
      size_t nl = text_.find('\n', pos);
      size_t end = (nl == std::string_view::npos || nl > t.end) ? t.end : nl;
      lines.emplace_back(pos, end);
      pos = end + 1;
    }
    bool mapped = lines.size() == t.table_rows.size() + (header_line ? 1 : 0);
    size_t first_row_line = header_line ? 1 : 0;
    std::string prefix;
    if (group_start_ < t.start) {
      prefix = std::string(trimView(slice(group_start_, t.start)));
      if (!prefix.empty()) prefix += "\n";
    }
    size_t header_tokens = countTokens(header);
    size_t row = 0;
    bool first_piece = true;
    while (row < t.table_rows.size()) {
      std::string text = first_piece ? prefix : std::string();
      text += header;
      size_t piece_tokens = header_tokens;
      size_t begin = row;
      while (row < t.table_rows.size() && row - begin < rows_per_chunk_) {
        std::string line = renderTableRowKeyValue(t.table_header, t.table_rows[row]);
        size_t n = countTokens(line);
        if (row > begin && piece_tokens + n > max_) break;
        if (!text.empty()) text += '\n';
        text += line;
        piece_tokens += n;
        ++row;
      }
      size_t span_start = t.start;
      size_t span_end = t.end;
      if (mapped) {
        span_start = lines[first_row_line + begin].first;
        span_end = lines[first_row_line + row - 1].second;
      }
      if (first_piece) span_start = std::min(span_start, group_start_);
      emitText(std::move(text), span_start, span_end, t.page, path, "table");
      first_piece = false;
    }
  }

  // --- prose packing -----------------------------------------------------------------------

  // Packs text[start, end) into chunks of about target_ tokens, cutting only at sentence ends
  // (or line ends when `by_lines`), and inside a unit only when it alone exceeds max_.
  void pack(size_t start, size_t end, int page, const std::string& path, const char* kind,
            bool by_lines) {
    const char* s = text_.data();
    size_t chunk_start = start;
    size_t chunk_tokens = 0;
    size_t sentence_start = start;
    size_t sentence_tokens = 0;
    bool in_word = false;
    auto sentence = [&](size_t a, size_t b, size_t n) {
      if (n > max_ || b - a > byte_cap_) {
        if (chunk_tokens > 0) emitSlice(chunk_start, a, page, path, kind);
        splitWords(a, b, page, path, kind);
        chunk_start = b;
        chunk_tokens = 0;
        return;
      }
      if (chunk_tokens > 0 && (chunk_tokens + n > target_ || b - chunk_start > byte_cap_)) {
        emitSlice(chunk_start, a, page, path, kind);
        chunk_start = a;
        chunk_tokens = 0;
      }
      chunk_tokens += n;
    };
    for (size_t i = start; i < end; ++i) {
      unsigned char c = static_cast<unsigned char>(s[i]);
      bool w = isWordByte(c);
      if (w) {
        sentence_tokens += in_word ? 0 : 1;
        in_word = true;
        continue;
      }
      in_word = false;
      bool cut = false;
      if (by_lines) {
        cut = c == '\n';
      } else if (c == '.' || c == '?' || c == '!') {
        cut = i + 1 == end || s[i + 1] == ' ' || s[i + 1] == '\n' || s[i + 1] == '\t';
      } else if (c == '\n') {
        cut = i + 1 < end && s[i + 1] == '\n';
      }
      if (cut) {
        sentence(sentence_start, i + 1, sentence_tokens);
        sentence_start = i + 1;
        sentence_tokens = 0;
      }
    }
    if (sentence_start < end) sentence(sentence_start, end, sentence_tokens);
    if (chunk_tokens > 0 || chunk_start < end) emitSlice(chunk_start, end, page, path, kind);
  }

  // One sentence longer than max_: pieces of target_ tokens ending at whitespace, or at any word
  // edge once max_ is reached, or at a character boundary when a "word" is absurdly long.
  void splitWords(size_t start, size_t end, int page, const std::string& path, const char* kind) {
    const char* s = text_.data();
    const size_t byte_cap = byte_cap_;
    size_t piece_start = start;
    size_t tokens = 0;
    bool in_word = false;
    for (size_t i = start; i < end; ++i) {
      unsigned char c = static_cast<unsigned char>(s[i]);
      bool w = isWordByte(c);
      bool at_char_start = (c & 0xC0) != 0x80;
      if (w && !in_word) {
        bool cut = (tokens >= target_ && i > 0 && isSpace(s[i - 1])) || tokens >= max_;
        if (cut) {
          emitPiece(piece_start, i, page, path, kind);
          piece_start = i;
          tokens = 0;
        }
        ++tokens;
      } else if (i - piece_start >= byte_cap && at_char_start) {
        emitPiece(piece_start, i, page, path, kind);
        piece_start = i;
        tokens = w ? 1 : 0;
      }
      in_word = w;
    }
    emitPiece(piece_start, end, page, path, kind);
  }

  const ExtractedDocument& doc_;
  std::string_view text_;
  CodePointCursor cursor_;
  size_t target_ = 0;
  size_t max_ = 0;
  size_t rows_per_chunk_ = 0;
  size_t tiny_ = 0;
  size_t byte_cap_ = 0;  // max_ * kChunkBytesPerToken
  std::vector<Chunk> out_;

  std::vector<const Block*> group_;
  size_t group_start_ = 0;

  bool pending_ = false;
  size_t pending_start_ = 0;
  size_t pending_end_ = 0;
  int pending_page_ = 0;
  int pending_level_ = 0;
  std::vector<std::string> pending_path_;
};

}  // namespace

std::vector<Chunk> chunkDocument(const ExtractedDocument& doc, const ChunkOptions& options) {
  return Chunker(doc, options).run();
}

}  // namespace ward::ingest
