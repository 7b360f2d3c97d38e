// The Slack connector (slack_connector.h).
#include "slack_connector.h"

#include <sys/stat.h>

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <map>
#include <optional>
#include <set>
#include <sstream>

#include "slack_api.h"
#include "slack_export.h"
#include "slack_state.h"
#include "ward/common/clock.h"
#include "ward/identity/principal.h"
#include "ward/ingest/identity_map.h"

namespace ward::ingest {

namespace {

// The export ZIP's own size at most (its entries are capped by the archive reader).
constexpr uint64_t kSlackMaxExportBytes = 1ull << 30;
// Files of an export at most (a day file per conversation per day): the archive reader's entry
// cap for exports; its other caps (bytes, ratio, depth) are the reader's own.
constexpr size_t kSlackMaxExportEntries = 100'000;
constexpr int64_t kDayMicros = kSlackWindowSeconds * 1'000'000;

struct SlackOptions {
  std::string export_path;
  std::string workspace_group;
  int64_t rescan_days = kSlackDefaultRescanDays;
  int64_t max_channels = kSlackMaxChannels;
  int64_t thread_recheck_hours = kSlackDefaultThreadRecheckHours;
};

Result<SlackOptions> parseOptions(const SourceConfig& source) {
  SlackOptions o;
  o.workspace_group = source.name + ".workspace";
  const std::string where = "source '" + source.name + "': [sources.options] ";
  if (!source.options.is_object()) return Status::invalidArgument(where + "must be a table");
  for (auto it = source.options.begin(); it != source.options.end(); ++it) {
    const std::string& k = it.key();
    const Json& v = it.value();
    if (k == "export" || k == "workspace_group") {
      if (!v.is_string() || v.get<std::string>().empty()) {
        return Status::invalidArgument(where + "'" + k + "' must be a non-empty string");
      }
      (k == "export" ? o.export_path : o.workspace_group) = v.get<std::string>();
    } else if (k == "rescan_days" || k == "max_channels" || k == "thread_recheck_hours") {
      const int64_t lo = k == "max_channels" ? 1 : 0;
      const int64_t hi = k == "rescan_days"    ? kSlackMaxRescanDays
                         : k == "max_channels" ? kSlackMaxChannels
                                               : kSlackMaxThreadRecheckHours;
      if (!v.is_number_integer() || v.get<int64_t>() < lo || v.get<int64_t>() > hi) {
        return Status::invalidArgument(where + "'" + k + "' must be an integer from " +
                                       std::to_string(lo) + " to " + std::to_string(hi));
      }
      (k == "rescan_days"    ? o.rescan_days
       : k == "max_channels" ? o.max_channels
                             : o.thread_recheck_hours) = v.get<int64_t>();
    } else {
      return Status::invalidArgument(where + "unknown key '" + k +
                                     "' for the slack connector (known: export, max_channels, "
                                     "rescan_days, thread_recheck_hours, workspace_group)");
    }
  }
  Status name = identity::validateName("workspace_group", o.workspace_group);
  if (!name.ok()) return Status::invalidArgument(where + name.message());
  return o;
}

bool isPrivate(const SlackConversation& c) { return c.kind != SlackConversationKind::kPublic; }

std::string kindName(SlackConversationKind k) {
  switch (k) {
    case SlackConversationKind::kPublic:
      return "public_channel";
    case SlackConversationKind::kPrivate:
      return "private_channel";
    case SlackConversationKind::kIm:
      return "im";
    case SlackConversationKind::kMpim:
      return "mpim";
  }
  return "";
}

class SlackConnector final : public Connector {
 public:
  SlackConnector(SourceConfig source, ConnectorEnv env, SlackOptions options)
      : source_(std::move(source)),
        env_(std::move(env)),
        options_(std::move(options)),
        mapper_(std::in_place, source_.identities) {}

  ConnectorCapabilities capabilities() const override {
    return ConnectorCapabilities{true, true, true, true};
  }
  int64_t requests() const override { return requests_; }

  Status pass(const std::string& checkpoint, EventSink& sink, bool* exhausted) override {
    *exhausted = false;
    mapper_.emplace(source_.identities);
    if (!options_.export_path.empty()) return passExport(sink, exhausted);
    Status s = passApi(checkpoint, sink, exhausted);
    if (s.code() == StatusCode::kResourceExhausted && retry_after_s_ > 0) {
      // Rate limited before any conversation: end the pass with the wait (nothing deleted).
      *exhausted = false;
      return sink.emit(CheckpointEvent{checkpoint, retry_after_s_});
    }
    return s;
  }

