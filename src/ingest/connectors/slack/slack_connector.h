// The Slack connector (docs/design/ingest.md, "Slack"): a workspace read through the Web API
// with a bot token (`token_secret`), or offline from a workspace export ZIP
// (`[sources.options] export`). Each conversation is cut into day windows (slack_window.h), one
// document each, id `<source>:<conversation id>/<YYYY-MM-DD>`. Public channels are readable by
// the workspace group (every mapped, active member of the workspace: a GroupUpdate), private
// channels and DMs by exactly their mapped members (fail closed). Incremental passes read only
// the last `rescan_days` of each conversation's history (state kept in
// `<state dir>/slack/<source>.json`); older windows keep their version and are read again only
// when the runner asks. Private to the ingest module.
#pragma once

#include <memory>

#include "ward/ingest/connector.h"

namespace ward::ingest {

// Days of history an incremental pass reads again (edits, deletions and replies in them are
// seen); 0 = every pass reads the whole history.
inline constexpr int64_t kSlackDefaultRescanDays = 7;
inline constexpr int64_t kSlackMaxRescanDays = 3650;
// An incremental pass reads a thread again when its history moved (slack_window.h,
// slackHistorySignatures) or when its newest reply is at most this many hours older than the
// conversation's newest message (`thread_recheck_hours`; 0 = only when the history moved): a
// reply's edit does not touch its parent, and replies are mostly edited soon after they are
// written.
inline constexpr int64_t kSlackDefaultThreadRecheckHours = 24;
inline constexpr int64_t kSlackMaxThreadRecheckHours = 8760;
// Conversations of one workspace at most (`max_channels`): past it the listing is not exhausted.
inline constexpr int64_t kSlackMaxChannels = 10'000;

Result<std::unique_ptr<Connector>> makeSlackConnector(const SourceConfig& source,
                                                      const ConnectorEnv& env);

}  // namespace ward::ingest
