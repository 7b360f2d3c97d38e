// Numbered clauses in contracts and policies.
//
// A clause starts at the beginning of a line with one of:
//   "1." / "1)"            followed by text starting with a capital letter (or end of line)
//   "1.1" / "1.1.1."       followed by text (capital letter) or end of line
//   "§ 3" / "§3.2"         anything after
//   "Article 4" / "ARTICLE IV" / "Section 5.2"   then end of line, punctuation or a capital
// Requiring a capital after the number keeps wrapped lines such as "3.5 times the fee" out.
// When a document has at least two clause starts, prose blocks are split into kClause blocks
// (text before the first clause stays prose; paragraphs after a clause without a number of their
// own belong to it). The first line of a clause, shortened, becomes the heading-path entry of
// deeper clauses: "4.2" sits under "4. Termination".
#include <optional>
#include <string>
#include <utility>

#include "parsers.h"

namespace ward::ingest {

namespace {

struct ClauseStart {
  std::string number;  // "4.2", "§ 3", "Article IV", "Section 5"
  int depth = 1;       // Article 0, then one per numeric component
};

bool isDigit(char c) { return c >= '0' && c <= '9'; }
bool isUpper(char c) { return c >= 'A' && c <= 'Z'; }
bool isLower(char c) { return c >= 'a' && c <= 'z'; }

// Parses "12.3.4" at `s`; returns the bytes used and the component count (0 when none).
size_t scanNumber(std::string_view s, int* components) {
  size_t i = 0;
  *components = 0;
  while (true) {
    size_t d = i;
    while (d < s.size() && isDigit(s[d]) && d - i < 4) ++d;
    if (d == i || d - i > 3 || (d < s.size() && isDigit(s[d]))) break;
    ++*components;
    i = d;
    if (i + 1 < s.size() && s[i] == '.' && isDigit(s[i + 1])) {
      ++i;
      continue;
    }
    break;
  }
  if (*components == 0) return 0;
  return i;
}

// True when what follows a clause number looks like the start of clause text.
bool goodFollower(std::string_view rest, bool allow_end) {
  size_t i = 0;
  while (i < rest.size() && (rest[i] == ' ' || rest[i] == '\t')) ++i;
  if (i == rest.size()) return allow_end;
  if (i == 0) return false;
  unsigned char c = static_cast<unsigned char>(rest[i]);
  return isUpper(rest[i]) || c >= 0x80 || rest[i] == '"' || rest[i] == '(' || rest[i] == '\'';
}

std::optional<ClauseStart> matchKeyword(std::string_view s, std::string_view word,
                                        std::string_view label, int base_depth) {
  bool match = s.size() > word.size() && (s.substr(0, word.size()) == word);
  if (!match) {
    // Upper-case form: "ARTICLE".
    if (s.size() <= word.size()) return std::nullopt;
    for (size_t i = 0; i < word.size(); ++i) {
      char w = word[i];
      char u = isLower(w) ? static_cast<char>(w - 'a' + 'A') : w;
      if (s[i] != u) return std::nullopt;
    }
  }
  size_t i = word.size();
  if (s[i] != ' ') return std::nullopt;
  while (i < s.size() && s[i] == ' ') ++i;
  ClauseStart out;
  int components = 0;
  size_t used = scanNumber(s.substr(i), &components);
  if (used > 0) {
    out.number = std::string(label) + " " + std::string(s.substr(i, used));
    out.depth = base_depth + components - 1;
  } else {
    size_t r = i;
    while (r < s.size() && std::string_view("IVXLC").find(s[r]) != std::string_view::npos) ++r;
    if (r == i || r - i > 6) return std::nullopt;
    used = r - i;
    out.number = std::string(label) + " " + std::string(s.substr(i, used));
    out.depth = base_depth;
  }
  std::string_view rest = s.substr(i + used);
  size_t p = 0;
  while (p < rest.size() && rest[p] == ' ') ++p;
  if (p < rest.size() && std::string_view(".:-)").find(rest[p]) != std::string_view::npos) {
    return out;
  }
  if (!goodFollower(rest, true)) return std::nullopt;
  return out;
}

std::optional<ClauseStart> matchClauseStart(std::string_view line) {
  size_t indent = 0;
  while (indent < line.size() && indent < 4 && (line[indent] == ' ' || line[indent] == '\t')) {
    ++indent;
  }
  std::string_view s = line.substr(indent);
  if (s.empty()) return std::nullopt;
  if (s.size() >= 2 && s.substr(0, 2) == "\xC2\xA7") {  // §
    size_t i = 2;
    while (i < s.size() && s[i] == ' ') ++i;
    int components = 0;
    size_t used = scanNumber(s.substr(i), &components);
    if (used == 0) return std::nullopt;
    return ClauseStart{"\xC2\xA7 " + std::string(s.substr(i, used)), components};
  }
  if (isDigit(s[0])) {
    int components = 0;
    size_t used = scanNumber(s, &components);
    if (used == 0) return std::nullopt;
    std::string_view rest = s.substr(used);
    bool trailing = !rest.empty() && (rest[0] == '.' || rest[0] == ')');
    if (components == 1 && !trailing) return std::nullopt;
    if (trailing) rest.remove_prefix(1);
    if (!goodFollower(rest, true)) return std::nullopt;
    return ClauseStart{std::string(s.substr(0, used)), components};
  }
  if (s[0] == 'A') return matchKeyword(s, "Article", "Article", 0);
  if (s[0] == 'S') return matchKeyword(s, "Section", "Section", 1);
  return std::nullopt;
}

// The heading-path entry for a clause: its first line, cut at a sentence end or ~80 bytes.
std::string clauseTitle(std::string_view text) {
  size_t nl = text.find('\n');
  std::string_view line = trimView(text.substr(0, nl));
  if (line.size() <= 80) return std::string(line);
  size_t cut = 80;
  for (size_t i = 10; i + 1 < 80; ++i) {
    if ((line[i] == '.' || line[i] == ':' || line[i] == ';') && line[i + 1] == ' ') {
      cut = i + 1;
      break;
    }
  }
  if (cut == 80) {
    size_t sp = line.rfind(' ', 80);
    cut = (sp == std::string_view::npos || sp < 20) ? 80 : sp;
    // Never cut inside a UTF-8 sequence.
    while (cut > 0 && (static_cast<unsigned char>(line[cut]) & 0xC0) == 0x80) --cut;
  }
  return std::string(trimView(line.substr(0, cut)));
}

struct Found {
  size_t block;
  size_t pos;
  ClauseStart clause;
};

size_t trimmedEnd(std::string_view text, size_t from, size_t to) {
  while (to > from && isSpace(text[to - 1])) --to;
  return to;
}

}  // namespace

void splitClauses(ExtractedDocument& doc) {
  std::string_view text = doc.text;
  std::vector<Found> found;
  for (size_t bi = 0; bi < doc.blocks.size(); ++bi) {
    const Block& b = doc.blocks[bi];
    if (b.kind != Block::Kind::kParagraph || b.end > text.size() || b.start > b.end) continue;
    for (size_t pos = b.start; pos < b.end;) {
      size_t nl = text.find('\n', pos);
      size_t end = (nl == std::string_view::npos || nl > b.end) ? b.end : nl;
      if (auto m = matchClauseStart(text.substr(pos, end - pos))) {
        found.push_back({bi, pos, std::move(*m)});
      }
      pos = end + 1;
    }
  }
  if (found.size() < 2) return;

  std::vector<Block> out;
  out.reserve(doc.blocks.size() + found.size());
  std::vector<std::pair<int, std::string>> stack;  // enclosing clauses (depth, title)
  std::optional<std::vector<std::string>> base_path;
  constexpr size_t kNone = static_cast<size_t>(-1);
  size_t active = kNone;  // index in `out` of the clause that absorbs unnumbered prose
  size_t next = 0;

  auto absorbOrPush = [&](Block prose) {
    if (active != kNone && active == out.size() - 1) {
      Block& a = out[active];
      if (a.page == prose.page) {
        a.end = prose.end;
        return;
      }
      Block cont = a;  // the clause goes on over a page break
      cont.start = prose.start;
      cont.end = prose.end;
      cont.page = prose.page;
      out.push_back(std::move(cont));
      active = out.size() - 1;
      return;
    }
    out.push_back(std::move(prose));
  };

  for (size_t bi = 0; bi < doc.blocks.size(); ++bi) {
    Block& b = doc.blocks[bi];
    if (b.kind != Block::Kind::kParagraph) {
      if (b.kind == Block::Kind::kHeading) {
        stack.clear();
        base_path.reset();
      }
      active = kNone;
      out.push_back(std::move(b));
      continue;
    }
    if (!base_path || *base_path != b.heading_path) {
      stack.clear();
      active = kNone;
      base_path = b.heading_path;
    }
    if (next >= found.size() || found[next].block != bi) {
      absorbOrPush(std::move(b));
      continue;
    }
    size_t first = found[next].pos;
    size_t lead_end = trimmedEnd(text, b.start, first);
    if (lead_end > b.start) {
      Block lead = b;
      lead.end = lead_end;
      absorbOrPush(std::move(lead));
    }
    while (next < found.size() && found[next].block == bi) {
      Found& f = found[next];
      size_t end =
          (next + 1 < found.size() && found[next + 1].block == bi) ? found[next + 1].pos : b.end;
      end = trimmedEnd(text, f.pos, end);
      size_t start = f.pos;
      while (start < end && isSpace(text[start])) ++start;
      while (!stack.empty() && stack.back().first >= f.clause.depth) stack.pop_back();
      Block c;
      c.kind = Block::Kind::kClause;
      c.start = start;
      c.end = end;
      c.page = b.page;
      c.heading_path = b.heading_path;
      for (const auto& s : stack) c.heading_path.push_back(s.second);
      c.symbol = std::move(f.clause.number);
      stack.emplace_back(f.clause.depth, clauseTitle(text.substr(start, end - start)));
      out.push_back(std::move(c));
      active = out.size() - 1;
      ++next;
    }
  }
  doc.blocks = std::move(out);
}

}  // namespace ward::ingest
