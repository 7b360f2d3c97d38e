#include "ward/text/analyzer.h"

#include <libstemmer.h>
#include <utf8proc.h>

#include <array>
#include <cstdlib>
#include <cstring>
#include <string>
#include <unordered_map>
#include <unordered_set>

#include "ward/common/string_table.h"

namespace ward::text {

namespace {

// Lucene's English stopword set: small on purpose, so queries rarely lose meaning.
const std::unordered_set<std::string_view>& stopwords() {
  static const std::unordered_set<std::string_view> kWords = {
      "a",   "an",    "and",  "are",   "as",    "at",   "be",   "but", "by",  "for",  "if",
      "in",  "into",  "is",   "it",    "no",    "not",  "of",   "on",  "or",  "such", "that",
      "the", "their", "then", "there", "these", "they", "this", "to",  "was", "will", "with"};
  return kWords;
}

enum CharClass : uint8_t { kOther = 0, kAlpha = 1, kDigit = 2, kJoiner = 3 };

std::array<uint8_t, 128> makeAsciiTable() {
  std::array<uint8_t, 128> t{};
  for (int c = 0; c < 128; ++c) {
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'))
      t[c] = kAlpha;
    else if (c >= '0' && c <= '9')
      t[c] = kDigit;
    else if (c == '-' || c == '_')
      t[c] = kJoiner;
    else
      t[c] = kOther;
  }
  return t;
}

const std::array<uint8_t, 128> kAscii = makeAsciiTable();

// Class of the code point starting at s[i]; sets `len` to its byte length.
uint8_t classify(std::string_view s, size_t i, size_t* len) {
  unsigned char c = static_cast<unsigned char>(s[i]);
  if (c < 0x80) {
    *len = 1;
    return kAscii[c];
  }
  utf8proc_int32_t cp;
  utf8proc_ssize_t n = utf8proc_iterate(reinterpret_cast<const utf8proc_uint8_t*>(s.data() + i),
                                        static_cast<utf8proc_ssize_t>(s.size() - i), &cp);
  if (n <= 0) {
    *len = 1;
    return kOther;
  }
  *len = static_cast<size_t>(n);
  switch (utf8proc_category(cp)) {
    case UTF8PROC_CATEGORY_LU:
    case UTF8PROC_CATEGORY_LL:
    case UTF8PROC_CATEGORY_LT:
    case UTF8PROC_CATEGORY_LM:
    case UTF8PROC_CATEGORY_LO:
    case UTF8PROC_CATEGORY_MN:
    case UTF8PROC_CATEGORY_MC:
    case UTF8PROC_CATEGORY_ME:
      return kAlpha;
    case UTF8PROC_CATEGORY_ND:
    case UTF8PROC_CATEGORY_NL:
    case UTF8PROC_CATEGORY_NO:
      return kDigit;
    default:
      return kOther;
  }
}

}  // namespace

struct Analyzer::Impl {
  // A stem and its hash (StringTable's), computed once per distinct word.
  struct Stem {
    std::string term;
    uint64_t hash = 0;
  };
  sb_stemmer* stemmer = nullptr;
  StringTable<Stem> stem_cache;  // normalized word -> stem

  Impl() { stemmer = sb_stemmer_new("english", "UTF_8"); }
  ~Impl() {
    if (stemmer) sb_stemmer_delete(stemmer);
  }

  // Lowercases ASCII in place, or NFKC-casefolds and strips accents for non-ASCII.
  static void normalize(std::string_view raw, bool ascii, std::string& out) {
    out.clear();
    if (ascii) {
      out.resize(raw.size());
      for (size_t i = 0; i < raw.size(); ++i) {
        char c = raw[i];
        out[i] = (c >= 'A' && c <= 'Z') ? static_cast<char>(c + 32) : c;
      }
      return;
    }
    utf8proc_uint8_t* mapped = nullptr;
    utf8proc_ssize_t n = utf8proc_map(
        reinterpret_cast<const utf8proc_uint8_t*>(raw.data()),
        static_cast<utf8proc_ssize_t>(raw.size()), &mapped,
        static_cast<utf8proc_option_t>(UTF8PROC_STABLE | UTF8PROC_COMPOSE | UTF8PROC_COMPAT |
                                       UTF8PROC_CASEFOLD | UTF8PROC_STRIPMARK | UTF8PROC_IGNORE));
    if (n >= 0 && mapped) out.assign(reinterpret_cast<char*>(mapped), static_cast<size_t>(n));
    std::free(mapped);
  }

  // The reference is valid until the next call.
  const Stem& stem(const std::string& word) {
    const uint64_t h = StringTable<Stem>::hash(word);
    if (const auto* e = stem_cache.find(word, h)) return e->value;
    Stem stemmed{word, 0};
    if (stemmer) {
      const sb_symbol* s = sb_stemmer_stem(stemmer, reinterpret_cast<const sb_symbol*>(word.data()),
                                           static_cast<int>(word.size()));
      if (s) stemmed.term.assign(reinterpret_cast<const char*>(s), sb_stemmer_length(stemmer));
    }
    stemmed.hash = StringTable<Stem>::hash(stemmed.term);
    if (stem_cache.size() > 1'000'000) stem_cache.clear();  // bound memory on odd corpora
    return stem_cache.insert(word, h, std::move(stemmed)).first->value;
  }

