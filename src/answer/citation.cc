// Citation verification; the rules and the normalisation are documented in
// include/ward/answer/citation.h and docs/design/answer.md.
#include "ward/answer/citation.h"

#include <utf8proc.h>

#include <algorithm>
#include <set>

namespace ward::answer {

namespace {

bool isWhiteSpace(utf8proc_int32_t cp) {
  if (cp == '\t' || cp == '\n' || cp == '\r' || cp == '\f' || cp == '\v') return true;
  auto cat = utf8proc_category(cp);
  return cat == UTF8PROC_CATEGORY_ZS || cat == UTF8PROC_CATEGORY_ZL || cat == UTF8PROC_CATEGORY_ZP;
}

utf8proc_int32_t straightenQuote(utf8proc_int32_t cp) {
  switch (cp) {
    case 0x2018:
    case 0x2019:
    case 0x201A:
    case 0x201B:
    case 0x2032:
      return '\'';
    case 0x201C:
    case 0x201D:
    case 0x201E:
    case 0x201F:
    case 0x2033:
      return '"';
    default:
      return cp;
  }
}

size_t codePoints(std::string_view s) {
  size_t n = 0;
  for (char c : s) {
    if ((static_cast<unsigned char>(c) & 0xC0) != 0x80) ++n;
  }
  return n;
}

bool isAsciiAlnum(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}
bool isWordByte(char c) { return isAsciiAlnum(c) || (static_cast<unsigned char>(c) & 0x80); }

// Words of normalised text: runs of letters/digits (non-ASCII bytes count as letters) with
// '-', '_', '.', ',', ':' or '/' kept only between two word characters. Each with its span.
struct Word {
  size_t start = 0;
  size_t end = 0;
};
std::vector<Word> words(const std::string& s) {
  std::vector<Word> out;
  size_t i = 0;
  while (i < s.size()) {
    if (!isWordByte(s[i])) {
      ++i;
      continue;
    }
    size_t j = i;
    while (j < s.size()) {
      if (isWordByte(s[j]) || s[j] == '_') {
        ++j;
      } else if (std::string_view("-.,:/").find(s[j]) != std::string_view::npos &&
                 j + 1 < s.size() && isWordByte(s[j + 1]) && j > i) {
        ++j;
      } else {
        break;
      }
    }
    out.push_back(Word{i, j});
    i = j;
  }
  return out;
}

bool hasDigit(std::string_view w) {
  return std::any_of(w.begin(), w.end(), [](char c) { return c >= '0' && c <= '9'; });
}

bool identifierLike(std::string_view w) {
  if (w.find('_') != std::string_view::npos) return true;
  for (size_t i = 1; i < w.size(); ++i) {
    if (w[i] >= 'A' && w[i] <= 'Z') return true;
  }
  return false;
}

// A currency sign just before `at` (UTF-8), or "".
std::string currencyBefore(const std::string& s, size_t at) {
  static const char* const kSigns[] = {"$", "\xE2\x82\xAC", "\xC2\xA3", "\xC2\xA5"};  // $ € £ ¥
  for (const char* sign : kSigns) {
    size_t n = std::char_traits<char>::length(sign);
    if (at >= n && s.compare(at - n, n, sign) == 0) return sign;
  }
  return "";
}

// The fact tokens of normalised text; with `loose`, numbers are also listed without their
// currency sign or percent (what a quote offers: "87%" in a quote also backs "87").
std::vector<std::string> factsOf(const std::string& s, bool loose) {
  std::vector<std::string> out;
  std::set<std::string> seen;
  auto add = [&](std::string t) {
    if (!t.empty() && seen.insert(t).second) out.push_back(std::move(t));
  };
  // "Quoted names".
  size_t q = 0;
  while ((q = s.find('"', q)) != std::string::npos) {
    size_t e = s.find('"', q + 1);
    if (e == std::string::npos) break;
    std::string inner = s.substr(q + 1, e - q - 1);
    while (!inner.empty() && inner.back() == ' ') inner.pop_back();
    while (!inner.empty() && inner.front() == ' ') inner.erase(0, 1);
    if (!inner.empty() && inner.size() <= 200) add("\"" + inner + "\"");
    q = e + 1;
  }
  for (const Word& w : words(s)) {
    std::string word = s.substr(w.start, w.end - w.start);
    if (hasDigit(word)) {
      // A citation marker such as [1] is not a fact.
      bool marker =
          w.start > 0 && s[w.start - 1] == '[' && w.end < s.size() && s[w.end] == ']' &&
          std::all_of(word.begin(), word.end(), [](char c) { return c >= '0' && c <= '9'; });
      if (marker) continue;
      std::string sign = currencyBefore(s, w.start);
      bool percent = w.end < s.size() && s[w.end] == '%';
      add(sign + word + (percent ? "%" : ""));
      if (loose) add(word);
    } else if (identifierLike(word)) {
      add(word);
    }
  }
  return out;
}

}  // namespace

std::string_view citationRuleName(CitationRule rule) {
  switch (rule) {
    case CitationRule::kRetrieved:
      return "retrieved";
    case CitationRule::kReadable:
      return "readable";
    case CitationRule::kQuote:
      return "quote";
    case CitationRule::kFacts:
      return "facts";
  }
  return "unknown";
}

Json Citation::toJson() const {
  return {{"doc_id", doc_id},         {"version", version},   {"chunk", chunk},
          {"char_start", char_start}, {"char_end", char_end}, {"quote", quote}};
}

Json CheckedCitation::toJson() const {
  Json j = citation.toJson();
  Json passed_names = Json::array();
  for (CitationRule r : passed) passed_names.push_back(std::string(citationRuleName(r)));
  j["checks_passed"] = passed_names;
  j["verified"] = verified();
  if (failed) {
    j["failed_rule"] = std::string(citationRuleName(*failed));
    j["detail"] = detail;
  }
  return j;
}

NormalizedText normalizeForQuote(std::string_view text) {
  NormalizedText out;
  out.text.reserve(text.size());
  out.origin.reserve(text.size());
  const auto* p = reinterpret_cast<const utf8proc_uint8_t*>(text.data());
  utf8proc_ssize_t left = static_cast<utf8proc_ssize_t>(text.size());
  uint32_t index = 0;
  bool pending_space = false;
  auto emit = [&](utf8proc_int32_t cp) {
    if (isWhiteSpace(cp)) {
      pending_space = !out.text.empty();
      return;
    }
    if (utf8proc_category(cp) == UTF8PROC_CATEGORY_CF) return;  // zero-width, soft hyphen
    if (pending_space) {
      out.text += ' ';
      out.origin.push_back(index);
      pending_space = false;
    }
    utf8proc_uint8_t buf[4];
    utf8proc_ssize_t n = utf8proc_encode_char(straightenQuote(cp), buf);
    for (utf8proc_ssize_t b = 0; b < n; ++b) {
      out.text += static_cast<char>(buf[b]);
      out.origin.push_back(index);
    }
  };
  while (left > 0) {
    utf8proc_int32_t cp = 0;
    utf8proc_ssize_t used = utf8proc_iterate(p, left, &cp);
    if (used <= 0) {  // an invalid byte: kept as it is, one code point
      out.text += static_cast<char>(*p);
      out.origin.push_back(index);
      ++p;
      --left;
      ++index;
      continue;
    }
    utf8proc_int32_t decomposed[18];
    int boundclass = 0;
    utf8proc_ssize_t count = utf8proc_decompose_char(
        cp, decomposed, 18, static_cast<utf8proc_option_t>(UTF8PROC_COMPAT | UTF8PROC_DECOMPOSE),
        &boundclass);
    if (count < 0 || count > 18) {
      emit(cp);
    } else {
      for (utf8proc_ssize_t d = 0; d < count; ++d) emit(decomposed[d]);
    }
    p += used;
    left -= used;
    ++index;
  }
  return out;
}

std::optional<std::pair<int64_t, int64_t>> findQuote(std::string_view chunk,
                                                     std::string_view quote) {
  NormalizedText q = normalizeForQuote(quote);
  if (q.text.empty()) return std::nullopt;
  NormalizedText c = normalizeForQuote(chunk);
  size_t pos = c.text.find(q.text);
  if (pos == std::string::npos) return std::nullopt;
  return std::make_pair(static_cast<int64_t>(c.origin[pos]),
                        static_cast<int64_t>(c.origin[pos + q.text.size() - 1]) + 1);
}

std::vector<std::string> factTokens(std::string_view sentence) {
  return factsOf(normalizeForQuote(sentence).text, false);
}

CheckedCitation verifyCitation(std::string_view sentence, const Citation& citation,
                               const std::vector<Passage>& retrieved, const ReadableNow& readable) {
  CheckedCitation out;
  out.citation = citation;
  auto fail = [&](CitationRule rule, std::string detail) {
    out.failed = rule;
    out.detail = std::move(detail);
    return out;
  };
  const Passage* passage = nullptr;
  for (const Passage& p : retrieved) {
    if (p.doc_id == citation.doc_id && p.chunk == citation.chunk &&
        (citation.version == 0 || p.version == citation.version)) {
      passage = &p;
      break;
    }
  }
  if (passage == nullptr) {
    return fail(CitationRule::kRetrieved, "chunk " + std::to_string(citation.chunk) + " of '" +
                                              citation.doc_id + "' was not retrieved in this turn");
  }
  out.citation.version = passage->version;
  out.passed.push_back(CitationRule::kRetrieved);

  if (!readable || !readable(*passage)) {
    return fail(CitationRule::kReadable, "'" + citation.doc_id + "' is no longer readable");
  }
  out.passed.push_back(CitationRule::kReadable);

  NormalizedText q = normalizeForQuote(citation.quote);
  if (codePoints(q.text) < kMinQuoteCodePoints) {
    return fail(CitationRule::kQuote,
                "quote shorter than " + std::to_string(kMinQuoteCodePoints) + " characters");
  }
  auto span = findQuote(passage->text, citation.quote);
  if (!span) return fail(CitationRule::kQuote, "quote not found in the chunk");
  out.citation.char_start = span->first;
  out.citation.char_end = span->second;
  out.passed.push_back(CitationRule::kQuote);

  std::vector<std::string> offered = factsOf(q.text, true);
  std::set<std::string> have(offered.begin(), offered.end());
  for (const std::string& fact : factTokens(sentence)) {
    bool found = fact.front() == '"'
                     ? q.text.find(fact.substr(1, fact.size() - 2)) != std::string::npos
                     : have.count(fact) > 0;
    if (!found) return fail(CitationRule::kFacts, fact + " is not in the quote");
  }
  out.passed.push_back(CitationRule::kFacts);
  return out;
}

}  // namespace ward::answer