 private:
  // The users' names and principals, and the workspace group's whole membership.
  Status prepareWorkspace(const std::vector<SlackUser>& users, EventSink& sink) {
    names_.clear();
    users_.clear();
    std::set<std::string> members;
    for (const SlackUser& u : users) {
      names_[u.id] = u.name;
      users_[u.id] = u;
      if (u.deleted || u.is_bot) continue;
      std::string who = principalOf(u.id);
      if (!who.empty()) members.insert(who);
    }
    return sink.emit(GroupUpdateEvent{options_.workspace_group, {members.begin(), members.end()}});
  }

  // The principal of a user (by its email, else its id), "" for nobody.
  std::string principalOf(const std::string& user_id) {
    auto it = users_.find(user_id);
    if (it != users_.end() && (it->second.deleted || it->second.is_bot)) return "";
    const std::string identity =
        it != users_.end() && !it->second.email.empty() ? it->second.email : user_id;
    return mapper_->map(identity);
  }

  store::Acl aclOf(const SlackConversation& c, const std::vector<std::string>& members) {
    store::Acl acl;
    if (!isPrivate(c)) {
      acl.groups = {options_.workspace_group};
      return acl;
    }
    std::set<std::string> users;
    for (const std::string& m : members) {
      std::string who = principalOf(m);
      if (!who.empty()) users.insert(who);
    }
    acl.users.assign(users.begin(), users.end());
    return acl;
  }

  std::string displayName(const SlackConversation& c) const {
    if (c.kind != SlackConversationKind::kIm || c.im_user.empty()) return c.name;
    auto it = names_.find(c.im_user);
    return "dm-" + (it == names_.end() ? c.im_user : it->second);
  }

  UpsertEvent windowEvent(const SlackConversation& c, const std::string& day,
                          const store::Acl& acl) const {
    UpsertEvent e;
    e.id = source_.name + ":" + c.id + "/" + day;
    e.name = c.id + "-" + day + ".txt";
    e.title = "#" + displayName(c) + " " + day;
    e.acl = acl;
    e.metadata = Json{{"channel", c.id},
                      {"channel_name", displayName(c)},
                      {"kind", kindName(c.kind)},
                      {"day", day}};
    return e;
  }

  std::string permalink(const std::string& channel, const std::string& ts) const {
    if (team_url_.empty() || ts.empty()) return "";
    std::string digits;
    for (char ch : ts) {
      if (ch != '.') digits += ch;
    }
    return team_url_ + "archives/" + channel + "/p" + digits;
  }

  Status emitWindow(const SlackConversation& c, const SlackWindow& w, const store::Acl& acl,
                    EventSink& sink) {
    UpsertEvent e = windowEvent(c, w.day, acl);
    e.version = w.version;
    e.url = permalink(c.id, w.first_ts);
    e.updated_at = w.updated_at;
    e.metadata["messages"] = w.messages;
    auto text = std::make_shared<std::string>(w.text);
    e.fetch = [text]() -> Result<std::string> { return *text; };
    return sink.emit(std::move(e));
  }

  Status reportUnmapped(EventSink& sink) {
    for (const std::string& id : mapper_->unmapped()) {
      WARD_RETURN_IF_ERROR(sink.emit(FailureEvent{
          "identity:" + id, "no [[sources.identities]] rule maps it: it grants nothing",
          FailureKind::kRefused}));
    }
    return Status();
  }

  // --- The Web API ---

  // The messages of a conversation from `oldest_s` (0 = all) to `latest_s` (0 = now), with
  // their threads' replies; malformed messages are reported and skipped.
  Status readMessages(SlackApi& api, const SlackConversation& c, int64_t oldest_s, int64_t latest_s,
                      std::vector<SlackMessage>* out, EventSink& sink) {
    WARD_RETURN_IF_ERROR(readHistory(api, c, oldest_s, latest_s, out, sink));
    std::vector<std::string> threads;
    for (const SlackMessage& m : *out) {
      if (m.reply_count > 0 && !m.isReply()) threads.push_back(m.ts);
    }
    return readThreads(api, c, threads, out, sink);
  }

