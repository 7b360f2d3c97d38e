// Source code: the file itself is the extracted text, split into kCode units on function and class
// boundaries with light per-family heuristics (no real parsing):
//  - indentation languages (Python, Ruby): def/class at column 0, and methods one level inside a
//    class ("Class.method");
//  - brace languages (C, C++, Java, JS/TS, Go, Rust, shell...): declarations seen where no function
//    body is open, confirmed by a "{" before any ";", ending where their brace closes. Braces
//    inside strings and comments are skipped roughly. Members of classes, structs, impls and
//    interfaces become "Type.member" units; namespaces are looked through.
// Comments, attributes and decorators directly above a unit (no blank line between) belong to it.
// The code between units becomes units with an empty symbol.
#include <string>
#include <utility>

#include "parsers.h"

namespace ward::ingest {

namespace {

enum class Family { kIndent, kBrace };

struct Language {
  Family family = Family::kBrace;
  bool hash_comments = false;  // '#' starts a line comment (shell, Python, Ruby)
  bool preprocessor = false;   // C/C++: '#' lines are skipped
  bool rust = false;           // 'a is a lifetime, not a character literal
  bool ruby = false;
};

Language languageFor(std::string_view filename) {
  size_t dot = filename.rfind('.');
  std::string ext = dot == std::string_view::npos ? "" : std::string(filename.substr(dot + 1));
  for (char& c : ext) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  Language lang;
  if (ext == "py") {
    lang.family = Family::kIndent;
    lang.hash_comments = true;
  } else if (ext == "rb") {
    lang.family = Family::kIndent;
    lang.hash_comments = true;
    lang.ruby = true;
  } else if (ext == "sh" || ext == "bash") {
    lang.hash_comments = true;
  } else if (ext == "c" || ext == "h" || ext == "cc" || ext == "cpp" || ext == "cxx" ||
             ext == "hpp" || ext == "hh" || ext == "hxx" || ext == "cs") {
    lang.preprocessor = true;
  } else if (ext == "rs") {
    lang.rust = true;
  }
  return lang;
}

bool isIdentChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
         c == '$' || static_cast<unsigned char>(c) >= 0x80;
}

bool startsWith(std::string_view s, std::string_view p) { return s.substr(0, p.size()) == p; }

// Leading identifier of `s` (after spaces).
std::string_view leadingIdent(std::string_view s) {
  size_t i = 0;
  while (i < s.size() && (s[i] == ' ' || s[i] == '\t' || s[i] == '*' || s[i] == '&')) ++i;
  size_t j = i;
  while (j < s.size() && isIdentChar(s[j])) ++j;
  return s.substr(i, j - i);
}

// Removes "kw " from the front of `s` when present; returns whether it did.
bool eat(std::string_view& s, std::string_view kw) {
  if (s.size() > kw.size() && startsWith(s, kw) && (s[kw.size()] == ' ' || s[kw.size()] == '\t')) {
    s.remove_prefix(kw.size());
    while (!s.empty() && (s[0] == ' ' || s[0] == '\t')) s.remove_prefix(1);
    return true;
  }
  return false;
}

struct Boundary {
  size_t pos;
  std::string symbol;
};

struct Line {
  size_t start;
  size_t end;  // excluding '\n'
};

class CodeSplitter {
 public:
  CodeSplitter(std::string_view text, Language lang) : text_(text), lang_(lang) {
    for (size_t pos = 0; pos < text.size();) {
      size_t nl = text.find('\n', pos);
      size_t end = nl == std::string_view::npos ? text.size() : nl;
      lines_.push_back({pos, end});
      pos = end + 1;
    }
    bounds_.push_back({0, ""});
  }

  std::vector<Block> split() {
    if (lines_.empty()) return {};
    if (lang_.family == Family::kIndent) {
      splitIndent();
    } else {
      splitBraces();
    }
    return makeBlocks();
  }

 private:
  std::string_view lineText(size_t i) const {
    return text_.substr(lines_[i].start, lines_[i].end - lines_[i].start);
  }

  bool isLeadingLine(std::string_view t) const {
    if (t.empty()) return false;
    if (lang_.hash_comments) return t[0] == '#' || (lang_.family == Family::kIndent && t[0] == '@');
    return startsWith(t, "//") || startsWith(t, "/*") || t[0] == '*' || startsWith(t, "#[") ||
           t[0] == '@' || startsWith(t, "template");
  }

