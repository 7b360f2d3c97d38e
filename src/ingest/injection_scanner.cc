// The ingest-time injection scanner; the contract is in include/ward/ingest/injection_scanner.h.
#include "ward/ingest/injection_scanner.h"

#include <re2/re2.h>
#include <re2/set.h>
#include <toml++/toml.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <optional>
#include <set>

#include "ward/common/encoding.h"

namespace ward::ingest {

namespace internal {
extern const char kDefaultInjectionRules[];  // generated from rules/injection/default.toml
}  // namespace internal

namespace {

RE2::Options ruleOptions(int64_t max_mem = 8 << 20) {
  RE2::Options o;
  o.set_case_sensitive(false);
  o.set_log_errors(false);
  o.set_max_mem(max_mem);
  return o;
}

// The set's DFA budget: all the pattern rules at once. A scan that runs out of it falls back to
// each rule's own expression (matchSet), so a match is never missed for memory.
constexpr int64_t kSetMaxMem = 64 << 20;

bool validRuleId(const std::string& id) {
  if (id.empty() || id.size() > 64) return false;
  return std::all_of(id.begin(), id.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '.';
  });
}

// Length of the longest prefix of `s` of at most `n` bytes that does not cut a UTF-8 sequence.
size_t utf8Prefix(std::string_view s, size_t n) {
  if (n >= s.size()) return s.size();
  while (n > 0 && (static_cast<unsigned char>(s[n]) & 0xC0) == 0x80) --n;
  return n;
}

// The next code point of `s` at `i` (advancing `i`); invalid bytes are returned as themselves.
uint32_t nextCodePoint(std::string_view s, size_t& i) {
  unsigned char c = static_cast<unsigned char>(s[i]);
  int len = c < 0x80 ? 1 : (c >> 5) == 0x6 ? 2 : (c >> 4) == 0xE ? 3 : (c >> 3) == 0x1E ? 4 : 0;
  if (len == 0 || i + len > s.size()) {
    ++i;
    return c;
  }
  uint32_t cp = len == 1 ? c : len == 2 ? (c & 0x1F) : len == 3 ? (c & 0x0F) : (c & 0x07);
  for (int k = 1; k < len; ++k) cp = (cp << 6) | (static_cast<unsigned char>(s[i + k]) & 0x3F);
  i += len;
  return cp;
}

bool invisible(uint32_t cp) {
  return cp < 0x20 || cp == 0x7F || (cp >= 0x200B && cp <= 0x200F) ||
         (cp >= 0x202A && cp <= 0x202E) || (cp >= 0x2060 && cp <= 0x2069) || cp == 0xFEFF ||
         (cp >= 0xE0000 && cp <= 0xE007F);
}

// Up to kMaxFlagExcerptBytes of `text` around `at`, with line breaks as spaces and invisible
// characters shown as \u{XXXX}, so that an audit reader sees what the rule saw.
std::string excerptAround(std::string_view text, size_t at) {
  size_t start = at > kMaxFlagExcerptBytes / 4 ? at - kMaxFlagExcerptBytes / 4 : 0;
  while (start > 0 && (static_cast<unsigned char>(text[start]) & 0xC0) == 0x80) --start;
  std::string out;
  size_t i = start;
  while (i < text.size() && out.size() < kMaxFlagExcerptBytes) {
    size_t before = i;
    uint32_t cp = nextCodePoint(text, i);
    std::string piece;
    if (cp == '\n' || cp == '\r' || cp == '\t') {
      piece = " ";
    } else if (invisible(cp)) {
      char buf[16];
      std::snprintf(buf, sizeof(buf), "\\u{%04X}", static_cast<unsigned>(cp));
      piece = buf;
    } else {
      piece = std::string(text.substr(before, i - before));
    }
    if (out.size() + piece.size() > kMaxFlagExcerptBytes) break;
    out += piece;
  }
  return out;
}

// A base64 run -> its decoded bytes (trailing padding dropped, cut to whole quanta), when they are
// mostly printable text; nullopt otherwise.
std::optional<std::string> decodeRun(std::string_view run) {
  while (!run.empty() && run.back() == '=') run.remove_suffix(1);
  run = run.substr(0, std::min(run.size(), kMaxBase64RunBytes));
  run = run.substr(0, run.size() - run.size() % 4);
  if (run.empty()) return std::nullopt;
  auto bytes = base64Decode(run);
  if (!bytes) return std::nullopt;
  size_t printable = 0;
  for (unsigned char c : *bytes) {
    if (c >= 0x20 || c == '\n' || c == '\r' || c == '\t') ++printable;
  }
  if (printable * 10 < bytes->size() * 9) return std::nullopt;
  return bytes;
}

}  // namespace

struct InjectionScanner::Compiled {
  std::vector<std::unique_ptr<RE2>> each;  // one per rule, same order
  std::unique_ptr<RE2::Set> patterns;      // the kPattern rules
  std::vector<size_t> pattern_rules;       // set index -> rule index
  std::unique_ptr<RE2::Set> decoded;       // the in_base64 kPattern rules
  std::vector<size_t> decoded_rules;
  std::vector<size_t> base64_rules;

