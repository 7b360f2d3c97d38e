// Slack's users, conversations and workspace exports for the Slack connector
// (docs/design/ingest.md, "Slack"): the objects the Web API and an export share, parsed strictly,
// and an export ZIP read in memory through the archive reader (archive_reader.h, with its caps).
// Private to the ingest module.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "slack_window.h"
#include "ward/common/json.h"
#include "ward/common/status.h"
#include "ward/ingest/archive_reader.h"

namespace ward::ingest {

struct SlackUser {
  std::string id;
  std::string name;   // shown in the windows' text: display name, else real name, else name
  std::string email;  // profile.email ("" without the users:read.email scope)
  bool deleted = false;
  bool is_bot = false;
};

enum class SlackConversationKind { kPublic, kPrivate, kIm, kMpim };

struct SlackConversation {
  std::string id;
  std::string name;  // a DM's is "dm-<the other user's id>" until the names are known
  SlackConversationKind kind = SlackConversationKind::kPublic;
  bool archived = false;
  std::string im_user;                 // a DM's other user
  std::vector<std::string> members;    // user ids (an export's; the API's come from .members)
  std::vector<SlackMessage> messages;  // an export's (the API's are read per window)
};

// A users.list / users.json member. InvalidArgument names the problem.
Result<SlackUser> parseSlackUser(const Json& j);
// A conversations.list / channels.json (groups.json, dms.json, mpims.json) entry; `kind` is the
// export file's, or (kPublic given) read from the is_private / is_im / is_mpim flags.
Result<SlackConversation> parseSlackConversation(const Json& j, SlackConversationKind kind);

struct SlackExport {
  std::vector<SlackUser> users;
  std::vector<SlackConversation> conversations;  // with their messages
  // Items skipped, with why: a malformed user, conversation, day file or message.
  std::vector<std::pair<std::string, std::string>> problems;
  bool exhausted = true;  // false: a cap of the archive reader stopped it
};

// The export in `zip` (channels.json, groups.json, dms.json, mpims.json, users.json, and a folder
// per conversation of YYYY-MM-DD.json day files). A conversation's folder is its name (a DM's and
// a multi-party DM's: its id or name). InvalidArgument: not a zip, or no channels.json.
Result<SlackExport> readSlackExport(std::string_view zip, const ArchiveLimits& limits);

}  // namespace ward::ingest
