// The Confluence connector's change feed position and cadence (docs/design/ingest.md,
// "Confluence", "Incremental"). An exhausted pass ends with a checkpoint that the runner hands
// the next run as its cursor (ConnectorEnv::cursor, the last completed run's):
// "feed<TAB>gen<TAB>since<TAB>full_at<TAB>sweep_at" (Unix seconds). `gen` names the state file
// written by that pass (confluence_state.h): a cursor whose state is not the one on disk (a later
// pass wrote it but its run did not complete) is not trusted, and a full listing runs. Pure.
// Private to the ingest module.
#pragma once

#include <cstdint>
#include <string>

namespace ward::ingest {

// A full listing (deletions by absence, moves, trashing the feed did not show) runs at least this
// often (`[sources.options] full_every_s`; 0 = every run).
inline constexpr int64_t kConfluenceDefaultFullEverySeconds = 86'400;
// The read restrictions of every page are swept at least this often (`restriction_sweep_s`;
// 0 = every run): a restriction change does not move a page's modified date, so the feed does not
// show it.
inline constexpr int64_t kConfluenceDefaultSweepSeconds = 600;
// The most either option may be (366 days).
inline constexpr int64_t kConfluenceMaxIntervalSeconds = 366 * 86'400;
// The feed reads back this far before the cursor: clock skew between Ward and the site, and an
// edit landing while the previous pass read the listing.
inline constexpr int64_t kConfluenceFeedOverlapSeconds = 300;

struct ConfluenceCursor {
  bool valid = false;
  std::string gen;         // the state file's generation (hex)
  int64_t since_s = 0;     // when the pass that wrote it began (the feed reads from here)
  int64_t full_at_s = 0;   // when the last full listing began
  int64_t sweep_at_s = 0;  // when the last restriction sweep began
};

std::string formatConfluenceCursor(const ConfluenceCursor& cursor);
// The inverse; anything else (a checkpoint within a pass, "", garbage) is not valid.
ConfluenceCursor parseConfluenceCursor(const std::string& text);

// What a new (not resumed) pass does.
struct ConfluencePlan {
  bool feed = false;   // read only the pages modified since the cursor (else a full listing)
  bool sweep = false;  // sweep every page's read restriction (always on a full listing)
};
// From the last completed run's cursor: a full listing on --full, without a valid cursor, when
// the last full listing is `full_every_s` old (0: every run) or a clock went back; else the feed,
// with a sweep when the last one is `sweep_s` old (0: every run).
ConfluencePlan planConfluencePass(const ConfluenceCursor& cursor, bool full, int64_t full_every_s,
                                  int64_t sweep_s, int64_t now_s);

}  // namespace ward::ingest
