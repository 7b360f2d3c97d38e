#include "query_parser.h"

#include <algorithm>

#include "ward/text/analyzer.h"

namespace ward::search {

namespace {

bool isSpace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

// Strips punctuation around a raw word ("(INV-2024-0042)," -> "INV-2024-0042").
std::string trimPunct(const std::string& w) {
  size_t b = 0, e = w.size();
  auto punct = [](unsigned char c) { return c < 0x80 && !std::isalnum(c); };
  while (b < e && punct(static_cast<unsigned char>(w[b]))) ++b;
  while (e > b && punct(static_cast<unsigned char>(w[e - 1]))) --e;
  return w.substr(b, e - b);
}

}  // namespace

Result<ParsedQuery> parseQuery(const std::string& text, const SearchConfig& config) {
  if (text.size() > config.max_query_bytes) {
    return Status::invalidArgument("query is longer than " + std::to_string(config.max_query_bytes) +
                                   " bytes");
  }
  ParsedQuery q;
  text::Analyzer& analyzer = text::threadAnalyzer();
  std::vector<text::Token> tokens;
  std::string rest;
  size_t i = 0;
  while (i < text.size()) {
    if (text[i] == '"') {
      size_t close = text.find('"', i + 1);
      if (close == std::string::npos) close = text.size();  // unclosed quote: phrase to the end
      tokens.clear();
      analyzer.analyze(std::string_view(text).substr(i + 1, close - i - 1), tokens);
      std::vector<std::string> phrase;
      for (const auto& t : tokens) {
        if (t.identifier) continue;
        phrase.push_back(t.term);
        q.terms.push_back({t.term, 1.0});
        q.required.push_back(t.term);
        q.highlight_terms.push_back(t.term);
      }
      if (phrase.size() > 1) q.phrases.push_back(std::move(phrase));
      i = close + 1;
      rest += ' ';
      continue;
    }
    rest += text[i++];
  }
  std::vector<std::string> identifiers;
  bool only_identifier_words = true;
  size_t p = 0;
  while (p < rest.size()) {
    while (p < rest.size() && isSpace(rest[p])) ++p;
    size_t s = p;
    while (p < rest.size() && !isSpace(rest[p])) ++p;
    if (p == s) break;
    std::string word = rest.substr(s, p - s);
    tokens.clear();
    analyzer.analyze(word, tokens);
    bool identifier = text::Analyzer::looksLikeIdentifier(trimPunct(word));
    if (!identifier && !tokens.empty()) only_identifier_words = false;
    for (const auto& t : tokens) {
      // An identifier scores whole (rare, so a high IDF) and through its parts.
      if (identifier && t.identifier) identifiers.push_back(t.term);
      q.terms.push_back({t.term, 1.0});
      q.highlight_terms.push_back(t.term);
    }
  }
  // A query that is nothing but identifiers is a lookup: only exact occurrences match.
  if (!identifiers.empty() && q.phrases.empty() && only_identifier_words) {
    q.required = identifiers;
  }
  if (q.terms.empty()) {
    return Status::invalidArgument("query has no searchable words");
  }
  if (static_cast<int>(q.terms.size()) > config.max_query_terms) {
    return Status::invalidArgument("query has more than " + std::to_string(config.max_query_terms) +
                                   " terms");
  }
  std::sort(q.highlight_terms.begin(), q.highlight_terms.end());
  q.highlight_terms.erase(std::unique(q.highlight_terms.begin(), q.highlight_terms.end()),
                          q.highlight_terms.end());
  return q;
}

}  // namespace ward::search
