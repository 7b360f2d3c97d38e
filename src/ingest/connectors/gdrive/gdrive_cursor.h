// The Google Drive connector's position in its checkpoints (docs/design/ingest.md, "Google
// Drive", "Changes feed"). A full listing takes the changes feed's start page token
// (changes.getStartPageToken) before its first files.list page; when it is exhausted its final
// checkpoint, kept by the runner as the next run's cursor (ConnectorEnv::cursor), holds that
// token, from which the next pass reads only the changes (changes.list). Tokens are Drive's
// opaque page tokens, never a credential. Private to the ingest module.
#pragma once

#include <cstdint>
#include <string>

namespace ward::ingest {

// A full listing runs at least this often (`[sources.options] full_every_s`; 0 = every pass):
// it is what detects a deletion the feed did not report.
inline constexpr int64_t kDriveDefaultFullEverySeconds = 86'400;
inline constexpr int64_t kDriveMaxFullEverySeconds = 366 * 86'400;
// A page token longer than this, or with a byte outside printable ASCII (or a tab), is refused
// as a malformed reply: it could not be kept in a checkpoint.
inline constexpr size_t kDriveMaxPageTokenBytes = 1024;

enum class DriveCursorKind {
  kNone,     // no position: a full listing from its first page
  kListing,  // within a full listing: files.list's next page, the feed's start token
  kChanges,  // within a changes-feed pass: changes.list's next page
  kFeed,     // after an exhausted pass: where the next changes-feed pass starts
};

struct DriveCursor {
  DriveCursorKind kind = DriveCursorKind::kNone;
  int64_t full_at_s = 0;   // when the last (or this) full listing began, Unix seconds
  std::string feed_token;  // changes.list's page token (kListing: taken before the listing)
  std::string page_token;  // files.list's nextPageToken (kListing only; "" = first page)
};

// "list\t<full_at>\t<feed token>\t<page token>", "chg\t<full_at>\t<feed token>",
// "feed\t<full_at>\t<feed token>"; "" for kNone.
std::string formatDriveCursor(const DriveCursor& cursor);
// The inverse. A checkpoint of the connector before the feed (a bare files.list page token) is a
// kListing without a feed token; anything else that does not parse is kNone (a full listing).
DriveCursor parseDriveCursor(const std::string& text);
// Whether a page token from Drive can be kept (see kDriveMaxPageTokenBytes).
bool isDrivePageToken(const std::string& token);
// Whether a new (not resumed) pass starting from the last completed run's `cursor` reads the
// changes feed: not on --full, only from a kFeed cursor, and only while its full listing is
// younger than `full_every_s` (0: never).
bool driveReadsFeed(const DriveCursor& cursor, bool full, int64_t full_every_s, int64_t now_s);

}  // namespace ward::ingest
