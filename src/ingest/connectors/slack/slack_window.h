// The Slack connector's pure pieces (docs/design/ingest.md, "Slack"): a message of the Web API
// or of an export, and the windows a conversation is cut into. A window is one conversation's
// messages of one UTC day (by the thread's parent: a reply stays with its parent, whatever day it
// was written), rendered as text; its version is the SHA-256 of its messages' ts, edited.ts,
// author and text, so an edit or a deletion changes only its window's version. Private to the
// ingest module.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "ward/common/json.h"
#include "ward/common/status.h"

namespace ward::ingest {

// A window spans this many seconds of a conversation: one UTC day.
inline constexpr int64_t kSlackWindowSeconds = 86'400;
// Bytes of one message's text at most (longer text is cut there, on a UTF-8 boundary).
inline constexpr size_t kSlackMaxMessageBytes = 64 * 1024;

struct SlackMessage {
  std::string ts;         // "1700000000.000100": the message's id within its conversation
  std::string thread_ts;  // the parent's ts for a thread message ("" = not in a thread)
  std::string user;       // the author's user id ("" for some bots)
  std::string text;
  std::string edited_ts;  // edited.ts ("" = never edited)
  int64_t reply_count = 0;
  std::string latest_reply;  // a thread parent's newest reply ts ("" = none)
  bool isReply() const { return !thread_ts.empty() && thread_ts != ts; }
};

struct SlackWindow {
  std::string day;         // "YYYY-MM-DD" (UTC)
  std::string first_ts;    // its first parent message (the permalink's)
  std::string text;        // the rendered messages
  std::string version;     // SHA-256 hex of the messages (see above)
  int64_t updated_at = 0;  // micros: the latest ts or edited.ts of its messages
  size_t messages = 0;
};

// A Slack ts ("seconds.micros") in micros; false when it is not one.
bool parseSlackTs(std::string_view ts, int64_t* micros);
// The UTC day ("YYYY-MM-DD") of a time in micros, and the first second of that day.
std::string slackDay(int64_t micros);
int64_t slackDayStart(int64_t micros);  // seconds

// One message object (conversations.history, .replies, an export's day file). InvalidArgument
// names the problem (not an object, no ts, a field of the wrong type). Messages that are not
// content (joins, leaves, tombstones of deleted messages) come back with an empty ts: skip them.
Result<SlackMessage> parseSlackMessage(const Json& j);

// The UTC day of the window a message belongs to: its thread parent's day for a reply.
std::string slackWindowDay(const SlackMessage& m);

// The signature of each window's history (conversations.history, no thread replies): per
// window day, the SHA-256 of its messages' ts, thread_ts, edited.ts, author, text, reply_count
// and latest_reply. When a day's signature is the one of the last pass, no parent in it was
// edited, deleted or added and no thread in it gained or lost a reply, so its threads need not
// be read again (an edit of a reply alone changes none of these: docs/design/ingest.md, "Slack").
std::map<std::string, std::string> slackHistorySignatures(const std::vector<SlackMessage>& history);

// The windows of one conversation, by day. `names` maps user ids to the names shown (an id
// without one is shown as itself). A reply whose parent is absent is kept in its parent's day.
std::map<std::string, SlackWindow> buildSlackWindows(
    const std::string& conversation, std::vector<SlackMessage> messages,
    const std::map<std::string, std::string>& names);

}  // namespace ward::ingest
