#include "query_parser.h"

#include <algorithm>
#include <cctype>
#include <string_view>
#include <unordered_set>

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

std::string lowerAscii(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

// Function words dropped from long queries only (the analyzer's own list, Lucene's 33 words,
// applies everywhere). This is the common 179-word English list of NLTK; chosen on SciFact's
// train split (docs/design/search.md "Long queries"), where it beat a list of question words only.
bool isFunctionWord(const std::string& lower) {
  static const std::unordered_set<std::string_view> kWords = {
      "i",       "me",      "my",      "myself",   "we",         "our",    "ours",    "ourselves",
      "you",     "your",    "yours",   "yourself", "yourselves", "he",     "him",     "his",
      "himself", "she",     "her",     "hers",     "herself",    "it",     "its",     "itself",
      "they",    "them",    "their",   "theirs",   "themselves", "what",   "which",   "who",
      "whom",    "this",    "that",    "these",    "those",      "am",     "is",      "are",
      "was",     "were",    "be",      "been",     "being",      "have",   "has",     "had",
      "having",  "do",      "does",    "did",      "doing",      "a",      "an",      "the",
      "and",     "but",     "if",      "or",       "because",    "as",     "until",   "while",
      "of",      "at",      "by",      "for",      "with",       "about",  "against", "between",
      "into",    "through", "during",  "before",   "after",      "above",  "below",   "to",
      "from",    "up",      "down",    "in",       "out",        "on",     "off",     "over",
      "under",   "again",   "further", "then",     "once",       "here",   "there",   "when",
      "where",   "why",     "how",     "all",      "any",        "both",   "each",    "few",
      "more",    "most",    "other",   "some",     "such",       "no",     "nor",     "not",
      "only",    "own",     "same",    "so",       "than",       "too",    "very",    "s",
      "t",       "can",     "will",    "just",     "don",        "should", "now"};
  return kWords.count(lower) > 0;
}

// One whitespace-separated piece of the query outside quotes, or one quoted span.
struct Piece {
  std::string text;
  bool quoted = false;
  bool plus = false;  // written with a leading '+': always required
};

bool startsRequirement(char next) {
  unsigned char c = static_cast<unsigned char>(next);
  return next == '"' || std::isalpha(c) || c >= 0x80;
}

std::vector<Piece> splitPieces(const std::string& text) {
  std::vector<Piece> pieces;
  size_t i = 0;
  while (i < text.size()) {
    while (i < text.size() && isSpace(text[i])) ++i;
    if (i >= text.size()) break;
    bool plus = false;
    // '+' marks a requirement only before a letter or a quote: "+5%" in a question is a number.
    if (text[i] == '+' && i + 1 < text.size() && startsRequirement(text[i + 1])) {
      plus = true;
      ++i;
    }
    if (text[i] == '"') {
      size_t close = text.find('"', i + 1);
      if (close == std::string::npos) close = text.size();  // unclosed quote: phrase to the end
      pieces.push_back({text.substr(i + 1, close - i - 1), true, plus});
      i = close + 1;
      continue;
    }
    size_t s = i;
    // A word ends at whitespace or at an opening quote ("word"phrase" splits before the quote).
    while (i < text.size() && !isSpace(text[i]) && text[i] != '"') ++i;
    pieces.push_back({text.substr(s, i - s), false, plus});
  }
  return pieces;
}

// Words outside quotes that the analyzer keeps (not counting function words): the measure of
// a query's length for the long-query rules.
int countContentWords(const std::vector<Piece>& pieces) {
  int n = 0;
  for (const auto& p : pieces) {
    if (p.quoted) continue;
    std::string w = lowerAscii(trimPunct(p.text));
    if (w.empty() || text::Analyzer::isStopword(w) || isFunctionWord(w)) continue;
    ++n;
  }
  return n;
}

}  // namespace

Result<ParsedQuery> parseQuery(const std::string& text, const SearchConfig& config) {
  if (text.size() > config.max_query_bytes) {
    return Status::invalidArgument("query is longer than " +
                                   std::to_string(config.max_query_bytes) + " bytes");
  }
  ParsedQuery q;
  text::Analyzer& analyzer = text::threadAnalyzer();
  std::vector<text::Token> tokens;
  const std::vector<Piece> pieces = splitPieces(text);
  const bool long_query = countContentWords(pieces) >= kLongQueryWords;

  std::vector<std::string> identifiers;
  bool only_identifier_words = true;
  for (const auto& piece : pieces) {
    tokens.clear();
    analyzer.analyze(piece.text, tokens);
    if (piece.quoted) {
      // A quoted span is a hard filter in a short query or with '+'; inside a long question it is
      // a boost: its words weigh more but nothing is required.
      const bool required = piece.plus || !long_query;
      std::vector<std::string> phrase;
      for (const auto& t : tokens) {
        if (t.identifier) continue;
        phrase.push_back(t.term);
        q.terms.push_back({t.term, required ? 1.0 : kQuotedBoost});
        if (required) q.required.push_back(t.term);
        q.highlight_terms.push_back(t.term);
      }
      if (required && phrase.size() > 1) q.phrases.push_back(std::move(phrase));
      continue;
    }
    std::string bare = trimPunct(piece.text);
    if (long_query && !piece.plus && isFunctionWord(lowerAscii(bare))) continue;
    bool identifier = text::Analyzer::looksLikeIdentifier(bare);
    if (!identifier && !tokens.empty()) only_identifier_words = false;
    for (const auto& t : tokens) {
      // An identifier scores whole (rare, so a high IDF) and through its parts.
      if (identifier && t.identifier) identifiers.push_back(t.term);
      q.terms.push_back({t.term, 1.0});
      q.highlight_terms.push_back(t.term);
      // '+word' requires the word (an identifier's whole form, not its parts).
      if (piece.plus && (!identifier || t.identifier)) q.required.push_back(t.term);
    }
  }
  // A query that is nothing but identifiers is a lookup: only exact occurrences match.
  if (!identifiers.empty() && q.phrases.empty() && only_identifier_words) {
    for (auto& id : identifiers) q.required.push_back(std::move(id));
  }
  if (q.terms.empty()) {
    return Status::invalidArgument("query has no searchable words");
  }
  if (static_cast<int>(q.terms.size()) > config.max_query_terms) {
    return Status::invalidArgument("query has more than " + std::to_string(config.max_query_terms) +
                                   " terms");
  }
  std::sort(q.required.begin(), q.required.end());
  q.required.erase(std::unique(q.required.begin(), q.required.end()), q.required.end());
  std::sort(q.highlight_terms.begin(), q.highlight_terms.end());
  q.highlight_terms.erase(std::unique(q.highlight_terms.begin(), q.highlight_terms.end()),
                          q.highlight_terms.end());
  return q;
}

}  // namespace ward::search
