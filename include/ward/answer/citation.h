// Citations and their verification (docs/design/answer.md, "Verifying citations"). Pure
// functions over value types: the answer service feeds them this turn's retrieved passages and a
// "readable now" check that goes back to the store, so a revocation between retrieval and answer
// drops the citation.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ward/common/json.h"

namespace ward::answer {

// A quote shorter than this (code points, after normalisation) is refused by the quote rule: a
// few letters are a substring of almost anything and prove nothing.
constexpr size_t kMinQuoteCodePoints = 8;

// One passage retrieved in this turn for this user, in rank order (rank 1 is the best).
struct Passage {
  std::string doc_id;  // the document's external id
  int64_t version = 0;
  int64_t chunk_id = 0;  // the store's chunk id (for the readable-now check)
  int chunk = 0;         // the chunk's ordinal within the document version
  int rank = 0;
  double score = 0;
  std::string title;
  std::string text;  // the chunk text
};

// {doc_id, version, chunk, char_start, char_end, quote}: char offsets are code points into the
// chunk text, end exclusive, and are filled by verification from where the quote was found.
struct Citation {
  std::string doc_id;
  int64_t version = 0;  // 0 when the answerer did not say (filled from the retrieved passage)
  int chunk = 0;
  int64_t char_start = 0;
  int64_t char_end = 0;
  std::string quote;

  Json toJson() const;
};

// The checks, in the order they run; the first that fails drops the citation.
enum class CitationRule {
  kRetrieved,  // the cited chunk was retrieved in this turn for this user
  kReadable,   // the user may still read it now (re-checked through the store)
  kQuote,      // the quote is a substring of the chunk after normalisation
  kFacts,      // numbers and identifiers of the cited sentence appear in the quote
};
std::string_view citationRuleName(CitationRule rule);  // "retrieved", "readable", "quote", "facts"
constexpr CitationRule kAllCitationRules[] = {CitationRule::kRetrieved, CitationRule::kReadable,
                                              CitationRule::kQuote, CitationRule::kFacts};

// The verdict on one citation.
struct CheckedCitation {
  Citation citation;                   // offsets and version filled when the quote was found
  std::vector<CitationRule> passed;    // the rules it passed, in order
  std::optional<CitationRule> failed;  // the rule that dropped it; none when verified
  std::string detail;                  // why it failed, e.g. "87% not in the quote"
  bool verified() const { return !failed.has_value(); }
  Json toJson() const;
};

// Whether the user may still read a retrieved passage (the service asks the store).
using ReadableNow = std::function<bool(const Passage&)>;

// Checks one citation of `sentence` against this turn's `retrieved` passages.
CheckedCitation verifyCitation(std::string_view sentence, const Citation& citation,
                               const std::vector<Passage>& retrieved, const ReadableNow& readable);

// Normalisation for the quote rule, applied to both the chunk and the quote: each code point is
// compatibility-decomposed (NFKD, utf8proc), curly quotes become straight ones, runs of white
// space become one space. Case is kept (a quote must be verbatim). Invalid UTF-8 bytes are kept
// as they are.
struct NormalizedText {
  std::string text;
  std::vector<uint32_t> origin;  // per byte of text: the code point index in the original
};
NormalizedText normalizeForQuote(std::string_view text);

// Finds `quote` in `chunk` after normalisation; the span in code points of the chunk, or none.
std::optional<std::pair<int64_t, int64_t>> findQuote(std::string_view chunk,
                                                     std::string_view quote);

// The facts a sentence asserts that its quote must carry: numbers (with a currency sign or %
// when written), identifier-like tokens (CamelCase, ALLCAPS, letters mixed with digits, '_' or
// '-' joined codes) and "quoted names". In order of appearance, without duplicates.
std::vector<std::string> factTokens(std::string_view sentence);

}  // namespace ward::answer