  // Emits tokens. `sink(term, hash, position, start, end, identifier)`: `hash` is the term's
  // StringTable hash when a stem brings it, else 0 (not computed).
  // `first_bytes`, when given, names the first bytes a wanted term can start with: a word starting
  // with another byte is not stemmed and reaches the sink with an empty term (see forEachToken).
  template <typename Sink>
  void run(std::string_view text, Sink&& sink, const std::array<bool, 256>* first_bytes = nullptr) {
    static const std::string kNoTerm;
    uint32_t position = 0;
    std::string norm, part_norm;
    size_t i = 0;
    const size_t n = text.size();
    while (i < n) {
      size_t len;
      uint8_t cls = classify(text, i, &len);
      if (cls != kAlpha && cls != kDigit) {
        i += len;
        continue;
      }
      // Scan a compound: word (joiner word)*
      size_t compound_start = i;
      size_t parts_begin[16], parts_end[16];
      bool parts_ascii[16], parts_alpha[16];
      int nparts = 0;
      size_t j = i;
      while (true) {
        size_t ws = j;
        bool ascii = true, has_alpha = false, has_digit = false;
        while (j < n) {
          size_t l;
          uint8_t c = classify(text, j, &l);
          if (c != kAlpha && c != kDigit) break;
          if (l > 1) ascii = false;
          if (c == kAlpha)
            has_alpha = true;
          else
            has_digit = true;
          j += l;
        }
        if (nparts < 16) {
          parts_begin[nparts] = ws;
          parts_end[nparts] = j;
          parts_ascii[nparts] = ascii;
          parts_alpha[nparts] = has_alpha && !has_digit;
          ++nparts;
        }
        if (nparts == 16) break;  // a longer run continues as a new compound: no part is lost
        // A joiner followed by a word character continues the compound.
        if (j + 1 < n && kAscii[static_cast<unsigned char>(text[j]) & 0x7F] == kJoiner &&
            static_cast<unsigned char>(text[j]) < 0x80) {
          size_t l2;
          uint8_t next = classify(text, j + 1, &l2);
          if (next == kAlpha || next == kDigit) {
            ++j;
            continue;
          }
        }
        break;
      }
      size_t compound_end = j;
      i = j;
      bool first_kept = true;
      uint32_t compound_pos = position;
      if (nparts > 1) {
        std::string_view raw = text.substr(compound_start, compound_end - compound_start);
        bool ascii = true;
        for (int p = 0; p < nparts; ++p) ascii = ascii && parts_ascii[p];
        normalize(raw, ascii, norm);
        if (!norm.empty() && norm.size() <= 128) {
          sink(norm, uint64_t{0}, compound_pos, static_cast<uint32_t>(compound_start),
               static_cast<uint32_t>(compound_end), true);
        }
      }
      for (int p = 0; p < nparts; ++p) {
        std::string_view raw = text.substr(parts_begin[p], parts_end[p] - parts_begin[p]);
        normalize(raw, parts_ascii[p], part_norm);
        if (part_norm.empty() || part_norm.size() > 64) continue;
        // No stopword is longer than 5 bytes: most words skip the set lookup.
        if (parts_alpha[p] && part_norm.size() <= 5 && stopwords().count(part_norm)) continue;
        const bool skip = first_bytes && !(*first_bytes)[static_cast<unsigned char>(part_norm[0])];
        const Stem* stemmed = skip || !parts_alpha[p] ? nullptr : &stem(part_norm);
        const std::string& term = skip ? kNoTerm : stemmed ? stemmed->term : part_norm;
        sink(term, stemmed ? stemmed->hash : uint64_t{0}, position,
             static_cast<uint32_t>(parts_begin[p]), static_cast<uint32_t>(parts_end[p]), false);
        ++position;
        first_kept = false;
      }
      (void)first_kept;
    }
  }
};

Analyzer::Analyzer() : impl_(std::make_unique<Impl>()) {}
Analyzer::~Analyzer() = default;

void Analyzer::analyze(std::string_view text, std::vector<Token>& out) {
  impl_->run(text,
             [&](const std::string& term, uint64_t, uint32_t pos, uint32_t s, uint32_t e, bool id) {
               out.push_back(Token{term, pos, s, e, id});
             });
}

void Analyzer::terms(std::string_view text, std::vector<std::string>& out) {
  impl_->run(text, [&](const std::string& term, uint64_t, uint32_t, uint32_t, uint32_t, bool) {
    out.push_back(term);
  });
}

void Analyzer::forEachTerm(std::string_view text,
                           const std::function<void(const std::string&)>& f) {
  impl_->run(text, [&](const std::string& term, uint64_t, uint32_t, uint32_t, uint32_t, bool) {
    f(term);
  });
}

void Analyzer::forEachHashedTerm(std::string_view text,
                                 const std::function<void(const std::string&, uint64_t)>& f) {
  impl_->run(text, [&](const std::string& term, uint64_t hash, uint32_t, uint32_t, uint32_t, bool) {
    f(term, hash != 0 ? hash : StringTable<Impl::Stem>::hash(term));
  });
}

void Analyzer::forEachToken(
    std::string_view text, const std::array<bool, 256>& first_bytes,
    const std::function<void(const std::string& term, uint32_t start, uint32_t end)>& f) {
  impl_->run(
      text,
      [&](const std::string& term, uint64_t, uint32_t, uint32_t s, uint32_t e, bool) {
        f(term, s, e);
      },
      &first_bytes);
}

bool Analyzer::isStopword(std::string_view word) { return stopwords().count(word) > 0; }

bool Analyzer::looksLikeIdentifier(std::string_view word) {
  bool joiner_inside = false;
  for (size_t i = 1; i + 1 < word.size(); ++i) {
    if (word[i] == '-' || word[i] == '_') joiner_inside = true;
  }
  return joiner_inside;
}

Analyzer& threadAnalyzer() {
  thread_local Analyzer analyzer;
  return analyzer;
}

}  // namespace ward::text
