#include "snippet.h"

#include <algorithm>
#include <array>
#include <cstdint>

#include "ward/text/analyzer.h"

namespace ward::search {

namespace {

struct Span {
  uint32_t start;
  uint32_t end;
};

struct HitSpan {
  uint32_t start;
  uint32_t end;
  uint32_t term;  // index into the sorted query terms
};

}  // namespace

std::string makeSnippet(const std::string& text, const std::vector<std::string>& terms,
                        size_t max_chars) {
  // Every token's span (for word boundaries) and the hits, found without building Tokens; words
  // that cannot stem to a query term (another first byte) are not stemmed at all.
  std::array<bool, 256> first_bytes{};
  for (const auto& t : terms) {
    if (!t.empty()) first_bytes[static_cast<unsigned char>(t[0])] = true;
  }
  std::vector<Span> tokens;
  std::vector<HitSpan> hits;
  tokens.reserve(text.size() / 6);
  text::threadAnalyzer().forEachToken(
      text, first_bytes, [&](const std::string& term, uint32_t start, uint32_t end) {
        tokens.push_back(Span{start, end});
        if (term.empty()) return;
        auto it = std::lower_bound(terms.begin(), terms.end(), term);
        if (it != terms.end() && *it == term) {
          hits.push_back(HitSpan{start, end, static_cast<uint32_t>(it - terms.begin())});
        }
      });
  // Pick the window start (a hit) that covers the most distinct matched terms: a sliding window
  // over the hits with a count per term, linear in the hits however many terms the query has.
  size_t best_start = 0, best_score = 0;
  std::vector<uint32_t> in_window(terms.size(), 0);
  size_t distinct = 0;
  size_t j = 0;
  for (size_t i = 0; i < hits.size(); ++i) {
    for (; j < hits.size() && hits[j].end - hits[i].start <= max_chars; ++j) {
      if (in_window[hits[j].term]++ == 0) ++distinct;
    }
    if (distinct > best_score) {
      best_score = distinct;
      best_start = hits[i].start;
    }
    if (j > i && --in_window[hits[i].term] == 0) --distinct;
    if (j <= i) j = i + 1;
  }
  // Back up a little for context, to a word start.
  size_t start = best_start > 40 ? best_start - 40 : 0;
  if (start > 0) {
    for (const auto& t : tokens) {
      if (t.start >= start) {
        start = t.start;
        break;
      }
    }
  }
  size_t end = std::min(text.size(), start + max_chars);
  if (end < text.size()) {
    size_t cut = start;
    for (const auto& t : tokens) {
      if (t.end <= end) cut = std::max<size_t>(cut, t.end);
    }
    if (cut > start)
      end = cut;
    else
      while (end > start && (static_cast<unsigned char>(text[end]) & 0xC0) == 0x80) --end;
  }
  std::string out;
  if (start > 0) out += "…";
  size_t pos = start;
  for (const HitSpan& h : hits) {
    if (h.start < pos || h.end > end) continue;
    out.append(text, pos, h.start - pos);
    out += "«";
    out.append(text, h.start, h.end - h.start);
    out += "»";
    pos = h.end;
  }
  out.append(text, pos, end - pos);
  if (end < text.size()) out += "…";
  for (char& c : out) {
    if (c == '\n' || c == '\r' || c == '\t') c = ' ';
  }
  return out;
}

}  // namespace ward::search
