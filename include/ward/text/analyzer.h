// Text analysis shared by indexing and querying, so both sides agree on terms.
//
// Pipeline: Unicode NFKC + case folding + accent stripping (utf8proc) -> words (runs of letters,
// digits and combining marks) -> English stopwords dropped -> Snowball English stemming of
// alphabetic words. Identifiers (alphanumeric runs joined by '-' or '_', e.g. INV-2024-0042,
// ERR_TIMEOUT) are also emitted whole, lowercased and unstemmed, at the position of their first
// part, so they can be matched exactly. Words mixing letters and digits are not stemmed.
//
// Not thread-safe (it owns a Snowball stemmer and a stem cache): use one per thread.
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace ward::text {

struct Token {
  std::string term;
  uint32_t position = 0;  // counts kept words; stopwords take no position
  uint32_t start = 0;     // byte offset of the source word in the analyzed text
  uint32_t end = 0;
  bool identifier = false;  // a whole identifier (also emitted as its parts)
};

class Analyzer {
 public:
  Analyzer();
  ~Analyzer();
  Analyzer(const Analyzer&) = delete;
  Analyzer& operator=(const Analyzer&) = delete;

  // Appends the tokens of `text` to `out`.
  void analyze(std::string_view text, std::vector<Token>& out);
  // Only the terms, for indexing (faster: no offsets kept).
  void terms(std::string_view text, std::vector<std::string>& out);
  // Calls f with each term, in order, without copying it (the reference is valid during the call).
  void forEachTerm(std::string_view text, const std::function<void(const std::string&)>& f);
  // forEachTerm with each term's hash, std::hash<std::string_view> (StringTable::hash): a stem's
  // is computed once per distinct word and kept with it, not once per occurrence. For indexing.
  void forEachHashedTerm(std::string_view text,
                         const std::function<void(const std::string&, uint64_t)>& f);

  // Calls f(term, start, end) for each token of `text`, in analyze()'s order, without building
  // Tokens. A word whose normalized first byte is not set in `first_bytes` is not stemmed and
  // comes with an empty term: a Snowball English stem starts with its word's first letter (and
  // an unstemmed term is the word itself), so such a word cannot be a wanted term that starts
  // with another byte. For highlighting a few terms in long text (search snippets).
  void forEachToken(
      std::string_view text, const std::array<bool, 256>& first_bytes,
      const std::function<void(const std::string& term, uint32_t start, uint32_t end)>& f);

  // Whether a lowercased word is an English stopword.
  static bool isStopword(std::string_view word);
  // Whether raw text (one query word) is an identifier as defined above.
  static bool looksLikeIdentifier(std::string_view word);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// A thread-local analyzer for callers that do not keep their own.
Analyzer& threadAnalyzer();

}  // namespace ward::text
