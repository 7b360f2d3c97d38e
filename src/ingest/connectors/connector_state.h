// What the service connectors' state files and checkpoint texts share (GitHub, Slack and
// Confluence keep a JSON state file in their state folder; Confluence and Drive checkpoint a
// tab-separated cursor). Private to the ingest module.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ward/common/json.h"
#include "ward/common/status.h"

namespace ward::ingest {

// The JSON in a connector's state file; nullopt when the file is missing, unreadable or not JSON.
// A connector then starts over with a complete listing, which is always safe.
std::optional<Json> loadConnectorState(const std::string& path);

// Replaces the state file durably (io::writeFileAtomic: a temporary file, fsync, rename, and the
// folder synced), so that a crash leaves the old state or the new one, never a torn or empty file.
Status saveConnectorState(const std::string& path, std::string_view text);

// A checkpoint text's fields, split at each tab ("a\t\tb" is three fields, "" is one).
std::vector<std::string> splitCursorFields(const std::string& text);

// A cursor's time in seconds: 1 to 12 decimal digits, no sign. False (and *out untouched) otherwise.
bool parseCursorSeconds(const std::string& text, int64_t* out);

}  // namespace ward::ingest
