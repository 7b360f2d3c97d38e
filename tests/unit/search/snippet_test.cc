// search::makeSnippet: the window and the marks are those a full analysis of the chunk gives,
// although words that cannot stem to a query term are not stemmed (Analyzer::forEachToken).
#include "../../../src/search/snippet.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <string_view>
#include <unordered_map>

#include "ward/text/analyzer.h"

namespace ward::search {
namespace {

// The snippet as computed from every token's analyzed term (the definition in
// docs/design/search.md "Snippets"), without the first-byte shortcut.
std::string referenceSnippet(const std::string& text, const std::vector<std::string>& terms,
                             size_t max_chars = 240) {
  std::vector<text::Token> tokens;
  text::Analyzer analyzer;
  analyzer.analyze(text, tokens);
  std::vector<const text::Token*> hits;
  for (const auto& t : tokens) {
    if (std::binary_search(terms.begin(), terms.end(), t.term)) hits.push_back(&t);
  }
  size_t best_start = 0, best_score = 0;
  std::unordered_map<std::string_view, uint32_t> in_window;
  size_t distinct = 0, j = 0;
  for (size_t i = 0; i < hits.size(); ++i) {
    for (; j < hits.size() && hits[j]->end - hits[i]->start <= max_chars; ++j) {
      if (in_window[hits[j]->term]++ == 0) ++distinct;
    }
    if (distinct > best_score) {
      best_score = distinct;
      best_start = hits[i]->start;
    }
    if (j > i && --in_window[hits[i]->term] == 0) --distinct;
    if (j <= i) j = i + 1;
  }
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
  for (const text::Token* h : hits) {
    if (h->start < pos || h->end > end) continue;
    out.append(text, pos, h->start - pos);
    out += "«";
    out.append(text, h->start, h->end - h->start);
    out += "»";
    pos = h->end;
  }
  out.append(text, pos, end - pos);
  if (end < text.size()) out += "…";
  for (char& c : out) {
    if (c == '\n' || c == '\r' || c == '\t') c = ' ';
  }
  return out;
}

std::vector<std::string> analyzed(const std::string& query) {
  text::Analyzer analyzer;
  std::vector<std::string> terms;
  analyzer.terms(query, terms);
  std::sort(terms.begin(), terms.end());
  terms.erase(std::unique(terms.begin(), terms.end()), terms.end());
  return terms;
}

TEST(SnippetTest, MarksTheBestWindow) {
  const std::string text =
      "Background text about nothing. Later the termination notice for INV-2024-0042 was sent "
      "and the notice was terminated.";
  std::string s = makeSnippet(text, analyzed("termination notice"), 60);
  EXPECT_NE(s.find("«termination» «notice»"), std::string::npos) << s;
  EXPECT_EQ(s, referenceSnippet(text, analyzed("termination notice"), 60));
}

// Random chunks over words with irregular stems, identifiers, stopwords and non-ASCII letters:
// the shortcut never changes a snippet.
TEST(SnippetTest, EqualsTheFullAnalysisOnRandomText) {
  const std::vector<std::string> vocab = {"dying",
                                          "die",
                                          "lying",
                                          "skies",
                                          "sky",
                                          "yelling",
                                          "yell",
                                          "early",
                                          "only",
                                          "news",
                                          "relational",
                                          "relate",
                                          "generalization",
                                          "general",
                                          "cells",
                                          "cell",
                                          "protein",
                                          "proteins",
                                          "INV-2024-0042",
                                          "ERR_TIMEOUT",
                                          "err",
                                          "timeout",
                                          "the",
                                          "of",
                                          "and",
                                          "\xc3\x89v\xc3\xa9nements",
                                          "evenement",
                                          "Ubiquitous",
                                          "running",
                                          "runs",
                                          "x86_64",
                                          "2024",
                                          "b12",
                                          "tumour",
                                          "tumours",
                                          "hoping",
                                          "hope",
                                          "ties",
                                          "tie",
                                          "idly",
                                          "ugly",
                                          "oing",
                                          "aed",
                                          "sses",
                                          "ayes",
                                          "y",
                                          "a1",
                                          "\xc3\xa9t\xc3\xa9s",
                                          "ete"};
  std::mt19937 rng(42);
  for (int round = 0; round < 300; ++round) {
    std::string text;
    const int words = 20 + static_cast<int>(rng() % 300);
    for (int w = 0; w < words; ++w) {
      text += vocab[rng() % vocab.size()];
      text += (rng() % 9 == 0) ? ".\n" : (rng() % 7 == 0) ? ", " : " ";
    }
    std::string query;
    const int qwords = 1 + static_cast<int>(rng() % 6);
    for (int w = 0; w < qwords; ++w) query += vocab[rng() % vocab.size()] + " ";
    auto terms = analyzed(query);
    if (terms.empty()) continue;
    ASSERT_EQ(makeSnippet(text, terms), referenceSnippet(text, terms))
        << "query: " << query << "\ntext: " << text;
  }
}

}  // namespace
}  // namespace ward::search