  // The rules of `set` (indexes into `rules`) that match `text`, as rule indexes.
  std::vector<size_t> matchSet(const RE2::Set& set, const std::vector<size_t>& rules,
                               std::string_view text) const {
    std::vector<size_t> out;
    if (rules.empty()) return out;
    std::vector<int> hits;
    RE2::Set::ErrorInfo error;
    if (set.Match(text, &hits, &error)) {
      for (int h : hits) out.push_back(rules[static_cast<size_t>(h)]);
    } else if (error.kind != RE2::Set::kNoError) {
      for (size_t r : rules) {
        if (RE2::PartialMatch(text, *each[r])) out.push_back(r);
      }
    }
    return out;
  }
};

InjectionScanner::InjectionScanner(std::vector<InjectionRule> rules)
    : rules_(std::move(rules)), compiled_(std::make_unique<Compiled>()) {}

InjectionScanner::~InjectionScanner() = default;

Result<std::unique_ptr<InjectionScanner>> InjectionScanner::fromToml(std::string_view toml_text) {
  toml::table table;
  try {
    table = toml::parse(toml_text, std::string_view("injection rules"));
  } catch (const toml::parse_error& e) {
    return Status::invalidArgument("injection rules: " + std::string(e.description()));
  }
  for (auto&& [key, node] : table) {
    if (key != "version" && key != "rule") {
      return Status::invalidArgument("injection rules: unknown key '" + std::string(key.str()) +
                                     "'");
    }
  }
  if (table["version"].value<int64_t>().value_or(0) != 1) {
    return Status::invalidArgument("injection rules: 'version' must be 1");
  }
  const toml::array* arr = table["rule"].as_array();
  if (arr == nullptr) return Status::invalidArgument("injection rules: no [[rule]] tables");
  if (arr->size() > kMaxInjectionRules) {
    return Status::invalidArgument("injection rules: more than " +
                                   std::to_string(kMaxInjectionRules) + " rules");
  }
  std::vector<InjectionRule> rules;
  std::set<std::string> ids;
  for (size_t n = 0; n < arr->size(); ++n) {
    const toml::table* t = (*arr)[n].as_table();
    std::string where = "injection rules: rule " + std::to_string(n + 1);
    if (t == nullptr) return Status::invalidArgument(where + " is not a table");
    InjectionRule r;
    r.id = (*t)["id"].value<std::string>().value_or("");
    if (!validRuleId(r.id)) {
      return Status::invalidArgument(where + ": 'id' must be 1-64 of a-z 0-9 _ .");
    }
    where = "injection rule '" + r.id + "'";
    if (!ids.insert(r.id).second) return Status::invalidArgument(where + ": duplicate id");
    for (auto&& [key, node] : *t) {
      static const std::set<std::string> kKeys = {"id",        "kind",      "pattern",
                                                  "min_count", "in_base64", "description"};
      if (kKeys.count(std::string(key.str())) == 0) {
        return Status::invalidArgument(where + ": unknown key '" + std::string(key.str()) + "'");
      }
    }
    std::string kind = (*t)["kind"].value<std::string>().value_or("");
    if (kind == "pattern") {
      r.kind = InjectionRuleKind::kPattern;
    } else if (kind == "base64") {
      r.kind = InjectionRuleKind::kBase64;
    } else {
      return Status::invalidArgument(where + ": 'kind' must be pattern or base64");
    }
    r.pattern = (*t)["pattern"].value<std::string>().value_or("");
    if (r.pattern.empty()) return Status::invalidArgument(where + ": 'pattern' is required");
    if (t->contains("min_count")) {
      auto mc = (*t)["min_count"].value<int64_t>();
      if (!mc || *mc < 1 || *mc > 1000) {
        return Status::invalidArgument(where + ": 'min_count' must be an integer 1-1000");
      }
      r.min_count = static_cast<int>(*mc);
    }
    if (t->contains("in_base64")) {
      auto b = (*t)["in_base64"].value<bool>();
      if (!b) return Status::invalidArgument(where + ": 'in_base64' must be a boolean");
      r.in_base64 = *b;
    }
    r.description = (*t)["description"].value<std::string>().value_or("");
    rules.push_back(std::move(r));
  }
  std::unique_ptr<InjectionScanner> s(new InjectionScanner(std::move(rules)));
  Compiled& c = *s->compiled_;
  c.patterns = std::make_unique<RE2::Set>(ruleOptions(kSetMaxMem), RE2::UNANCHORED);
  c.decoded = std::make_unique<RE2::Set>(ruleOptions(kSetMaxMem), RE2::UNANCHORED);
  for (size_t i = 0; i < s->rules_.size(); ++i) {
    const InjectionRule& r = s->rules_[i];
    auto re = std::make_unique<RE2>(r.pattern, ruleOptions());
    if (!re->ok()) {
      return Status::invalidArgument("injection rule '" + r.id + "': bad pattern: " + re->error());
    }
    c.each.push_back(std::move(re));
    if (r.kind == InjectionRuleKind::kBase64) {
      c.base64_rules.push_back(i);
      continue;
    }
    std::string error;
    if (c.patterns->Add(r.pattern, &error) < 0) {
      return Status::invalidArgument("injection rule '" + r.id + "': bad pattern: " + error);
    }
    c.pattern_rules.push_back(i);
    if (r.in_base64) {
      c.decoded->Add(r.pattern, &error);
      c.decoded_rules.push_back(i);
    }
  }
  if (!c.patterns->Compile() || !c.decoded->Compile()) {
    return Status::invalidArgument("injection rules: the rule set does not compile (too large)");
  }
  return s;
}

