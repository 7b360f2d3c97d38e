// Parses the user's query text into index terms, phrases and required identifiers.
//
// Syntax: words are OR-scored; "quoted phrases" must occur in order (their words also score);
// identifiers such as INV-2024-0042 or ERR_TIMEOUT must occur exactly; +word and +"phrase" are
// always required. A long query (kLongQueryWords content words or more outside quotes: a pasted
// question or paragraph) drops function words, and its quoted spans boost instead of filtering.
// docs/design/search.md has the rules and why.
#pragma once

#include <string>

#include "ward/common/config.h"
#include "ward/common/status.h"
#include "ward/index/index.h"

namespace ward::search {

// Content words outside quotes (not stopwords, not function words) from which a query is long.
inline constexpr int kLongQueryWords = 6;
// Weight of each word of a quoted span inside a long query (other words weigh 1).
inline constexpr double kQuotedBoost = 2.0;

struct ParsedQuery {
  std::vector<index::QueryTerm> terms;
  std::vector<std::vector<std::string>> phrases;
  std::vector<std::string> required;
  std::vector<std::string> highlight_terms;  // analyzed terms to highlight in snippets
};

// InvalidArgument for an empty query, one over max_query_bytes or with more than max_query_terms.
Result<ParsedQuery> parseQuery(const std::string& text, const SearchConfig& config);

}  // namespace ward::search
