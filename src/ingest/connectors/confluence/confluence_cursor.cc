// The Confluence connector's feed position and cadence (confluence_cursor.h).
#include "confluence_cursor.h"

#include <vector>

namespace ward::ingest {

namespace {

bool parseSeconds(const std::string& s, int64_t* out) {
  if (s.empty() || s.size() > 12) return false;
  int64_t v = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
    v = v * 10 + (c - '0');
  }
  *out = v;
  return true;
}

bool isGen(const std::string& s) {
  if (s.empty() || s.size() > 64) return false;
  for (char c : s) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

}  // namespace

std::string formatConfluenceCursor(const ConfluenceCursor& c) {
  if (!c.valid) return "";
  return "feed\t" + c.gen + "\t" + std::to_string(c.since_s) + "\t" + std::to_string(c.full_at_s) +
         "\t" + std::to_string(c.sweep_at_s);
}

ConfluenceCursor parseConfluenceCursor(const std::string& text) {
  std::vector<std::string> f;
  size_t from = 0;
  for (size_t at = text.find('\t'); at != std::string::npos; at = text.find('\t', from)) {
    f.push_back(text.substr(from, at - from));
    from = at + 1;
  }
  f.push_back(text.substr(from));
  ConfluenceCursor c;
  if (f.size() != 5 || f[0] != "feed" || !isGen(f[1]) || !parseSeconds(f[2], &c.since_s) ||
      !parseSeconds(f[3], &c.full_at_s) || !parseSeconds(f[4], &c.sweep_at_s)) {
    return ConfluenceCursor{};
  }
  c.gen = f[1];
  c.valid = c.since_s > 0 && c.full_at_s > 0 && c.sweep_at_s > 0;
  return c.valid ? c : ConfluenceCursor{};
}

ConfluencePlan planConfluencePass(const ConfluenceCursor& c, bool full, int64_t full_every_s,
                                  int64_t sweep_s, int64_t now_s) {
  ConfluencePlan plan{false, true};
  if (full || !c.valid || full_every_s <= 0) return plan;
  // A clock that went back: nothing about the windows is known.
  if (c.since_s > now_s || c.full_at_s > now_s || c.sweep_at_s > now_s) return plan;
  if (now_s - c.full_at_s >= full_every_s) return plan;
  plan.feed = true;
  plan.sweep = sweep_s <= 0 || now_s - c.sweep_at_s >= sweep_s;
  return plan;
}

}  // namespace ward::ingest