const InjectionScanner& InjectionScanner::defaultScanner() {
  static const InjectionScanner* scanner = [] {
    auto s = fromToml(internal::kDefaultInjectionRules);
    // The default table is tested (injection_scanner_test); a broken one is a build error.
    if (!s.ok()) std::abort();
    return std::move(s).value().release();
  }();
  return *scanner;
}

std::vector<InjectionMatch> InjectionScanner::explain(
    const std::vector<std::string_view>& pieces) const {
  std::string text;
  for (std::string_view p : pieces) {
    if (text.size() >= kMaxScannedBytes) break;
    if (!text.empty()) text.push_back('\n');
    text.append(p.substr(0, utf8Prefix(p, kMaxScannedBytes - text.size())));
  }
  const Compiled& c = *compiled_;
  std::vector<InjectionMatch> out;
  auto firstMatch = [&](size_t rule, std::string_view in, size_t* at) {
    re2::StringPiece m;
    if (!c.each[rule]->Match(in, 0, in.size(), RE2::UNANCHORED, &m, 1)) return false;
    *at = static_cast<size_t>(m.data() - in.data());
    return true;
  };
  for (size_t rule : c.matchSet(*c.patterns, c.pattern_rules, text)) {
    const InjectionRule& r = rules_[rule];
    size_t at = 0;
    if (!firstMatch(rule, text, &at)) continue;
    if (r.min_count > 1) {
      int count = 0;
      re2::StringPiece rest(text);
      re2::StringPiece m;
      while (count < r.min_count &&
             c.each[rule]->Match(rest, 0, rest.size(), RE2::UNANCHORED, &m, 1)) {
        ++count;
        size_t next = static_cast<size_t>(m.data() - rest.data()) + std::max<size_t>(m.size(), 1);
        rest.remove_prefix(std::min(next, rest.size()));
      }
      if (count < r.min_count) continue;
    }
    out.push_back({r.id, excerptAround(text, at)});
  }
  for (size_t rule : c.base64_rules) {
    re2::StringPiece rest(text);
    re2::StringPiece m;
    size_t runs = 0;
    while (runs < kMaxBase64Runs &&
           c.each[rule]->Match(rest, 0, rest.size(), RE2::UNANCHORED, &m, 1)) {
      ++runs;
      size_t at = static_cast<size_t>(m.data() - text.data());
      auto decoded = decodeRun(std::string_view(m.data(), m.size()));
      rest.remove_prefix(static_cast<size_t>(m.data() - rest.data()) +
                         std::max<size_t>(m.size(), 1));
      if (!decoded) continue;
      if (!c.matchSet(*c.decoded, c.decoded_rules, *decoded).empty()) {
        out.push_back({rules_[rule].id, excerptAround(text, at)});
        break;
      }
    }
  }
  std::sort(out.begin(), out.end(),
            [](const InjectionMatch& a, const InjectionMatch& b) { return a.rule_id < b.rule_id; });
  return out;
}

std::vector<std::string> InjectionScanner::scan(const std::vector<std::string_view>& pieces) const {
  std::vector<std::string> ids;
  for (auto& m : explain(pieces)) ids.push_back(std::move(m.rule_id));
  return ids;
}

namespace {

std::vector<std::string_view> piecesOf(const store::DocumentWrite& w) {
  std::vector<std::string_view> pieces;
  pieces.reserve(w.chunks.size() + 1);
  pieces.push_back(w.title);
  for (const auto& c : w.chunks) pieces.push_back(c.text);
  return pieces;
}

}  // namespace

void flagInjection(store::DocumentWrite& w) {
  std::vector<std::string> ids = InjectionScanner::defaultScanner().scan(piecesOf(w));
  if (!w.metadata.is_object()) w.metadata = Json::object();
  if (ids.empty()) {
    w.metadata.erase(std::string(kInjectionFlagsKey));
    return;
  }
  Json flags = Json::array();
  for (const auto& id : ids) flags.push_back(std::string(kInjectionFlagPrefix) + id);
  w.metadata[std::string(kInjectionFlagsKey)] = std::move(flags);
}

std::vector<InjectionMatch> explainInjection(const store::DocumentWrite& w) {
  return InjectionScanner::defaultScanner().explain(piecesOf(w));
}

void keepInjectionFlags(const Json& stored, Json& metadata) {
  if (!metadata.is_object()) metadata = Json::object();
  const std::string key(kInjectionFlagsKey);
  metadata.erase(key);
  if (stored.is_object() && stored.contains(key)) metadata[key] = stored[key];
}

}  // namespace ward::ingest