  // Start of the unit whose first line is `line`, moved up over comments and attributes.
  size_t pullBack(size_t line) const {
    while (line > 0 && isLeadingLine(trimView(lineText(line - 1)))) --line;
    return lines_[line].start;
  }

  void addBoundary(size_t pos, std::string symbol) {
    if (pos <= bounds_.back().pos) {
      bounds_.back().symbol = std::move(symbol);
      return;
    }
    bounds_.push_back({pos, std::move(symbol)});
  }

  // --- indentation languages -------------------------------------------------------------------

  static std::string_view defName(std::string_view t, bool ruby, bool* is_class) {
    *is_class = false;
    eat(t, "async");
    if (eat(t, "def")) {
      size_t j = 0;
      while (j < t.size() && (isIdentChar(t[j]) || (ruby && (t[j] == '.' || t[j] == '?' ||
                                                             t[j] == '!' || t[j] == '=')))) {
        ++j;
      }
      return t.substr(0, j);
    }
    if (eat(t, "class") || (ruby && eat(t, "module"))) {
      *is_class = true;
      return leadingIdent(t);
    }
    return {};
  }

  void splitIndent() {
    enum class State { kTop, kDef, kClass } state = State::kTop;
    std::string class_name;
    size_t method_indent = 0;
    bool in_triple = false;
    for (size_t i = 0; i < lines_.size(); ++i) {
      std::string_view raw = lineText(i);
      size_t triples = 0;
      for (size_t p = raw.find("\"\"\""); p != std::string_view::npos;
           p = raw.find("\"\"\"", p + 3)) {
        ++triples;
      }
      for (size_t p = raw.find("'''"); p != std::string_view::npos; p = raw.find("'''", p + 3)) {
        ++triples;
      }
      bool was_in_triple = in_triple;
      if (triples % 2 == 1) in_triple = !in_triple;
      if (was_in_triple) continue;
      std::string_view t = trimView(raw);
      if (t.empty() || t[0] == '#') continue;
      size_t indent = static_cast<size_t>(t.data() - raw.data());
      bool decorator = t[0] == '@';
      size_t def_line = i;
      if (decorator) {
        // The unit is named by the def/class line below its decorators.
        while (def_line + 1 < lines_.size()) {
          std::string_view d = trimView(lineText(def_line));
          if (d.empty() || d[0] != '@') break;
          ++def_line;
        }
      }
      bool is_class = false;
      std::string_view name = defName(trimView(lineText(def_line)), lang_.ruby, &is_class);
      if (indent == 0) {
        if (!name.empty()) {
          addBoundary(pullBack(i), std::string(name));
          state = is_class ? State::kClass : State::kDef;
          if (is_class) {
            class_name = std::string(name);
            method_indent = 0;
          }
          i = def_line;
        } else if (t[0] == ')' || t[0] == ']' || t[0] == '}' ||
                   (lang_.ruby && (t == "end" || startsWith(t, "end ")))) {
          continue;
        } else if (state != State::kTop) {
          addBoundary(pullBack(i), "");
          state = State::kTop;
        }
        continue;
      }
      if (state != State::kClass) continue;
      if (method_indent == 0) method_indent = indent;
      if (indent == method_indent && !name.empty()) {
        addBoundary(pullBack(i), class_name + "." + std::string(name));
        i = def_line;
      }
    }
  }

  // --- brace languages -------------------------------------------------------------------------

  enum class Decl { kNone, kBody, kContainer, kTransparent };

  struct Scope {
    Decl kind;
    bool owns_unit;
    std::string symbol;
  };

  static bool isControlWord(std::string_view w) {
    static constexpr std::string_view kWords[] = {
        "if",     "else",    "for",    "while",         "do",      "switch",  "case",
        "return", "catch",   "try",    "sizeof",        "new",     "throw",   "delete",
        "typeof", "await",   "yield",  "with",          "when",    "match",   "loop",
        "elif",   "foreach", "using",  "lock",          "defer",   "go",      "select",
        "assert", "until",   "unless", "static_assert", "alignof", "decltype"};
    for (auto k : kWords) {
      if (k == w) return true;
    }
    return false;
  }

