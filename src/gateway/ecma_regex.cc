// ECMA-262 -> RE2 translation (the table is in ecma_regex.h). The translator is one loop over the
// pattern with no recursion, so a deeply nested pattern cannot exhaust the stack either.
#include "ecma_regex.h"

#include <re2/re2.h>

#include <cctype>
#include <cstdint>
#include <cstdio>

namespace ward::gateway {

namespace {

// ECMA-262 WhiteSpace and LineTerminator code points (what \s matches), as class contents.
constexpr char kSpaceSet[] =
    "\\t\\n\\x0B\\f\\r \\x{A0}\\x{1680}\\x{2000}-\\x{200A}\\x{2028}\\x{2029}\\x{202F}\\x{205F}"
    "\\x{3000}\\x{FEFF}";
// ECMA-262 `.`: anything but a line terminator.
constexpr char kDot[] = "[^\\n\\r\\x{2028}\\x{2029}]";

// Long general-category names ECMA-262 accepts, mapped to the short names RE2 knows.
struct CategoryName {
  const char* ecma;
  const char* re2;
};
constexpr CategoryName kCategories[] = {
    {"Letter", "L"},
    {"Uppercase_Letter", "Lu"},
    {"Lowercase_Letter", "Ll"},
    {"Titlecase_Letter", "Lt"},
    {"Modifier_Letter", "Lm"},
    {"Other_Letter", "Lo"},
    {"Mark", "M"},
    {"Combining_Mark", "M"},
    {"Nonspacing_Mark", "Mn"},
    {"Spacing_Mark", "Mc"},
    {"Enclosing_Mark", "Me"},
    {"Number", "N"},
    {"Decimal_Number", "Nd"},
    {"digit", "Nd"},
    {"Letter_Number", "Nl"},
    {"Other_Number", "No"},
    {"Punctuation", "P"},
    {"punct", "P"},
    {"Connector_Punctuation", "Pc"},
    {"Dash_Punctuation", "Pd"},
    {"Open_Punctuation", "Ps"},
    {"Close_Punctuation", "Pe"},
    {"Initial_Punctuation", "Pi"},
    {"Final_Punctuation", "Pf"},
    {"Other_Punctuation", "Po"},
    {"Symbol", "S"},
    {"Math_Symbol", "Sm"},
    {"Currency_Symbol", "Sc"},
    {"Modifier_Symbol", "Sk"},
    {"Other_Symbol", "So"},
    {"Separator", "Z"},
    {"Space_Separator", "Zs"},
    {"Line_Separator", "Zl"},
    {"Paragraph_Separator", "Zp"},
    {"Other", "C"},
    {"Control", "Cc"},
    {"cntrl", "Cc"},
    {"Format", "Cf"},
    {"Surrogate", "Cs"},
    {"Private_Use", "Co"},
    {"Unassigned", "Cn"},
};

bool isHex(char c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

std::string codePoint(uint32_t cp) {
  char buf[16];
  std::snprintf(buf, sizeof(buf), "\\x{%X}", static_cast<unsigned>(cp));
  return buf;
}

// The pattern being translated: a cursor over its bytes and the output.
class Translator {
 public:
  explicit Translator(std::string_view in) : in_(in) {}

  Result<std::string> run() {
    while (i_ < in_.size()) {
      const char c = in_[i_];
      if (c == '\\') {
        WARD_RETURN_IF_ERROR(escape(false));
      } else if (c == '[') {
        WARD_RETURN_IF_ERROR(charClass());
      } else if (c == '(') {
        WARD_RETURN_IF_ERROR(group());
      } else if (c == '.') {
        out_ += kDot;
        ++i_;
      } else if (c == '{') {
        quantifierOrBrace();
      } else if (c == ']' || c == '}') {
        out_ += '\\';
        out_ += c;
        ++i_;
      } else {
        out_ += c;  // ^ $ | ) * + ? and literals, UTF-8 bytes included
        ++i_;
      }
    }
    return out_;
  }

 private:
  Status fail(const std::string& why) const {
    return Status::invalidArgument(why + " at offset " + std::to_string(i_));
  }

  // `(`: a plain, non-capturing or named group; lookaround and modifiers are refused.
  Status group() {
    if (in_.compare(i_, 2, "(?") != 0) {
      out_ += '(';
      ++i_;
      return Status();
    }
    const std::string_view rest = in_.substr(i_ + 2);
    if (rest.substr(0, 1) == ":") {
      out_ += "(?:";
      i_ += 3;
      return Status();
    }
    if (rest.substr(0, 1) == "=" || rest.substr(0, 1) == "!") {
      return fail("lookahead (?" + std::string(rest.substr(0, 1)) +
                  " is not supported (RE2 matches in linear time and has no lookaround)");
    }
    if (rest.substr(0, 2) == "<=" || rest.substr(0, 2) == "<!") {
      return fail("lookbehind (?" + std::string(rest.substr(0, 2)) +
                  " is not supported (RE2 matches in linear time and has no lookaround)");
    }
    if (rest.substr(0, 1) == "<") {
      const size_t end = rest.find('>');
      if (end == std::string_view::npos || end == 1) return fail("unterminated group name");
      out_ += "(?P<" + std::string(rest.substr(1, end - 1)) + ">";
      i_ += 2 + end + 1;
      return Status();
    }
    return fail("group modifier '(?" + std::string(rest.substr(0, 1)) + "' is not supported");
  }

  // `{`: a well-formed quantifier {n}, {n,}, {n,m} is kept; otherwise a literal brace.
  void quantifierOrBrace() {
    size_t j = i_ + 1;
    auto digits = [&] {
      const size_t start = j;
      while (j < in_.size() && in_[j] >= '0' && in_[j] <= '9') ++j;
      return j > start;
    };
    bool ok = digits();
    if (ok && j < in_.size() && in_[j] == ',') {
      ++j;
      digits();
    }
    ok = ok && j < in_.size() && in_[j] == '}';
    if (ok) {
      out_.append(in_.substr(i_, j + 1 - i_));
      i_ = j + 1;
    } else {
      out_ += "\\{";
      ++i_;
    }
  }

  // `\uXXXX` (and a following low surrogate), `\u{X}`: the code point, or an error.
  Result<uint32_t> unicodeEscape() {
    // i_ is at 'u'
    if (i_ + 1 < in_.size() && in_[i_ + 1] == '{') {
      const size_t end = in_.find('}', i_ + 2);
      if (end == std::string_view::npos || end == i_ + 2 || end - (i_ + 2) > 6) {
        return fail("malformed \\u{...} escape");
      }
      uint32_t cp = 0;
      for (size_t k = i_ + 2; k < end; ++k) {
        if (!isHex(in_[k])) return fail("malformed \\u{...} escape");
        cp = cp * 16 + static_cast<uint32_t>(std::stoul(std::string(1, in_[k]), nullptr, 16));
      }
      i_ = end + 1;
      if (cp > 0x10FFFF) return fail("\\u{...} beyond U+10FFFF");
      if (cp >= 0xD800 && cp <= 0xDFFF) return fail("a lone surrogate cannot match UTF-8 text");
      return cp;
    }
    auto four = [&](size_t at) -> int64_t {
      if (at + 4 > in_.size()) return -1;
      for (size_t k = at; k < at + 4; ++k)
        if (!isHex(in_[k])) return -1;
      return static_cast<int64_t>(std::stoul(std::string(in_.substr(at, 4)), nullptr, 16));
    };
    const int64_t hi = four(i_ + 1);
    if (hi < 0) return fail("\\u needs four hex digits");
    i_ += 5;
    if (hi >= 0xD800 && hi <= 0xDBFF && in_.compare(i_, 2, "\\u") == 0) {
      const int64_t lo = four(i_ + 2);
      if (lo >= 0xDC00 && lo <= 0xDFFF) {
        i_ += 6;
        return static_cast<uint32_t>(0x10000 + ((hi - 0xD800) << 10) + (lo - 0xDC00));
      }
    }
    if (hi >= 0xD800 && hi <= 0xDFFF) return fail("a lone surrogate cannot match UTF-8 text");
    return static_cast<uint32_t>(hi);
  }

  // `\p{...}` / `\P{...}` -> RE2's class of the same meaning, or an error.
  Result<std::string> property() {
    const char kind = in_[i_];  // 'p' or 'P'
    if (i_ + 1 >= in_.size() || in_[i_ + 1] != '{') return fail("\\p needs {Name}");
    const size_t end = in_.find('}', i_ + 2);
    if (end == std::string_view::npos) return fail("unterminated \\p{...}");
    std::string name(in_.substr(i_ + 2, end - (i_ + 2)));
    i_ = end + 1;
    const size_t eq = name.find('=');
    if (eq != std::string::npos) {
      const std::string key = name.substr(0, eq);
      if (key != "General_Category" && key != "gc" && key != "Script" && key != "sc") {
        return fail("Unicode property '" + key + "' is not supported (RE2 knows general " +
                    "categories and scripts)");
      }
      name = name.substr(eq + 1);
    }
    for (const CategoryName& c : kCategories) {
      if (name == c.ecma) name = c.re2;
    }
    for (char ch : name) {
      if (!std::isalnum(static_cast<unsigned char>(ch)) && ch != '_') {
        return fail("malformed Unicode property name '" + name + "'");
      }
    }
    return std::string("\\") + kind + "{" + name + "}";
  }

  // An escape; in a class, `extra` collects what must be OR-ed to the class (\S).
  Status escape(bool in_class, bool negated_class = false, std::string* extra = nullptr) {
    if (i_ + 1 >= in_.size()) return fail("the pattern ends with a lone backslash");
    ++i_;  // at the escaped character
    const char c = in_[i_];
    switch (c) {
      case 'd':
      case 'D':
      case 'w':
      case 'W':
      case 't':
      case 'n':
      case 'r':
      case 'f':
        out_ += '\\';
        out_ += c;
        ++i_;
        return Status();
      case 'b':
      case 'B':
        if (in_class && c == 'b') {
          out_ += "\\x08";  // [\b] is a backspace
        } else if (in_class) {
          return fail("\\B inside a character class");
        } else {
          out_ += '\\';
          out_ += c;
        }
        ++i_;
        return Status();
      case 's':
        out_ += in_class ? std::string(kSpaceSet) : "[" + std::string(kSpaceSet) + "]";
        ++i_;
        return Status();
      case 'S':
        if (!in_class) {
          out_ += "[^" + std::string(kSpaceSet) + "]";
        } else if (negated_class) {
          return fail("\\S inside a negated character class is not supported");
        } else {
          *extra += "|[^" + std::string(kSpaceSet) + "]";
        }
        ++i_;
        return Status();
      case 'v':
        out_ += "\\x0B";
        ++i_;
        return Status();
      case '0':
        if (i_ + 1 < in_.size() && in_[i_ + 1] >= '0' && in_[i_ + 1] <= '9') {
          return fail("octal escapes are not supported");
        }
        out_ += "\\x00";
        ++i_;
        return Status();
      case 'x':
        if (i_ + 2 >= in_.size() || !isHex(in_[i_ + 1]) || !isHex(in_[i_ + 2])) {
          return fail("\\x needs two hex digits");
        }
        out_ += "\\x{" + std::string(in_.substr(i_ + 1, 2)) + "}";
        i_ += 3;
        return Status();
      case 'u': {
        WARD_ASSIGN_OR_RETURN(uint32_t cp, unicodeEscape());
        out_ += codePoint(cp);
        return Status();
      }
      case 'c':
        if (i_ + 1 < in_.size() && std::isalpha(static_cast<unsigned char>(in_[i_ + 1]))) {
          out_ += codePoint(static_cast<unsigned char>(in_[i_ + 1]) % 32);
          i_ += 2;
          return Status();
        }
        return fail("\\c needs a letter");
      case 'p':
      case 'P': {
        WARD_ASSIGN_OR_RETURN(std::string cls, property());
        out_ += cls;
        return Status();
      }
      case 'k':
        return fail("named backreferences (\\k<name>) are not supported (RE2 has none)");
      default:
        break;
    }
    if (c >= '1' && c <= '9') {
      return fail("backreferences (\\" + std::string(1, c) + ") are not supported (RE2 has none)");
    }
    if (std::isalnum(static_cast<unsigned char>(c)) || c == '_') {
      return fail("unknown escape '\\" + std::string(1, c) + "'");
    }
    if (static_cast<unsigned char>(c) >= 0x80) {
      return Status();  // an escaped non-ASCII character is itself; the loop copies its bytes
    }
    out_ += '\\';  // escaped punctuation: RE2 reads it the same way
    out_ += c;
    ++i_;
    return Status();
  }

  // `[...]`: copied with ECMA-262's meaning; `[^]` is any code point, `[]` none.
  Status charClass() {
    const size_t start = i_;
    ++i_;
    const bool negated = i_ < in_.size() && in_[i_] == '^';
    if (negated) ++i_;
    if (i_ < in_.size() && in_[i_] == ']') {
      out_ += negated ? "[\\x00-\\x{10FFFF}]" : "[^\\x00-\\x{10FFFF}]";
      ++i_;
      return Status();
    }
    std::string extra;
    const size_t open_at = out_.size();
    out_ += negated ? "[^" : "[";
    while (true) {
      if (i_ >= in_.size()) {
        i_ = start;
        return fail("unterminated character class");
      }
      const char c = in_[i_];
      if (c == ']') {
        ++i_;
        break;
      }
      if (c == '\\') {
        WARD_RETURN_IF_ERROR(escape(true, negated, &extra));
      } else if (c == '[') {
        out_ += "\\[";
        ++i_;
      } else {
        out_ += c;
        ++i_;
      }
    }
    out_ += ']';
    if (!extra.empty()) {
      const bool only_extra = out_.size() == open_at + 2;  // "[]": nothing but \S in it
      if (only_extra) out_.resize(open_at);
      out_ += only_extra ? "(?:" + extra.substr(1) + ")" : "";
      if (!only_extra) {
        out_.insert(open_at, "(?:");
        out_ += extra + ")";
      }
    }
    return Status();
  }

  std::string_view in_;
  size_t i_ = 0;
  std::string out_;
};

}  // namespace

Result<std::string> translateEcmaPattern(std::string_view ecma) {
  if (ecma.size() > kMaxPatternBytes) {
    return Status::invalidArgument("longer than " + std::to_string(kMaxPatternBytes) + " bytes");
  }
  return Translator(ecma).run();
}

EcmaRegex::EcmaRegex() = default;
EcmaRegex::~EcmaRegex() = default;

Result<std::shared_ptr<const EcmaRegex>> EcmaRegex::compile(std::string_view ecma) {
  auto prefix = [&] { return "pattern '" + std::string(ecma.substr(0, 200)) + "': "; };
  auto translated = translateEcmaPattern(ecma);
  if (!translated.ok()) return Status::invalidArgument(prefix() + translated.status().message());
  RE2::Options options;
  options.set_encoding(RE2::Options::EncodingUTF8);
  options.set_log_errors(false);
  options.set_never_capture(true);  // only "does it match" is asked
  options.set_max_mem(kMaxPatternMemoryBytes);
  std::shared_ptr<EcmaRegex> out(new EcmaRegex());
  out->translated_ = std::move(*translated);
  out->re_ = std::make_unique<RE2>(out->translated_, options);
  if (!out->re_->ok()) {
    return Status::invalidArgument(prefix() + "RE2 cannot express it: " + out->re_->error());
  }
  return std::shared_ptr<const EcmaRegex>(std::move(out));
}

bool EcmaRegex::search(std::string_view text) const {
  return RE2::PartialMatch(re2::StringPiece(text.data(), text.size()), *re_);
}

}  // namespace ward::gateway
