// The Google Drive connector's position (gdrive_cursor.h).
#include "gdrive_cursor.h"

#include <vector>

#include "../connector_state.h"

namespace ward::ingest {

bool isDrivePageToken(const std::string& token) {
  if (token.empty() || token.size() > kDriveMaxPageTokenBytes) return false;
  for (char c : token) {
    if (c <= ' ' || c > '~') return false;
  }
  return true;
}

std::string formatDriveCursor(const DriveCursor& c) {
  const std::string at = std::to_string(c.full_at_s);
  switch (c.kind) {
    case DriveCursorKind::kNone:
      return "";
    case DriveCursorKind::kListing:
      return "list\t" + at + "\t" + c.feed_token + "\t" + c.page_token;
    case DriveCursorKind::kChanges:
      return "chg\t" + at + "\t" + c.feed_token;
    case DriveCursorKind::kFeed:
      return "feed\t" + at + "\t" + c.feed_token;
  }
  return "";
}

DriveCursor parseDriveCursor(const std::string& text) {
  DriveCursor c;
  if (text.empty()) return c;
  const std::vector<std::string> f = splitCursorFields(text);
  if (f.size() == 1) {
    // A files.list page token of the connector before the feed: go on listing from it.
    if (isDrivePageToken(text)) {
      c.kind = DriveCursorKind::kListing;
      c.page_token = text;
    }
    return c;
  }
  int64_t at = 0;
  if (f.size() < 3 || !parseCursorSeconds(f[1], &at)) return c;
  const bool feed_ok = isDrivePageToken(f[2]);
  if (f[0] == "list" && f.size() == 4 && (f[2].empty() || feed_ok) &&
      (f[3].empty() || isDrivePageToken(f[3]))) {
    c = {DriveCursorKind::kListing, at, f[2], f[3]};
  } else if (f[0] == "chg" && f.size() == 3 && feed_ok) {
    c = {DriveCursorKind::kChanges, at, f[2], ""};
  } else if (f[0] == "feed" && f.size() == 3 && feed_ok) {
    c = {DriveCursorKind::kFeed, at, f[2], ""};
  }
  return c;
}

bool driveReadsFeed(const DriveCursor& cursor, bool full, int64_t full_every_s, int64_t now_s) {
  if (full || full_every_s <= 0 || cursor.kind != DriveCursorKind::kFeed) return false;
  if (cursor.full_at_s <= 0 || cursor.full_at_s > now_s) return false;  // a clock that went back
  return now_s - cursor.full_at_s < full_every_s;
}

}  // namespace ward::ingest