  // conversations.history alone (no thread replies), as readMessages.
  Status readHistory(SlackApi& api, const SlackConversation& c, int64_t oldest_s, int64_t latest_s,
                     std::vector<SlackMessage>* out, EventSink& sink) {
    SlackParams params{{"channel", c.id}, {"limit", std::to_string(kSlackPageLimit)}};
    if (oldest_s > 0) params.emplace_back("oldest", std::to_string(oldest_s) + ".000000");
    if (latest_s > 0) params.emplace_back("latest", std::to_string(latest_s - 1) + ".999999");
    if (oldest_s > 0 || latest_s > 0) params.emplace_back("inclusive", "true");
    bool complete = true;
    WARD_RETURN_IF_ERROR(api.paginate(
        "conversations.history", params,
        [&](const Json& page) { return takeMessages(c, page, out, sink); }, &complete));
    if (!complete) return Status::unavailable("slack: the history of " + c.id + " never ends");
    return Status();
  }

  // conversations.replies of each thread parent ts, appended to `out`.
  Status readThreads(SlackApi& api, const SlackConversation& c,
                     const std::vector<std::string>& threads, std::vector<SlackMessage>* out,
                     EventSink& sink) {
    bool complete = true;
    for (const std::string& ts : threads) {
      Status s = api.paginate(
          "conversations.replies",
          {{"channel", c.id}, {"ts", ts}, {"limit", std::to_string(kSlackPageLimit)}},
          [&](const Json& page) { return takeMessages(c, page, out, sink); }, &complete);
      // A thread whose parent went between the two calls has nothing left to read.
      if (!s.ok() && SlackApi::errorCode(s) != "thread_not_found") return s;
    }
    return Status();
  }

  // One page of messages: parsed into `out`, a malformed one reported and skipped.
  Status takeMessages(const SlackConversation& c, const Json& page, std::vector<SlackMessage>* out,
                      EventSink& sink) {
    if (!page.contains("messages") || !page["messages"].is_array()) {
      return Status::unavailable("slack: a reply without a 'messages' array");
    }
    size_t index = 0;
    for (const Json& m : page["messages"]) {
      auto msg = parseSlackMessage(m);
      if (!msg.ok()) {
        std::string at = m.is_object() && m.contains("ts") && m["ts"].is_string()
                             ? m["ts"].get<std::string>()
                             : "#" + std::to_string(index);
        WARD_RETURN_IF_ERROR(sink.emit(FailureEvent{
            source_.name + ":" + c.id + "/message " + at.substr(0, 32),
            "malformed message skipped: " + msg.status().message(), FailureKind::kRefused}));
      } else if (!msg->ts.empty()) {
        out->push_back(std::move(msg).value());
      }
      ++index;
    }
    return Status();
  }

