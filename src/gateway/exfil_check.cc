#include "exfil_check.h"

#include <cstdint>
#include <cstring>
#include <unordered_map>

namespace ward::gateway {

namespace {

constexpr uint64_t kBase = 1099511628211ULL;  // odd multiplier; arithmetic mod 2^64

struct Normalised {
  std::string text;
  std::vector<size_t> origin;  // byte offset in the original of each normalised byte
};

bool isSpace(unsigned char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

Normalised normalise(const std::string& in) {
  Normalised out;
  out.text.reserve(in.size());
  out.origin.reserve(in.size());
  bool space = false;
  for (size_t i = 0; i < in.size(); ++i) {
    const unsigned char c = static_cast<unsigned char>(in[i]);
    if (isSpace(c)) {
      space = !out.text.empty();
      continue;
    }
    if (space) {
      out.text.push_back(' ');
      out.origin.push_back(i);
      space = false;
    }
    out.text.push_back(c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : in[i]);
    out.origin.push_back(i);
  }
  return out;
}

uint64_t power(size_t n) {
  uint64_t p = 1;
  for (size_t i = 0; i < n; ++i) p *= kBase;
  return p;
}

// Calls `each(pos, hash)` for every window of `w` bytes of `s`.
template <typename F>
void rollWindows(const std::string& s, size_t w, uint64_t top, F&& each) {
  if (s.size() < w) return;
  uint64_t h = 0;
  for (size_t i = 0; i < w; ++i) h = h * kBase + static_cast<unsigned char>(s[i]);
  for (size_t pos = 0;; ++pos) {
    if (!each(pos, h)) return;
    if (pos + w >= s.size()) return;
    h = h * kBase - top * static_cast<unsigned char>(s[pos]) +
        static_cast<unsigned char>(s[pos + w]);
  }
}

struct Index {
  std::vector<Normalised> texts;
  std::unordered_map<uint64_t, std::pair<uint32_t, uint32_t>> windows;  // hash -> (text, pos)
};

// Walks the argument strings in document order; stops at the first finding.
bool scan(const Json& v, const std::string& pointer, const Index& index,
          const std::vector<TurnText>& texts, size_t w, uint64_t top,
          std::optional<ExfilFinding>& found) {
  if (v.is_object()) {
    for (auto it = v.begin(); it != v.end(); ++it) {
      std::string key = it.key();
      std::string escaped;
      for (char c : key) escaped += c == '~' ? "~0" : c == '/' ? "~1" : std::string(1, c);
      if (scan(*it, pointer + "/" + escaped, index, texts, w, top, found)) return true;
    }
    return false;
  }
  if (v.is_array()) {
    for (size_t i = 0; i < v.size(); ++i) {
      if (scan(v[i], pointer + "/" + std::to_string(i), index, texts, w, top, found)) return true;
    }
    return false;
  }
  if (!v.is_string()) return false;
  const Normalised arg = normalise(v.get_ref<const std::string&>());
  rollWindows(arg.text, w, top, [&](size_t pos, uint64_t h) {
    auto hit = index.windows.find(h);
    if (hit == index.windows.end()) return true;
    const Normalised& t = index.texts[hit->second.first];
    const size_t at = hit->second.second;
    if (std::memcmp(t.text.data() + at, arg.text.data() + pos, w) != 0) return true;  // collision
    size_t len = w;
    while (at + len < t.text.size() && pos + len < arg.text.size() &&
           t.text[at + len] == arg.text[pos + len]) {
      ++len;
    }
    ExfilFinding f;
    f.source = texts[hit->second.first].source;
    f.start = t.origin[at];
    f.end = t.origin[at + len - 1] + 1;
    f.length = len;
    f.pointer = pointer;
    found = std::move(f);
    return false;
  });
  return found.has_value();
}

}  // namespace

Json ExfilFinding::toJson() const {
  Json j = {{"source", source}, {"start", start},     {"end", end},
            {"length", length}, {"pointer", pointer}, {"min_run", kExfilMinRunBytes}};
  if (source.rfind("doc:", 0) == 0) j["doc_id"] = source.substr(4);
  return j;
}

std::optional<ExfilFinding> findVerbatimRun(const Json& args, const std::vector<TurnText>& texts,
                                            size_t min_run) {
  if (texts.empty() || min_run == 0) return std::nullopt;
  const uint64_t top = power(min_run);
  Index index;
  index.texts.reserve(texts.size());
  size_t windows = 0;
  for (const TurnText& t : texts) windows += t.text.size();
  index.windows.reserve(windows);
  for (size_t i = 0; i < texts.size(); ++i) {
    index.texts.push_back(normalise(texts[i].text));
    rollWindows(index.texts.back().text, min_run, top, [&](size_t pos, uint64_t h) {
      index.windows.emplace(h,
                            std::make_pair(static_cast<uint32_t>(i), static_cast<uint32_t>(pos)));
      return true;
    });
  }
  if (index.windows.empty()) return std::nullopt;
  std::optional<ExfilFinding> found;
  scan(args, "", index, texts, min_run, top, found);
  return found;
}

}  // namespace ward::gateway
