// Extractive answers; the contract is in include/ward/answer/extractive_answerer.h.
#include "ward/answer/extractive_answerer.h"

#include <algorithm>
#include <set>

#include "ward/text/analyzer.h"

namespace ward::answer {

namespace {

bool isSpace(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

std::string_view trimSentence(std::string_view s) {
  while (!s.empty() && (isSpace(s.front()) ||
                        std::string_view("#>-*|").find(s.front()) != std::string_view::npos)) {
    s.remove_prefix(1);
  }
  while (!s.empty() && isSpace(s.back())) s.remove_suffix(1);
  return s;
}

std::string_view cutAtWord(std::string_view s, size_t max_bytes) {
  if (s.size() <= max_bytes) return s;
  size_t cut = s.rfind(' ', max_bytes);
  if (cut == std::string_view::npos || cut == 0) {
    cut = max_bytes;
    while (cut > 0 && (static_cast<unsigned char>(s[cut]) & 0xC0) == 0x80) --cut;  // UTF-8
  }
  return s.substr(0, cut);
}

// Whether the line break at `i` (on the line starting at `line`) ends a sentence: the line is
// a heading or table row, a blank line follows, or the next line starts a Markdown block
// (heading, list item, quote, table row, numbered item). Other breaks are wrapped lines (PDF
// text, hard-wrapped Markdown) inside one sentence.
bool endsLine(std::string_view text, size_t line, size_t i) {
  while (line < i && (text[line] == ' ' || text[line] == '\t')) ++line;
  if (line < i && (text[line] == '#' || text[line] == '|')) return true;
  size_t j = i + 1;
  while (j < text.size() && (text[j] == ' ' || text[j] == '\t' || text[j] == '\r')) ++j;
  if (j >= text.size() || text[j] == '\n') return true;
  if (std::string_view("#>-*|+").find(text[j]) != std::string_view::npos) return true;
  size_t d = j;
  while (d < text.size() && text[d] >= '0' && text[d] <= '9') ++d;
  return d > j && d < text.size() && (text[d] == '.' || text[d] == ')');
}

// Whether the '.' at `i` ends a list number ("12. ") at the start of its line.
bool listNumber(std::string_view text, size_t line, size_t i) {
  while (line < i && (text[line] == ' ' || text[line] == '\t')) ++line;
  if (line == i) return false;
  for (size_t k = line; k < i; ++k) {
    if (text[k] < '0' || text[k] > '9') return false;
  }
  return true;
}

// The sentence as shown: white space runs as one space (the quote keeps the source's bytes).
std::string collapseSpace(std::string_view s) {
  std::string out;
  bool space = false;
  for (char c : s) {
    if (isSpace(c)) {
      space = true;
      continue;
    }
    if (space && !out.empty()) out += ' ';
    space = false;
    out += c;
  }
  return out;
}

// Whether a sentence ends like one (".", "!", "?", ":" or ";", maybe inside closing quotes or
// brackets); a heading or a label line does not.
bool endsLikeASentence(std::string_view s) {
  size_t end = s.size();
  while (end > 0 && std::string_view("\"')]").find(s[end - 1]) != std::string_view::npos) --end;
  // Closing curly quotes (U+2019, U+201D) are three bytes: E2 80 99 / E2 80 9D.
  while (end >= 3 && static_cast<unsigned char>(s[end - 3]) == 0xE2 &&
         static_cast<unsigned char>(s[end - 2]) == 0x80 &&
         (static_cast<unsigned char>(s[end - 1]) == 0x99 ||
          static_cast<unsigned char>(s[end - 1]) == 0x9D)) {
    end -= 3;
  }
  return end > 0 && std::string_view(".!?:;").find(s[end - 1]) != std::string_view::npos;
}

struct Candidate {
  int score = 0;
  bool complete = false;  // ends like a sentence (endsLikeASentence)
  int rank = 0;
  size_t position = 0;
  const Passage* passage = nullptr;
  std::string_view text;
};

}  // namespace

std::vector<std::string_view> splitSentences(std::string_view text) {
  std::vector<std::string_view> out;
  size_t start = 0;
  auto push = [&](size_t end) {
    std::string_view s = trimSentence(text.substr(start, end - start));
    if (!s.empty()) out.push_back(s);
    start = end;
  };
  size_t line = 0;
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (c == '\n') {
      if (endsLine(text, line, i)) push(i);
      line = i + 1;
    } else if ((c == '.' || c == '!' || c == '?') && i + 1 < text.size() && isSpace(text[i + 1]) &&
               !(c == '.' && listNumber(text, line, i))) {
      push(i + 1);
    }
  }
  push(text.size());
  return out;
}

Draft extractiveAnswer(std::string_view question, const std::vector<Passage>& passages) {
  Draft draft;
  if (passages.empty()) {
    draft.answer = std::string(kNoReadableSources);
    return draft;
  }
  text::Analyzer& analyzer = text::threadAnalyzer();
  std::vector<std::string> terms;
  analyzer.terms(question, terms);
  std::set<std::string> wanted(terms.begin(), terms.end());

  std::vector<Candidate> candidates;
  const size_t n = std::min<size_t>(passages.size(), kExtractivePassages);
  for (size_t p = 0; p < n; ++p) {
    size_t position = 0;
    for (std::string_view s : splitSentences(passages[p].text)) {
      s = cutAtWord(s, kMaxExtractiveSentenceBytes);
      std::vector<std::string> found;
      analyzer.terms(s, found);
      std::set<std::string> distinct;
      for (const auto& t : found) {
        if (wanted.count(t)) distinct.insert(t);
      }
      size_t cps = 0;
      for (char c : s) cps += (static_cast<unsigned char>(c) & 0xC0) != 0x80;
      if (cps < kMinQuoteCodePoints) continue;  // too short to stand as a cited quote
      candidates.push_back(Candidate{static_cast<int>(distinct.size()), endsLikeASentence(s),
                                     passages[p].rank, position++, &passages[p], s});
    }
  }
  std::stable_sort(candidates.begin(), candidates.end(),
                   [](const Candidate& a, const Candidate& b) {
                     if (a.score != b.score) return a.score > b.score;
                     if (a.complete != b.complete) return a.complete;  // sentences before headings
                     if (a.rank != b.rank) return a.rank < b.rank;
                     return a.position < b.position;
                   });
  // No sentence shares a term with the question (the passage matched on its title or
  // headings): the best passage's first sentence still says what was found.
  size_t take = 0;
  for (const Candidate& c : candidates) {
    if (c.score > 0) ++take;
  }
  take = std::min<size_t>(take == 0 ? 1 : take, kExtractiveSentences);
  take = std::min(take, candidates.size());
  for (size_t i = 0; i < take; ++i) {
    const Candidate& c = candidates[i];
    DraftSentence sentence;
    sentence.text = collapseSpace(c.text);
    Citation cite;
    cite.doc_id = c.passage->doc_id;
    cite.version = c.passage->version;
    cite.chunk = c.passage->chunk;
    cite.quote = std::string(c.text);
    sentence.citations.push_back(std::move(cite));
    if (!draft.answer.empty()) draft.answer += " ";
    draft.answer += sentence.text;
    draft.sentences.push_back(std::move(sentence));
  }
  if (draft.sentences.empty()) draft.answer = std::string(kNoReadableSources);
  return draft;
}

}  // namespace ward::answer
