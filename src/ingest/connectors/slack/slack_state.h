// What the slack connector keeps between passes, in a file of the connector's state folder: per
// conversation the newest message read, each day window's version and the history signature it
// was built from. A missing or unreadable file is an empty state (the next pass reads every
// history again). Private to the ingest module.
#pragma once

#include <cstdint>
#include <map>
#include <string>

#include "ward/common/status.h"

namespace ward::ingest {

// What an incremental pass needs of the last one, per conversation.
struct ChannelState {
  int64_t newest_us = 0;                       // the newest message read
  std::map<std::string, std::string> windows;  // day -> version
  // day -> slackHistorySignatures() of the pass that built the window: an equal one next pass
  // means its threads are not read again.
  std::map<std::string, std::string> signatures;
};
using SlackState = std::map<std::string, ChannelState>;

// The state in `path`; empty when it is missing or does not parse.
SlackState loadSlackState(const std::string& path);
// Writes `state` to `path` durably (saveConnectorState: temporary file, fsync, rename).
Status saveSlackState(const std::string& path, const SlackState& state);

}  // namespace ward::ingest