  static Decl classify(std::string_view s, std::string* name) {
    static constexpr std::string_view kModifiers[] = {
        "export",   "default", "public",    "private", "protected", "internal",
        "static",   "final",   "abstract",  "async",   "pub",       "unsafe",
        "inline",   "virtual", "constexpr", "sealed",  "override",  "synchronized",
        "native",   "declare", "open",      "data",    "partial",   "readonly",
        "explicit", "friend",  "get",       "set",     "extern",    "const fn"};
    if (startsWith(s, "extern \"C\"")) return Decl::kTransparent;
    if (startsWith(s, "template")) {
      // "template <typename T> class Foo {" on one line.
      size_t close = s.find('>');
      if (close == std::string_view::npos) return Decl::kNone;
      s = trimView(s.substr(close + 1));
    }
    for (bool again = true; again;) {
      again = false;
      if (startsWith(s, "pub(")) {
        size_t close = s.find(')');
        if (close == std::string_view::npos) break;
        s = trimView(s.substr(close + 1));
        again = true;
      }
      for (auto m : kModifiers) {
        // "const" alone is not a modifier: it starts "const f = () => {".
        if (eat(s, m)) again = true;
      }
    }
    if (eat(s, "namespace") || startsWith(s, "namespace{") || eat(s, "mod")) {
      return Decl::kTransparent;
    }
    if (eat(s, "impl") || startsWith(s, "impl<")) {
      std::string_view rest = s;
      if (startsWith(rest, "impl<")) rest.remove_prefix(4);
      if (!rest.empty() && rest[0] == '<') {
        int depth = 0;
        size_t k = 0;
        for (; k < rest.size(); ++k) {
          if (rest[k] == '<') ++depth;
          if (rest[k] == '>' && --depth == 0) break;
        }
        rest = k < rest.size() ? rest.substr(k + 1) : std::string_view();
      }
      size_t f = rest.find(" for ");
      *name = std::string(leadingIdent(f == std::string_view::npos ? rest : rest.substr(f + 5)));
      return name->empty() ? Decl::kNone : Decl::kContainer;
    }
    size_t paren = s.find('(');
    for (std::string_view kw :
         {"class", "struct", "interface", "trait", "enum", "union", "record", "object"}) {
      if (!eat(s, kw)) continue;
      eat(s, "class");  // enum class
      eat(s, "struct");
      std::string_view n = leadingIdent(s);
      size_t brace = s.find('{');
      bool function_like = paren != std::string_view::npos &&
                           (kw == "struct" || kw == "union" || kw == "enum") &&
                           (brace == std::string_view::npos || s.find('(') < brace);
      if (function_like) break;  // "struct foo *make_foo(void) {" is a function
      *name = std::string(n);
      if (name->empty()) return Decl::kNone;
      bool members = kw == "class" || kw == "struct" || kw == "interface" || kw == "trait" ||
                     kw == "record" || kw == "object";
      return members ? Decl::kContainer : Decl::kBody;
    }
    if (eat(s, "fn") || eat(s, "function") || startsWith(s, "function*") ||
        startsWith(s, "function(")) {
      if (startsWith(s, "function")) s.remove_prefix(8);
      while (!s.empty() && (s[0] == '*' || s[0] == ' ')) s.remove_prefix(1);
      *name = std::string(leadingIdent(s));
      return name->empty() ? Decl::kNone : Decl::kBody;
    }
    if (eat(s, "func")) {
      std::string receiver;
      if (!s.empty() && s[0] == '(') {
        size_t close = s.find(')');
        if (close == std::string_view::npos) return Decl::kNone;
        std::string_view recv = s.substr(1, close - 1);
        size_t k = recv.size();
        while (k > 0 && !isIdentChar(recv[k - 1])) --k;
        size_t b = k;
        while (b > 0 && isIdentChar(recv[b - 1])) --b;
        receiver = std::string(recv.substr(b, k - b));
        s = trimView(s.substr(close + 1));
      }
      std::string_view n = leadingIdent(s);
      if (n.empty()) return Decl::kNone;
      *name = receiver.empty() ? std::string(n) : receiver + "." + std::string(n);
      return Decl::kBody;
    }
    if (eat(s, "type")) {
      *name = std::string(leadingIdent(s));
      return name->empty() ? Decl::kNone : Decl::kBody;
    }
    if (eat(s, "const") || eat(s, "let") || eat(s, "var")) {
      std::string_view n = leadingIdent(s);
      if (n.empty()) return Decl::kNone;
      if (s.find("=>") == std::string_view::npos && s.find("function") == std::string_view::npos) {
        return Decl::kNone;
      }
      *name = std::string(n);
      return Decl::kBody;
    }
    // A function or method definition: "ret name(args) ... {".
    paren = s.find('(');
    if (paren == std::string_view::npos || paren == 0) return Decl::kNone;
    std::string_view first = leadingIdent(s);
    if (isControlWord(first)) return Decl::kNone;
    std::string_view prefix = s.substr(0, paren);
    if (prefix.find('=') != std::string_view::npos &&
        prefix.find("operator") == std::string_view::npos) {
      return Decl::kNone;
    }
    size_t k = prefix.size();
    while (k > 0 && (prefix[k - 1] == ' ' || prefix[k - 1] == '\t')) --k;
    size_t b = k;
    while (b > 0 && (isIdentChar(prefix[b - 1]) || prefix[b - 1] == ':' || prefix[b - 1] == '~')) {
      --b;
    }
    std::string_view n = prefix.substr(b, k - b);
    while (!n.empty() && n[0] == ':') n.remove_prefix(1);
    if (n.empty() || isControlWord(n)) return Decl::kNone;
    if (b > 0 && prefix[b - 1] == '.') return Decl::kNone;  // a call: "app.get(...)"
    *name = std::string(n);
    return Decl::kBody;
  }

