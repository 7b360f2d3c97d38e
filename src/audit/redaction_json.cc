// The JSON side of RuleRedactor: values under secret keys are replaced whole; every other string
// (and every object key, and every integer of 9+ digits, which may be a card or phone number) is
// scanned. The prefilter runs once over all of them joined by '\n', so a clean document costs one
// scan however many strings it holds; short strings it found clean before (keys, names: what
// every record repeats) and Ward's own SHA-256 digests are left out of it. Both passes walk with
// an explicit stack: depth is bounded by memory, not by the call stack.
#include <string>
#include <vector>

#include "redaction_engine.h"
#include "ward/common/json.h"

namespace ward::audit::internal {

namespace {

// Integers this large may be card, phone or account numbers written as JSON numbers.
constexpr uint64_t kScannedIntegerMin = 100000000;

// A SHA-256 digest Ward computed and recorded (a cassette's id, `prompt.sha256`,
// `client_sha256`, `result_sha256`, ...): 64 lowercase hex digits under the key `cassette` or a
// key ending in `sha256`. It cannot hold a secret and is not scanned (docs/design/redaction.md).
bool isWardDigest(std::string_view key, const Json& v) {
  constexpr std::string_view kSuffix = "sha256";
  const bool digest_key = key == "cassette" || (key.size() >= kSuffix.size() &&
                                                key.substr(key.size() - kSuffix.size()) == kSuffix);
  if (!digest_key || !v.is_string()) return false;
  const std::string& s = v.get_ref<const std::string&>();
  return s.size() == 64 && s.find_first_not_of("0123456789abcdef") == std::string::npos;
}

bool integerText(const Json& v, std::string* out) {
  if (v.is_number_unsigned()) {
    uint64_t u = v.get<uint64_t>();
    if (u < kScannedIntegerMin) return false;
    *out = std::to_string(u);
    return true;
  }
  if (v.is_number_integer()) {
    int64_t i = v.get<int64_t>();
    if (i > -static_cast<int64_t>(kScannedIntegerMin) &&
        i < static_cast<int64_t>(kScannedIntegerMin)) {
      return false;
    }
    *out = std::to_string(i);
    return true;
  }
  return false;
}

}  // namespace

void RuleRedactor::replaceSecretFields(Json& root, std::string* scan_buffer,
                                       std::vector<std::string_view>* fresh,
                                       trace::RedactionStats* stats) const {
  ReaderLock memo(memo_mu_);
  // Appends `s` to what the prefilter scans, unless it is a memoized clean string.
  auto scan = [&](std::string_view s) WARD_REQUIRES_SHARED(memo_mu_) {
    if (s.size() <= kMaxMemoizedCleanBytes) {
      if (clean_.find(s) != clean_.end()) return;
      fresh->push_back(s);
    }
    scan_buffer->append(s).push_back('\n');
  };
  std::vector<Json*> stack{&root};
  std::string digits;
  while (!stack.empty()) {
    Json* node = stack.back();
    stack.pop_back();
    if (node->is_object()) {
      for (auto it = node->begin(); it != node->end(); ++it) {
        scan(it.key());
        Json& v = it.value();
        bool replace = v.is_string() || v.is_number() || v.is_object() || v.is_array();
        if (replace && isSecretKey(it.key())) {
          // Whole value, whatever it holds; non-strings are hashed in their JSON form.
          v = v.is_string() ? placeholder("secret_field", v.get_ref<const std::string&>(), stats)
                            : placeholder("secret_field", dumpJson(v), stats);
        } else if (!isWardDigest(it.key(), v)) {
          stack.push_back(&v);
        }
      }
    } else if (node->is_array()) {
      for (Json& v : *node) stack.push_back(&v);
    } else if (node->is_string()) {
      const std::string& s = node->get_ref<const std::string&>();
      if (s.size() > max_input_bytes_) {
        *node = placeholder("oversized", s, stats);
      } else {
        scan(s);
      }
    } else if (integerText(*node, &digits)) {
      scan_buffer->append(digits).push_back('\n');
    }
  }
}

void RuleRedactor::redactJsonStrings(Json& root, const std::vector<size_t>& rules,
                                     trace::RedactionStats* stats) const {
  std::vector<Json*> stack{&root};
  std::string out, digits;
  while (!stack.empty()) {
    Json* node = stack.back();
    stack.pop_back();
    if (node->is_object()) {
      // Keys are immutable in place: rebuild the object only when a key holds a secret.
      bool key_changed = false;
      for (auto it = node->begin(); it != node->end() && !key_changed; ++it) {
        key_changed = redactWith(it.key(), rules, &out, nullptr);
      }
      if (key_changed) {
        Json fresh = Json::object();
        for (auto it = node->begin(); it != node->end(); ++it) {
          std::string key = redactWith(it.key(), rules, &out, stats) ? out : it.key();
          fresh[key] = std::move(it.value());
        }
        *node = std::move(fresh);
      }
      for (auto it = node->begin(); it != node->end(); ++it) {
        if (!isWardDigest(it.key(), it.value())) stack.push_back(&it.value());
      }
    } else if (node->is_array()) {
      for (Json& v : *node) stack.push_back(&v);
    } else if (node->is_string()) {
      if (redactWith(node->get_ref<const std::string&>(), rules, &out, stats)) {
        *node = std::move(out);
      }
    } else if (integerText(*node, &digits)) {
      if (redactWith(digits, rules, &out, stats)) *node = std::move(out);
    }
  }
}

void RuleRedactor::redactJson(Json& value, trace::RedactionStats* stats) const {
  std::string scan_buffer;
  std::vector<std::string_view> fresh;  // views into `value`'s keys and strings, unchanged yet
  replaceSecretFields(value, &scan_buffer, &fresh, stats);
  if (scan_buffer.empty()) return;
  std::vector<size_t> rules = candidateRules(scan_buffer);
  if (!rules.empty()) {
    redactJsonStrings(value, rules, stats);
    return;
  }
  // Nothing matched anywhere: each short string scanned is clean on its own (the prefilter
  // reports a superset of the rules that match any one string).
  if (fresh.empty()) return;
  WriterLock memo(memo_mu_);
  if (clean_.size() + fresh.size() > kMaxMemoizedCleanStrings) clean_.clear();
  for (std::string_view s : fresh) {
    if (clean_.size() >= kMaxMemoizedCleanStrings) break;
    clean_.emplace(s);
  }
}

}  // namespace ward::audit::internal