  // One conversation: its ACL, the windows read again (from the rescan day on) and the older
  // ones from the state, whose bytes are read only when the runner asks.
  Status passChannel(SlackApi& api, const SlackConversation& c, const ChannelState& old,
                     ChannelState* now, EventSink& sink) {
    std::vector<std::string> members;
    if (isPrivate(c)) {
      bool complete = true;
      WARD_RETURN_IF_ERROR(api.paginate(
          "conversations.members", {{"channel", c.id}, {"limit", std::to_string(kSlackPageLimit)}},
          [&](const Json& page) {
            if (page.contains("members") && page["members"].is_array()) {
              for (const Json& m : page["members"]) {
                if (m.is_string()) members.push_back(m.get<std::string>());
              }
            }
            return Status();
          },
          &complete));
      // A member list cut short would narrow the ACL: refuse it.
      if (!complete) {
        return Status::failedPrecondition("slack: the members of " + c.id + " never end");
      }
    }
    // Members users.list did not list (another workspace's, in a shared channel): users.info.
    for (const std::string& m : members) {
      if (users_.count(m)) continue;
      auto info = api.call("users.info", {{"user", m}});
      if (!info.ok() && info.status().code() != StatusCode::kFailedPrecondition) {
        return info.status();
      }
      SlackUser u;
      u.id = u.name = m;  // not found: kept by its id, which maps to nobody unless a rule says
      if (info.ok() && info->contains("user")) {
        auto parsed = parseSlackUser((*info)["user"]);
        if (parsed.ok() && parsed->id == m) u = std::move(parsed).value();
      }
      names_[m] = u.name;
      users_[m] = std::move(u);
    }
    const store::Acl acl = aclOf(c, members);
    const bool incremental = options_.rescan_days > 0 && old.newest_us > 0;
    const int64_t oldest_s =
        incremental
            ? slackDayStart(std::max<int64_t>(0, old.newest_us - options_.rescan_days * kDayMicros))
            : 0;
    const std::string first_day = incremental ? slackDay(oldest_s * 1'000'000) : "";
    std::vector<SlackMessage> history;
    WARD_RETURN_IF_ERROR(readHistory(api, c, oldest_s, 0, &history, sink));
    *now = ChannelState{old.newest_us, {}, {}};
    for (const SlackMessage& m : history) {
      int64_t us = 0;
      if (parseSlackTs(m.ts, &us)) now->newest_us = std::max(now->newest_us, us);
      if (parseSlackTs(m.latest_reply, &us)) now->newest_us = std::max(now->newest_us, us);
    }
    // A window whose history is as the last pass saw it is listed with its stored version (its
    // threads are not read; the runner reads the day only if it lacks that version); the others
    // are built again with their threads' replies.
    const std::map<std::string, std::string> signatures = slackHistorySignatures(history);
    // Windows with a thread whose newest reply is recent: read again (a reply's edit).
    std::set<std::string> recent;
    if (options_.thread_recheck_hours > 0) {
      const int64_t from_us = now->newest_us - options_.thread_recheck_hours * 3'600'000'000;
      for (const SlackMessage& m : history) {
        int64_t us = 0;
        if (m.reply_count > 0 && !m.isReply() && parseSlackTs(m.latest_reply, &us) &&
            us >= from_us) {
          recent.insert(slackWindowDay(m));
        }
      }
    }
    std::set<std::string> rebuilt;
    for (const auto& [day, signature] : signatures) {
      auto version = old.windows.find(day);
      auto before = old.signatures.find(day);
      if (incremental && !env_.full && day >= first_day && recent.count(day) == 0 &&
          version != old.windows.end() && before != old.signatures.end() &&
          before->second == signature) {
        now->windows[day] = version->second;
        now->signatures[day] = signature;
        UpsertEvent e = windowEvent(c, day, acl);
        e.version = version->second;
        e.fetch = [this, &api, c, day]() -> Result<std::string> { return readDay(api, c, day); };
        WARD_RETURN_IF_ERROR(sink.emit(std::move(e)));
      } else {
        rebuilt.insert(day);
      }
    }
    std::vector<SlackMessage> messages;
    std::vector<std::string> threads;
    for (SlackMessage& m : history) {
      if (!rebuilt.count(slackWindowDay(m))) continue;
      if (m.reply_count > 0 && !m.isReply()) threads.push_back(m.ts);
      messages.push_back(std::move(m));
    }
    WARD_RETURN_IF_ERROR(readThreads(api, c, threads, &messages, sink));
    // Older windows: as they were (a --full run, or a version the runner lacks, reads them).
    for (const auto& [day, version] : old.windows) {
      if (!incremental || day >= first_day) continue;
      now->windows[day] = version;
      UpsertEvent e = windowEvent(c, day, acl);
      e.version = version;
      // A copy named for the capture: clang 14 (the tidy gate) cannot capture a structured binding.
      e.fetch = [this, &api, c, day = day]() -> Result<std::string> {
        return readDay(api, c, day);
      };
      WARD_RETURN_IF_ERROR(sink.emit(std::move(e)));
    }
    for (const auto& [day, w] : buildSlackWindows(displayName(c), std::move(messages), names_)) {
      now->windows[day] = w.version;
      auto signature = signatures.find(day);
      if (signature != signatures.end()) now->signatures[day] = signature->second;
      WARD_RETURN_IF_ERROR(emitWindow(c, w, acl, sink));
    }
    return Status();
  }

  // An older window's text, read again (its day of history and its threads).
  Result<std::string> readDay(SlackApi& api, const SlackConversation& c, const std::string& day) {
    int64_t start_us = 0;
    if (!parseRfc3339(day + "T00:00:00Z", &start_us)) {
      return Status::invalidArgument("bad window day " + day);
    }
    const int64_t start_s = start_us / 1'000'000;
    std::vector<SlackMessage> messages;
    struct NullSink final : EventSink {
      Status emit(SyncEvent) override { return Status(); }
    } quiet;
    WARD_RETURN_IF_ERROR(
        readMessages(api, c, start_s, start_s + kSlackWindowSeconds, &messages, quiet));
    auto windows = buildSlackWindows(displayName(c), std::move(messages), names_);
    auto it = windows.find(day);
    if (it == windows.end()) return Status::notFound("the window has no messages any more");
    return it->second.text;
  }

