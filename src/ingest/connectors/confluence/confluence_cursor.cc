// The Confluence connector's feed position and cadence (confluence_cursor.h).
#include "confluence_cursor.h"

#include <vector>

#include "../connector_state.h"

namespace ward::ingest {

namespace {

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
  const std::vector<std::string> f = splitCursorFields(text);
  ConfluenceCursor c;
  if (f.size() != 5 || f[0] != "feed" || !isGen(f[1]) || !parseCursorSeconds(f[2], &c.since_s) ||
      !parseCursorSeconds(f[3], &c.full_at_s) || !parseCursorSeconds(f[4], &c.sweep_at_s)) {
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