  // Whether a '{' comes before a ';' or a blank line after `pos` (strings skipped roughly).
  bool opensBrace(size_t pos) const {
    size_t limit = std::min(text_.size(), pos + 4000);
    char quote = 0;
    for (size_t i = pos; i < limit; ++i) {
      char c = text_[i];
      if (quote != 0) {
        if (c == '\\') {
          ++i;
        } else if (c == quote || c == '\n') {
          quote = 0;
        }
        continue;
      }
      if (c == '"' || c == '`') {
        quote = c;
      } else if (c == '{') {
        return true;
      } else if (c == ';' || c == '}') {
        return false;
      } else if (c == '/' && i + 1 < limit && text_[i + 1] == '/') {
        size_t nl = text_.find('\n', i);
        if (nl == std::string_view::npos) return false;
        i = nl - 1;
      } else if (c == '\n') {
        size_t j = i + 1;
        while (j < limit && (text_[j] == ' ' || text_[j] == '\t' || text_[j] == '\r')) ++j;
        if (j < limit && text_[j] == '\n') return false;
      }
    }
    return false;
  }

  bool atCandidateLevel() const {
    for (const auto& s : scopes_) {
      if (s.kind == Decl::kBody) return false;
    }
    return true;
  }

  std::string containerSymbol() const {
    for (auto it = scopes_.rbegin(); it != scopes_.rend(); ++it) {
      if (it->kind == Decl::kContainer) return it->symbol;
    }
    return "";
  }

  void onLineStart(size_t line) {
    std::string_view t = trimView(lineText(line));
    if (t.empty() || isLeadingLine(t) || !atCandidateLevel()) return;
    std::string name;
    Decl kind = classify(t, &name);
    if (kind == Decl::kNone || !opensBrace(lines_[line].start)) return;
    pending_kind_ = kind;
    pending_depth_ = scopes_.size();
    if (kind == Decl::kTransparent) return;
    std::string container = containerSymbol();
    pending_symbol_ = container.empty() ? name : container + "." + name;
    addBoundary(pullBack(line), pending_symbol_);
  }

