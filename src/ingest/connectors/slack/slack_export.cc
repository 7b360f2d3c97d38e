// Slack's users, conversations and workspace exports (slack_export.h).
#include "slack_export.h"

#include <map>

namespace ward::ingest {

namespace {

bool flag(const Json& j, const char* key) {
  return j.contains(key) && j[key].is_boolean() && j[key].get<bool>();
}

std::string text(const Json& j, const char* key) {
  return j.contains(key) && j[key].is_string() ? j[key].get<std::string>() : std::string();
}

// A day file's name: "<folder>/YYYY-MM-DD.json".
bool isDayFile(const std::string& name, std::string* folder) {
  size_t slash = name.rfind('/');
  if (slash == std::string::npos || slash == 0) return false;
  std::string file = name.substr(slash + 1);
  if (file.size() != 15 || file.substr(10) != ".json") return false;
  for (size_t i = 0; i < 10; ++i) {
    const bool dash = i == 4 || i == 7;
    if (dash ? file[i] != '-' : (file[i] < '0' || file[i] > '9')) return false;
  }
  *folder = name.substr(0, slash);
  return folder->find('/') == std::string::npos;
}

}  // namespace

Result<SlackUser> parseSlackUser(const Json& j) {
  if (!j.is_object()) return Status::invalidArgument("a user must be a JSON object");
  SlackUser u;
  u.id = text(j, "id");
  if (u.id.empty()) return Status::invalidArgument("a user needs a string 'id'");
  u.deleted = flag(j, "deleted");
  u.is_bot = flag(j, "is_bot");
  u.name = text(j, "name");
  if (j.contains("profile")) {
    const Json& p = j["profile"];
    if (!p.is_object()) {
      return Status::invalidArgument("user " + u.id + ": 'profile' not an object");
    }
    u.email = text(p, "email");
    std::string shown = text(p, "display_name");
    if (shown.empty()) shown = text(p, "real_name");
    if (!shown.empty()) u.name = shown;
  }
  if (u.name.empty()) u.name = u.id;
  return u;
}

Result<SlackConversation> parseSlackConversation(const Json& j, SlackConversationKind kind) {
  if (!j.is_object()) return Status::invalidArgument("a conversation must be a JSON object");
  SlackConversation c;
  c.id = text(j, "id");
  if (c.id.empty()) return Status::invalidArgument("a conversation needs a string 'id'");
  if (kind == SlackConversationKind::kPublic) {
    if (flag(j, "is_im")) {
      kind = SlackConversationKind::kIm;
    } else if (flag(j, "is_mpim")) {
      kind = SlackConversationKind::kMpim;
    } else if (flag(j, "is_private") || flag(j, "is_group")) {
      kind = SlackConversationKind::kPrivate;
    }
  }
  c.kind = kind;
  c.archived = flag(j, "is_archived");
  c.im_user = text(j, "user");
  c.name = text(j, "name");
  if (c.name.empty()) {
    c.name =
        kind == SlackConversationKind::kIm ? "dm-" + (c.im_user.empty() ? c.id : c.im_user) : c.id;
  }
  if (j.contains("members")) {
    if (!j["members"].is_array()) {
      return Status::invalidArgument("conversation " + c.id + ": 'members' must be an array");
    }
    for (const Json& m : j["members"]) {
      if (m.is_string()) c.members.push_back(m.get<std::string>());
    }
  }
  if (kind == SlackConversationKind::kIm && !c.im_user.empty()) c.members.push_back(c.im_user);
  return c;
}

Result<SlackExport> readSlackExport(std::string_view zip, const ArchiveLimits& limits) {
  std::map<std::string, std::string> files;
  SlackExport out;
  auto outcome = readArchive(
      zip, limits,
      [&](ArchiveEntry&& e) {
        if (e.name.find("!/") == std::string::npos) files[e.name] = std::move(e.bytes);
        return Status();
      },
      [&](const std::string& name, const std::string& why) {
        out.problems.emplace_back(name.empty() ? "export" : "export:" + name, why);
        return Status();
      });
  if (!outcome.ok()) return outcome.status();
  out.exhausted = outcome->exhausted;
  if (!files.count("channels.json")) {
    return Status::invalidArgument("the export has no channels.json");
  }
  auto list = [&](const std::string& file) -> std::vector<Json> {
    auto it = files.find(file);
    if (it == files.end()) return {};
    auto j = parseJson(it->second);
    if (!j.ok() || !j->is_array()) {
      out.problems.emplace_back("export:" + file, "not a JSON array: skipped");
      return {};
    }
    return std::vector<Json>(j->begin(), j->end());
  };
  for (const Json& u : list("users.json")) {
    auto user = parseSlackUser(u);
    if (user.ok()) {
      out.users.push_back(std::move(user).value());
    } else {
      out.problems.emplace_back("export:users.json", user.status().message());
    }
  }
  // The folder of each conversation, by its file.
  std::map<std::string, size_t> by_folder;
  const std::pair<const char*, SlackConversationKind> kFiles[] = {
      {"channels.json", SlackConversationKind::kPublic},
      {"groups.json", SlackConversationKind::kPrivate},
      {"dms.json", SlackConversationKind::kIm},
      {"mpims.json", SlackConversationKind::kMpim}};
  for (const auto& [file, kind] : kFiles) {
    for (const Json& c : list(file)) {
      auto conv = parseSlackConversation(c, kind);
      if (!conv.ok()) {
        out.problems.emplace_back(std::string("export:") + file, conv.status().message());
        continue;
      }
      // Public channels' folders are named after the channel; DMs' after their id.
      const std::string folder = kind == SlackConversationKind::kIm ? conv->id : conv->name;
      if (by_folder.count(folder)) continue;
      by_folder[folder] = out.conversations.size();
      out.conversations.push_back(std::move(conv).value());
    }
  }
  for (const auto& [name, bytes] : files) {
    std::string folder;
    if (!isDayFile(name, &folder)) continue;
    auto at = by_folder.find(folder);
    if (at == by_folder.end()) continue;  // a conversation the export does not list
    SlackConversation& conv = out.conversations[at->second];
    auto day = parseJson(bytes);
    if (!day.ok() || !day->is_array()) {
      out.problems.emplace_back("export:" + name, "not a JSON array: skipped");
      continue;
    }
    size_t index = 0;
    for (const Json& m : *day) {
      auto msg = parseSlackMessage(m);
      if (!msg.ok()) {
        out.problems.emplace_back("export:" + name + "#" + std::to_string(index),
                                  "malformed message skipped: " + msg.status().message());
      } else if (!msg->ts.empty()) {
        conv.messages.push_back(std::move(msg).value());
      }
      ++index;
    }
  }
  return out;
}

}  // namespace ward::ingest