  Status passApi(const std::string& checkpoint, EventSink& sink, bool* exhausted) {
    WARD_ASSIGN_OR_RETURN(auto client, ServiceClient::open(source_, env_, kSlackDefaultBaseUrl));
    SlackApi api(std::move(client));
    retry_after_s_ = 0;
    struct Remember {  // the API's retry-after and request count, for pass() once this returns
      SlackApi& api;
      int64_t& out;
      int64_t& requests;
      ~Remember() {
        out = api.retryAfter();
        requests = api.requests();
      }
    } remember{api, retry_after_s_, requests_};
    bool complete = true;
    WARD_ASSIGN_OR_RETURN(Json who, api.call("auth.test", {}));
    team_url_ = who.contains("url") && who["url"].is_string() ? who["url"].get<std::string>() : "";
    if (team_url_.rfind("https://", 0) != 0 && team_url_.rfind("http://", 0) != 0) {
      team_url_.clear();  // a permalink base is a web URL or nothing
    }
    if (!team_url_.empty() && team_url_.back() != '/') team_url_ += '/';

    std::vector<SlackUser> users;
    bool part = true;
    WARD_RETURN_IF_ERROR(api.paginate(
        "users.list", {{"limit", std::to_string(kSlackPageLimit)}},
        [&](const Json& page) -> Status {
          if (!page.contains("members") || !page["members"].is_array()) {
            return Status::unavailable("slack users.list: a reply without a 'members' array");
          }
          for (const Json& m : page["members"]) {
            auto u = parseSlackUser(m);
            if (u.ok()) {
              users.push_back(std::move(u).value());
            } else {
              WARD_RETURN_IF_ERROR(
                  sink.emit(FailureEvent{"user", "malformed user skipped: " + u.status().message(),
                                         FailureKind::kRefused}));
            }
          }
          return Status();
        },
        &part));
    // Without every user the workspace group would shrink: a cut listing ends the pass.
    if (!part) return Status::unavailable("slack users.list: the listing never ends");
    WARD_RETURN_IF_ERROR(prepareWorkspace(users, sink));

    std::vector<SlackConversation> convs;
    WARD_RETURN_IF_ERROR(api.paginate(
        "conversations.list",
        {{"types", "public_channel,private_channel,mpim,im"},
         {"exclude_archived", "true"},
         {"limit", std::to_string(kSlackPageLimit)}},
        [&](const Json& page) -> Status {
          if (!page.contains("channels") || !page["channels"].is_array()) {
            return Status::unavailable("slack conversations.list: a reply without 'channels'");
          }
          for (const Json& ch : page["channels"]) {
            auto c = parseSlackConversation(ch, SlackConversationKind::kPublic);
            if (!c.ok()) {
              WARD_RETURN_IF_ERROR(sink.emit(FailureEvent{
                  "conversation", "malformed conversation skipped: " + c.status().message(),
                  FailureKind::kRefused}));
            } else if (!c->archived) {
              convs.push_back(std::move(c).value());
            }
          }
          return Status();
        },
        &complete));
    std::sort(convs.begin(), convs.end(), [](const auto& a, const auto& b) { return a.id < b.id; });
    if (static_cast<int64_t>(convs.size()) > options_.max_channels) {
      convs.resize(static_cast<size_t>(options_.max_channels));
      complete = false;
    }

    const std::string state_path = statePath();
    const SlackState state = state_path.empty() ? SlackState{} : loadSlackState(state_path);
    SlackState next;
    std::string done = checkpoint;
    for (const SlackConversation& c : convs) {
      auto old = state.find(c.id);
      const ChannelState before = old == state.end() ? ChannelState{} : old->second;
      if (!checkpoint.empty() && c.id <= checkpoint) {  // committed before a resume
        next[c.id] = before;
        continue;
      }
      ChannelState now;
      Status s = passChannel(api, c, before, &now, sink);
      if (s.code() == StatusCode::kResourceExhausted) {
        // A long rate-limit wait: stop here, the next run starts again (nothing deleted).
        return sink.emit(CheckpointEvent{done, api.retryAfter()});
      }
      if (s.code() == StatusCode::kFailedPrecondition) {
        // This conversation cannot be read (not_in_channel, ...): it is protected, the rest goes
        // on.
        WARD_RETURN_IF_ERROR(
            sink.emit(FailureEvent{source_.name + ":" + c.id, s.message(), FailureKind::kError}));
        next[c.id] = before;
      } else if (!s.ok()) {
        return s;
      } else {
        next[c.id] = std::move(now);
      }
      done = c.id;
      WARD_RETURN_IF_ERROR(sink.emit(CheckpointEvent{done}));
    }
    WARD_RETURN_IF_ERROR(reportUnmapped(sink));
    if (!complete) return Status();
    if (!state_path.empty()) WARD_RETURN_IF_ERROR(saveSlackState(state_path, next));
    *exhausted = true;
    return Status();
  }