  void splitBraces() {
    enum class Mode { kCode, kBlockComment, kBacktick };
    Mode mode = Mode::kCode;
    size_t line = 0;
    size_t close_at = std::string_view::npos;  // where a unit that just closed ends
    std::string after_close;
    const size_t n = text_.size();
    for (size_t i = 0; i < n; ++i) {
      // Strings and continuations may jump over line starts, so the line follows the position.
      while (line + 1 < lines_.size() && lines_[line + 1].start <= i) {
        ++line;
        if (close_at != std::string_view::npos) {
          addBoundary(close_at, after_close);
          close_at = std::string_view::npos;
        }
      }
      bool line_start = i == lines_[line].start;
      if (line_start && mode == Mode::kCode) {
        std::string_view t = trimView(lineText(line));
        if ((lang_.preprocessor && !t.empty() && t[0] == '#') ||
            (lang_.hash_comments && !t.empty() && t[0] == '#')) {
          // Skip the line (and its backslash continuations).
          size_t l = line;
          size_t j = lines_[l].end;
          while (j > 0 && j < n && text_[j - 1] == '\\' && l + 1 < lines_.size()) {
            ++l;
            j = lines_[l].end;
          }
          i = j;  // at '\n' (or end); the loop moves past it
          continue;
        }
        onLineStart(line);
      }
      char c = text_[i];
      if (mode == Mode::kBlockComment) {
        if (c == '*' && i + 1 < n && text_[i + 1] == '/') {
          mode = Mode::kCode;
          ++i;
        }
        continue;
      }
      if (mode == Mode::kBacktick) {
        if (c == '\\') {
          ++i;
        } else if (c == '`') {
          mode = Mode::kCode;
        }
        continue;
      }
      if (c == '/' && i + 1 < n && text_[i + 1] == '/' && !lang_.hash_comments) {
        size_t nl = text_.find('\n', i);
        i = (nl == std::string_view::npos ? n : nl) - 1;
        continue;
      }
      if (c == '#' && lang_.hash_comments && (i == 0 || isSpace(text_[i - 1]))) {
        size_t nl = text_.find('\n', i);
        i = (nl == std::string_view::npos ? n : nl) - 1;
        continue;
      }
      if (c == '/' && i + 1 < n && text_[i + 1] == '*' && !lang_.hash_comments) {
        mode = Mode::kBlockComment;
        ++i;
        continue;
      }
      if (c == '`') {
        mode = Mode::kBacktick;
        continue;
      }
      if (c == '"' || c == '\'') {
        if (c == '\'' && lang_.rust) {
          // 'x' or '\n' is a character; 'a without a closing quote is a lifetime.
          bool is_char = (i + 2 < n && text_[i + 2] == '\'') || (i + 1 < n && text_[i + 1] == '\\');
          if (!is_char) continue;
        }
        for (++i; i < n && text_[i] != c && text_[i] != '\n'; ++i) {
          if (text_[i] == '\\') ++i;
        }
        if (i < n && text_[i] == '\n') --i;  // let the newline start the next line
        continue;
      }
      if (c == ';') {
        if (pending_kind_ != Decl::kNone && pending_depth_ == scopes_.size()) {
          pending_kind_ = Decl::kNone;
        }
        continue;
      }
      if (c == '{') {
        if (pending_kind_ != Decl::kNone) {
          bool owns = pending_kind_ != Decl::kTransparent;
          scopes_.push_back({pending_kind_, owns, owns ? pending_symbol_ : ""});
          pending_kind_ = Decl::kNone;
        } else {
          scopes_.push_back({Decl::kBody, false, ""});
        }
        pending_depth_ = scopes_.size();
        continue;
      }
      if (c == '}') {
        if (scopes_.empty()) continue;
        Scope s = std::move(scopes_.back());
        scopes_.pop_back();
        pending_depth_ = scopes_.size();
        if (s.owns_unit) {
          size_t nl = text_.find('\n', i);
          close_at = nl == std::string_view::npos ? n : nl + 1;
          after_close = containerSymbol();
        }
      }
    }
    if (close_at != std::string_view::npos && close_at < n) addBoundary(close_at, after_close);
  }

  // --- blocks ----------------------------------------------------------------------------------

  std::vector<Block> makeBlocks() const {
    std::vector<Block> out;
    for (size_t i = 0; i < bounds_.size(); ++i) {
      size_t start = bounds_[i].pos;
      size_t end = i + 1 < bounds_.size() ? bounds_[i + 1].pos : text_.size();
      while (start < end && (text_[start] == '\n' || text_[start] == '\r')) ++start;
      while (end > start && isSpace(text_[end - 1])) --end;
      if (start >= end) continue;
      bool has_word = false;
      for (size_t k = start; k < end && !has_word; ++k) has_word = isIdentChar(text_[k]);
      if (!has_word && !out.empty()) {
        out.back().end = end;  // a lone closing brace belongs to what precedes it
        continue;
      }
      Block b;
      b.kind = Block::Kind::kCode;
      b.start = start;
      b.end = end;
      b.symbol = bounds_[i].symbol;
      out.push_back(std::move(b));
    }
    return out;
  }

  std::string_view text_;
  Language lang_;
  std::vector<Line> lines_;
  std::vector<Boundary> bounds_;
  std::vector<Scope> scopes_;
  Decl pending_kind_ = Decl::kNone;
  size_t pending_depth_ = 0;
  std::string pending_symbol_;
};

}  // namespace

Result<ExtractedDocument> parseCode(std::string_view bytes, std::string_view filename,
                                    ParseBudget& budget) {
  ExtractedDocument doc;
  if (!budget.addOutput(bytes.size())) return doc;  // the text is the file
  doc.text = std::string(bytes);
  CodeSplitter splitter(doc.text, languageFor(filename));
  doc.blocks = splitter.split();
  budget.addBlocks(doc.blocks.size());
  return doc;
}

}  // namespace ward::ingest
