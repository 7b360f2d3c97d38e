#include "redaction_engine.h"

#include <algorithm>
#include <cctype>
#include <map>

#include "redaction_validators.h"
#include "ward/audit/redaction.h"

namespace ward::audit::internal {

namespace {

RE2::Options ruleOptions() {
  RE2::Options opts;
  // Byte-wise: secrets are ASCII, and invalid UTF-8 in tool output must not disable a rule.
  opts.set_encoding(RE2::Options::EncodingLatin1);
  opts.set_log_errors(false);
  return opts;
}

bool equalsIgnoreCase(std::string_view text, size_t at, std::string_view lower_word) {
  for (size_t i = 0; i < lower_word.size(); ++i) {
    char c = static_cast<char>(std::tolower(static_cast<unsigned char>(text[at + i])));
    if (c != lower_word[i]) return false;
  }
  return true;
}

}  // namespace

Result<std::unique_ptr<RuleRedactor>> RuleRedactor::create(const RedactionRuleSet& set,
                                                           std::string key,
                                                           size_t max_input_bytes) {
  std::unique_ptr<RuleRedactor> r(new RuleRedactor());
  r->key_ = std::move(key);
  r->max_input_bytes_ = max_input_bytes;
  r->secret_keys_ = set.secret_keys;
  RE2::Options set_opts = ruleOptions();
  // The set holds every pattern at once; give its DFA room so that it rarely falls back.
  set_opts.set_max_mem(64 << 20);
  r->set_ = std::make_unique<RE2::Set>(set_opts, RE2::UNANCHORED);
  for (const RedactionRule& spec : set.rules) {
    if (!spec.enabled) continue;
    // The rule file's check compiled the pattern already (redaction_rules.cc); compiling it
    // again cost about a third of building the default rules.
    std::shared_ptr<const RE2> re = spec.compiled;
    if (re == nullptr) re = std::make_shared<const RE2>(spec.pattern, ruleOptions());
    if (!re->ok()) {
      return Status::invalidArgument(spec.source + ": rule '" + spec.id +
                                     "': invalid pattern: " + re->error());
    }
    // (?m): the prefilter scans all strings of a JSON document joined by '\n', so ^ and $ must
    // also match at those joins; the set then reports a superset of the rules that match.
    std::string error;
    if (r->set_->Add("(?m)" + spec.pattern, &error) < 0) {
      return Status::invalidArgument(spec.source + ": rule '" + spec.id +
                                     "': invalid pattern: " + error);
    }
    r->rules_.push_back({spec, std::move(re)});
    r->rules_.back().spec.compiled = nullptr;  // held once, as `re`
  }
  if (!r->rules_.empty() && !r->set_->Compile()) {
    return Status::resourceExhausted("redaction rules: the combined pattern set is too large");
  }
  return r;
}

std::vector<size_t> RuleRedactor::candidateRules(std::string_view text) const {
  std::vector<size_t> out;
  if (rules_.empty()) return out;
  std::vector<int> hits;
  RE2::Set::ErrorInfo info{RE2::Set::kNoError};
  if (set_->Match(text, &hits, &info)) {
    std::sort(hits.begin(), hits.end());
    out.assign(hits.begin(), hits.end());
    return out;
  }
  if (info.kind == RE2::Set::kNoError) return out;
  // The DFA ran out of memory (or similar): fail closed by running every rule.
  out.resize(rules_.size());
  for (size_t i = 0; i < out.size(); ++i) out[i] = i;
  return out;
}

bool RuleRedactor::keywordBefore(const RedactionRule& rule, std::string_view text,
                                 size_t pos) const {
  if (rule.keywords.empty()) return true;
  size_t from = pos > static_cast<size_t>(rule.keyword_window) ? pos - rule.keyword_window : 0;
  for (const std::string& word : rule.keywords) {
    if (word.size() > pos - from) continue;
    for (size_t at = from; at + word.size() <= pos; ++at) {
      if (equalsIgnoreCase(text, at, word)) return true;
    }
  }
  return false;
}

std::vector<RuleRedactor::Span> RuleRedactor::findSpans(std::string_view text,
                                                        const std::vector<size_t>& rules) const {
  std::map<size_t, Span> accepted;  // by begin; never overlapping
  auto overlaps = [&](size_t b, size_t e) {
    auto it = accepted.lower_bound(b);
    if (it != accepted.end() && it->second.begin < e) return true;
    if (it != accepted.begin() && std::prev(it)->second.end > b) return true;
    return false;
  };
  // Placeholders already in the text are claimed first and kept as they are, so redacting
  // redacted text changes nothing.
  constexpr size_t kKeep = static_cast<size_t>(-1);
  for (size_t at = text.find("[REDACTED:"); at != std::string_view::npos;
       at = text.find("[REDACTED:", at + 1)) {
    size_t end = text.find(']', at);
    if (end != std::string_view::npos && end - at <= 96) {
      accepted.emplace(at, Span{at, end + 1, kKeep});
    }
  }
  std::vector<re2::StringPiece> sub;
  for (size_t ri : rules) {  // ascending: earlier rules claim their spans first
    const CompiledRule& rule = rules_[ri];
    sub.assign(rule.spec.group + 1, re2::StringPiece());
    size_t pos = 0;
    while (pos < text.size()) {
      if (!rule.re->Match(text, pos, text.size(), RE2::UNANCHORED, sub.data(),
                          static_cast<int>(sub.size()))) {
        break;
      }
      size_t whole_begin = sub[0].data() - text.data();
      size_t whole_end = whole_begin + sub[0].size();
      const re2::StringPiece& secret = sub[rule.spec.group];
      size_t next = std::max(whole_end, whole_begin + 1);
      if (secret.data() != nullptr && !secret.empty()) {
        size_t b = secret.data() - text.data();
        size_t e = b + secret.size();
        // Resume right after the secret: a boundary character the pattern consumed after it
        // may be the one the next secret needs before it.
        next = std::max(e, whole_begin + 1);
        std::string_view value = text.substr(b, e - b);
        if (!overlaps(b, e) && keywordBefore(rule.spec, text, b) &&
            passesChecks(rule.spec, value)) {
          accepted.emplace(b, Span{b, e, ri});
        }
      }
      pos = next;
    }
  }
  std::vector<Span> out;
  out.reserve(accepted.size());
  for (auto& [b, span] : accepted) {
    if (span.rule != kKeep) out.push_back(span);
  }
  return out;
}

std::string RuleRedactor::placeholder(std::string_view type, std::string_view value,
                                      trace::RedactionStats* stats) const {
  if (stats != nullptr) {
    ++stats->values_redacted;
    ++stats->by_type[std::string(type)];
  }
  return redactionPlaceholder(key_, type, value);
}

bool RuleRedactor::redactWith(std::string_view text, const std::vector<size_t>& rules,
                              std::string* out, trace::RedactionStats* stats) const {
  if (rules.empty()) return false;
  std::vector<Span> spans = findSpans(text, rules);
  if (spans.empty()) return false;
  std::string result;
  result.reserve(text.size() + spans.size() * 24);
  size_t at = 0;
  for (const Span& s : spans) {
    result.append(text.substr(at, s.begin - at));
    result.append(
        placeholder(rules_[s.rule].spec.type, text.substr(s.begin, s.end - s.begin), stats));
    at = s.end;
  }
  result.append(text.substr(at));
  *out = std::move(result);
  return true;
}

std::string RuleRedactor::redactText(std::string_view text, trace::RedactionStats* stats) const {
  if (text.size() > max_input_bytes_) return placeholder("oversized", text, stats);
  std::string out;
  if (!redactWith(text, candidateRules(text), &out, stats)) return std::string(text);
  return out;
}

bool RuleRedactor::isSecretKey(std::string_view key) const {
  std::string n = normalizeSecretKey(key);
  for (const std::string& name : secret_keys_) {
    if (n.size() >= name.size() && n.compare(n.size() - name.size(), name.size(), name) == 0) {
      return true;
    }
  }
  return false;
}

}  // namespace ward::audit::internal