  std::string statePath() const {
    if (env_.state_dir.empty()) return "";
    return env_.state_dir + "/slack/" + source_.name + ".json";
  }

  // --- The export ZIP ---

  Status passExport(EventSink& sink, bool* exhausted) {
    struct stat st {};
    if (::stat(options_.export_path.c_str(), &st) != 0 || !S_ISREG(st.st_mode)) {
      return Status::notFound("source '" + source_.name + "': the export " + options_.export_path +
                              " is not a readable file");
    }
    if (static_cast<uint64_t>(st.st_size) > kSlackMaxExportBytes) {
      return Status::invalidArgument("source '" + source_.name + "': the export is larger than " +
                                     std::to_string(kSlackMaxExportBytes) + " bytes");
    }
    std::ifstream in(options_.export_path, std::ios::binary);
    std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    if (!in && !in.eof()) return Status::unavailable("cannot read " + options_.export_path);
    ArchiveLimits limits;
    limits.max_entries = kSlackMaxExportEntries;
    WARD_ASSIGN_OR_RETURN(SlackExport ex, readSlackExport(bytes, limits));
    bytes.clear();
    for (const auto& [item, why] : ex.problems) {
      WARD_RETURN_IF_ERROR(sink.emit(FailureEvent{item, why, FailureKind::kRefused}));
    }
    WARD_RETURN_IF_ERROR(prepareWorkspace(ex.users, sink));
    std::sort(ex.conversations.begin(), ex.conversations.end(),
              [](const auto& a, const auto& b) { return a.id < b.id; });
    bool complete = ex.exhausted;
    if (static_cast<int64_t>(ex.conversations.size()) > options_.max_channels) {
      ex.conversations.resize(static_cast<size_t>(options_.max_channels));
      complete = false;
    }
    for (SlackConversation& c : ex.conversations) {
      if (c.archived) continue;
      const store::Acl acl = aclOf(c, c.members);
      for (const auto& [day, w] :
           buildSlackWindows(displayName(c), std::move(c.messages), names_)) {
        WARD_RETURN_IF_ERROR(emitWindow(c, w, acl, sink));
      }
      WARD_RETURN_IF_ERROR(sink.emit(CheckpointEvent{c.id}));
    }
    WARD_RETURN_IF_ERROR(reportUnmapped(sink));
    *exhausted = complete;
    return Status();
  }

  SourceConfig source_;
  ConnectorEnv env_;
  SlackOptions options_;
  std::optional<IdentityMapper> mapper_;  // one per pass
  int64_t retry_after_s_ = 0;
  int64_t requests_ = 0;                      // the last API pass's
  std::map<std::string, std::string> names_;  // user id -> name shown
  std::map<std::string, SlackUser> users_;
  std::string team_url_;  // auth.test's url, for permalinks ("" = none)
};

}  // namespace

Result<std::unique_ptr<Connector>> makeSlackConnector(const SourceConfig& source,
                                                      const ConnectorEnv& env) {
  WARD_ASSIGN_OR_RETURN(SlackOptions options, parseOptions(source));
  if (options.export_path.empty() && !env.state_dir.empty()) {
    const std::string dir = env.state_dir + "/slack";
    if (::mkdir(dir.c_str(), 0700) != 0 && errno != EEXIST) {
      return Status::unavailable("cannot create " + dir);
    }
  }
  return std::unique_ptr<Connector>(
      std::make_unique<SlackConnector>(source, env, std::move(options)));
}

}  // namespace ward::ingest
