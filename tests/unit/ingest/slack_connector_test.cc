// The Slack connector's pure pieces and its export pass (src/ingest/connectors/slack/): day
// windows with threads kept with their parent, versions that move with an edit or a deletion
// only, strict options, and the ACLs of public, private and direct conversations.
#include <archive.h>
#include <archive_entry.h>
#include <gtest/gtest.h>

#include <fstream>
#include <string>
#include <vector>

#include "../../../src/ingest/connectors/slack/slack_api.h"
#include "../../../src/ingest/connectors/slack/slack_connector.h"
#include "../../../src/ingest/connectors/slack/slack_export.h"
#include "../../../src/ingest/connectors/slack/slack_window.h"
#include "ward/common/encoding.h"

namespace ward::ingest {
namespace {

SlackMessage msg(std::string ts, std::string text, std::string thread = "", std::string edited = "",
                 std::string user = "U1") {
  SlackMessage m;
  m.ts = std::move(ts);
  m.text = std::move(text);
  m.thread_ts = std::move(thread);
  m.edited_ts = std::move(edited);
  m.user = std::move(user);
  return m;
}

// 2023-11-14 22:13:20 UTC and the next day.
constexpr const char* kDay1 = "1700000000.000100";
constexpr const char* kDay1b = "1700001000.000200";
constexpr const char* kDay2 = "1700090000.000300";

TEST(SlackTs, ParsesSecondsAndMicros) {
  struct Case {
    const char* ts;
    bool ok;
    int64_t micros;
  } cases[] = {{"1700000000.000100", true, 1700000000000100},
               {"1700000000", true, 1700000000000000},
               {"1700000000.5", true, 1700000000500000},
               {"", false, 0},
               {"17x.1", false, 0},
               {"1.1234567", false, 0},
               {".5", false, 0}};
  for (const auto& c : cases) {
    int64_t us = 0;
    EXPECT_EQ(parseSlackTs(c.ts, &us), c.ok) << c.ts;
    if (c.ok) {
      EXPECT_EQ(us, c.micros) << c.ts;
    }
  }
  EXPECT_EQ(slackDay(1700000000000100), "2023-11-14");
  EXPECT_EQ(slackDayStart(1700000000000100), 1699920000);
}

TEST(SlackMessageParse, ReadsAThreadParentsLatestReply) {
  auto m = parseSlackMessage(Json{{"ts", kDay1},
                                  {"thread_ts", kDay1},
                                  {"reply_count", 2},
                                  {"latest_reply", "1700000600.000000"},
                                  {"text", "t"}});
  ASSERT_TRUE(m.ok()) << m.status().message();
  EXPECT_EQ(m->latest_reply, "1700000600.000000");
  EXPECT_EQ(m->reply_count, 2);
  EXPECT_FALSE(parseSlackMessage(Json{{"ts", kDay1}, {"latest_reply", 5}}).ok());
}

TEST(SlackMessageParse, RefusesMalformedAndSkipsNotices) {
  struct Case {
    const char* json;
    const char* error;  // "" = parses
    bool notice;
  } cases[] = {
      {R"({"ts":"1700000000.000100","user":"U1","text":"hi"})", "", false},
      {R"({"ts":"1700000000.000100","text":"x","edited":{"ts":"1700000005.0"}})", "", false},
      {R"({"ts":"1700000000.000100","subtype":"channel_join","text":"joined"})", "", true},
      {R"({"ts":"1700000000.000100","subtype":"tombstone","text":""})", "", true},
      {R"("just a string")", "JSON object", false},
      {R"({"text":"no ts"})", "'ts'", false},
      {R"({"ts":12,"text":"x"})", "'ts'", false},
      {R"({"ts":"1700000000.1","text":["x"]})", "'text'", false},
      {R"({"ts":"1700000000.1","text":"x","edited":"yes"})", "'edited'", false},
      {R"({"ts":"1700000000.1","text":"x","reply_count":"2"})", "'reply_count'", false},
      {R"({"ts":"1700000000.1","text":"x","thread_ts":"abc"})", "'thread_ts'", false},
  };
  for (const auto& c : cases) {
    auto j = parseJson(c.json);
    ASSERT_TRUE(j.ok()) << c.json;
    auto m = parseSlackMessage(*j);
    if (std::string(c.error).empty()) {
      ASSERT_TRUE(m.ok()) << c.json << ": " << m.status().message();
      EXPECT_EQ(m->ts.empty(), c.notice) << c.json;
    } else {
      ASSERT_FALSE(m.ok()) << c.json;
      EXPECT_NE(m.status().message().find(c.error), std::string::npos) << m.status().message();
    }
  }
}

TEST(SlackWindows, OneWindowPerDayWithRepliesUnderTheirParent) {
  std::vector<SlackMessage> ms = {
      msg(kDay2, "second day"),
      msg(kDay1, "parent", kDay1),
      msg(kDay1b, "later on day one"),
      // A reply written on day two stays in its parent's window (day one), right after it.
      msg("1700095000.000400", "a late reply", kDay1, "", "U2"),
  };
  auto w = buildSlackWindows("general", ms, {{"U1", "ada"}, {"U2", "bob"}});
  ASSERT_EQ(w.size(), 2u);
  const SlackWindow& d1 = w.at("2023-11-14");
  EXPECT_EQ(d1.messages, 3u);
  EXPECT_EQ(d1.first_ts, kDay1);
  EXPECT_NE(d1.text.find("#general 2023-11-14"), std::string::npos);
  const size_t parent = d1.text.find("ada: parent");
  const size_t reply = d1.text.find("reply [");
  const size_t later = d1.text.find("later on day one");
  ASSERT_NE(parent, std::string::npos);
  ASSERT_NE(reply, std::string::npos);
  EXPECT_LT(parent, reply);
  EXPECT_LT(reply, later);
  EXPECT_NE(d1.text.find("bob: a late reply"), std::string::npos);
  EXPECT_EQ(w.at("2023-11-15").messages, 1u);
}

// Each change to the messages of day one moves day one's version and only it.
TEST(SlackWindows, AnEditOrADeletionMovesOnlyItsWindowsVersion) {
  const std::vector<SlackMessage> base = {msg(kDay1, "one"), msg(kDay1b, "two"),
                                          msg(kDay2, "three")};
  const auto before = buildSlackWindows("c", base, {});
  struct Case {
    const char* what;
    std::vector<SlackMessage> messages;
  } cases[] = {
      {"an edit (text and edited.ts)", {msg(kDay1, "one!", "", "1700000500.0"), base[1], base[2]}},
      {"an edit marked by edited.ts only",
       {msg(kDay1, "one", "", "1700000500.0"), base[1], base[2]}},
      {"a deletion", {base[0], base[2]}},
      {"a new reply", {base[0], base[1], base[2], msg("1700000700.0", "re", kDay1)}},
  };
  for (const auto& c : cases) {
    const auto after = buildSlackWindows("c", c.messages, {});
    EXPECT_NE(after.at("2023-11-14").version, before.at("2023-11-14").version) << c.what;
    EXPECT_EQ(after.at("2023-11-15").version, before.at("2023-11-15").version) << c.what;
  }
  const auto again = buildSlackWindows("c", base, {});
  EXPECT_EQ(again.at("2023-11-14").version, before.at("2023-11-14").version);
  // A deleted message's text is gone from its window.
  const auto deleted = buildSlackWindows("c", {base[0], base[2]}, {});
  EXPECT_EQ(deleted.at("2023-11-14").text.find(": two"), std::string::npos);
}

// The history signature decides whether a window's threads are read again on an incremental
// pass: it moves with what conversations.history shows of the window (a parent's edit,
// deletion or addition, a thread's reply_count or latest_reply), and only for that window.
TEST(SlackWindows, TheHistorySignatureMovesWhenAThreadOrAParentChanges) {
  auto parent = [](std::string ts, std::string text, int64_t replies, std::string latest) {
    SlackMessage m = msg(std::move(ts), std::move(text), "", "");
    m.thread_ts = replies > 0 ? m.ts : "";
    m.reply_count = replies;
    m.latest_reply = std::move(latest);
    return m;
  };
  const std::vector<SlackMessage> base = {parent(kDay1, "one", 2, "1700000600.000000"),
                                          msg(kDay1b, "two"), msg(kDay2, "three")};
  const auto before = slackHistorySignatures(base);
  ASSERT_EQ(before.size(), 2u);
  struct Case {
    const char* what;
    std::vector<SlackMessage> history;
    bool day1_moves;
  } cases[] = {
      {"the same history in another order", {base[2], base[1], base[0]}, false},
      {"a new reply (reply_count and latest_reply)",
       {parent(kDay1, "one", 3, "1700000700.000000"), base[1], base[2]},
       true},
      {"a reply deleted (reply_count only)",
       {parent(kDay1, "one", 1, "1700000600.000000"), base[1], base[2]},
       true},
      {"the latest reply deleted and another posted",
       {parent(kDay1, "one", 2, "1700000800.000000"), base[1], base[2]},
       true},
      {"a parent edited", {parent(kDay1, "one!", 2, "1700000600.000000"), base[1], base[2]}, true},
      {"a message deleted", {base[0], base[2]}, true},
      {"a message added", {base[0], base[1], msg("1700002000.000000", "new"), base[2]}, true},
      {"a broadcast reply shows in its parent's window",
       {base[0], base[1], base[2], msg("1700090500.000000", "also", kDay1)},
       true},
  };
  for (const auto& c : cases) {
    const auto after = slackHistorySignatures(c.history);
    EXPECT_EQ(after.at("2023-11-14") != before.at("2023-11-14"), c.day1_moves) << c.what;
    EXPECT_EQ(after.at("2023-11-15"), before.at("2023-11-15")) << c.what;
  }
}

TEST(SlackApiErrors, ErrorCodeIsTheLastWord) {
  EXPECT_EQ(SlackApi::errorCode(Status::failedPrecondition("slack conversations.history: "
                                                           "not_in_channel")),
            "not_in_channel");
  EXPECT_EQ(SlackApi::errorCode(Status::unauthenticated("x invalid_auth")), "");
  EXPECT_EQ(percentEncode("a b/c?d=e&f"), "a%20b%2Fc%3Fd%3De%26f");
}

SourceConfig slackSource(Json options) {
  SourceConfig s;
  s.name = "sl";
  s.connector = "slack";
  s.options = std::move(options);
  s.identities = {{"*@example.com", "{local}"}};
  return s;
}

TEST(SlackOptions, UnknownKeysAndWrongTypesAreRefusedByName) {
  struct Case {
    Json options;
    const char* error;  // "" = accepted
  } cases[] = {
      {Json::object(), ""},
      {Json{{"rescan_days", 0}, {"max_channels", 5}, {"workspace_group", "everyone"}}, ""},
      {Json{{"bogus", 1}}, "unknown key 'bogus'"},
      {Json{{"rescan_days", "7"}}, "'rescan_days'"},
      {Json{{"rescan_days", -1}}, "'rescan_days'"},
      {Json{{"max_channels", 0}}, "'max_channels'"},
      {Json{{"thread_recheck_hours", 0}}, ""},
      {Json{{"thread_recheck_hours", kSlackMaxThreadRecheckHours + 1}}, "'thread_recheck_hours'"},
      {Json{{"thread_recheck_hours", "24"}}, "'thread_recheck_hours'"},
      {Json{{"export", ""}}, "'export'"},
      {Json{{"workspace_group", ".bad"}}, "workspace_group"},
  };
  for (const auto& c : cases) {
    auto made = makeConnector(slackSource(c.options), ConnectorEnv{});
    if (std::string(c.error).empty()) {
      EXPECT_TRUE(made.ok()) << c.options.dump() << ": " << made.status().message();
    } else {
      ASSERT_FALSE(made.ok()) << c.options.dump();
      EXPECT_NE(made.status().message().find(c.error), std::string::npos)
          << made.status().message();
    }
  }
}

std::string makeZip(const std::vector<std::pair<std::string, std::string>>& entries) {
  std::string buf(1 << 20, '\0');
  size_t used = 0;
  archive* a = archive_write_new();
  archive_write_set_format_zip(a);
  archive_write_open_memory(a, buf.data(), buf.size(), &used);
  for (const auto& [name, bytes] : entries) {
    archive_entry* e = archive_entry_new();
    archive_entry_set_pathname(e, name.c_str());
    archive_entry_set_size(e, static_cast<la_int64_t>(bytes.size()));
    archive_entry_set_filetype(e, AE_IFREG);
    archive_entry_set_perm(e, 0644);
    archive_write_header(a, e);
    archive_write_data(a, bytes.data(), bytes.size());
    archive_entry_free(e);
  }
  archive_write_close(a);
  archive_write_free(a);
  buf.resize(used);
  return buf;
}

struct Collect final : EventSink {
  std::vector<SyncEvent> events;
  Status emit(SyncEvent e) override {
    events.push_back(std::move(e));
    return Status();
  }
  const UpsertEvent* upsert(const std::string& id) const {
    for (const auto& e : events) {
      if (auto* u = std::get_if<UpsertEvent>(&e); u && u->id == id) return u;
    }
    return nullptr;
  }
};

TEST(SlackExportPass, AclsFollowTheConversationKindAndFailClosed) {
  const std::string users = R"([
    {"id":"U1","name":"ada","profile":{"email":"ada@example.com"}},
    {"id":"U2","name":"bob","profile":{"email":"bob@example.com"}},
    {"id":"U3","name":"eve","profile":{"email":"eve@elsewhere.org"}},
    {"id":"U4","name":"old","deleted":true,"profile":{"email":"old@example.com"}},
    {"id":"B1","name":"bot","is_bot":true,"profile":{"email":"bot@example.com"}}])";
  const std::string zip = makeZip({
      {"users.json", users},
      {"channels.json",
       R"([{"id":"C1","name":"general","members":["U1","U2"]},
           {"id":"C9","name":"gone","is_archived":true}])"},
      {"groups.json", R"([{"id":"G1","name":"secret","members":["U2","U3"]}])"},
      {"dms.json", R"([{"id":"D1","members":["U1","U2"]}])"},
      {"general/2023-11-14.json",
       R"([{"ts":"1700000000.000100","user":"U1","text":"hello all","reply_count":1},
           {"ts":"1700000100.000100","user":"U2","text":"a reply","thread_ts":"1700000000.000100"},
           "not a message"])"},
      {"gone/2023-11-14.json", R"([{"ts":"1700000000.000100","user":"U1","text":"old"}])"},
      {"secret/2023-11-14.json", R"([{"ts":"1700000000.000100","user":"U2","text":"psst"}])"},
      {"D1/2023-11-15.json", R"([{"ts":"1700090000.000100","user":"U1","text":"dm text"}])"},
  });
  char dir[] = "/tmp/slack_export_testXXXXXX";
  ASSERT_NE(mkdtemp(dir), nullptr);
  const std::string path = std::string(dir) + "/export.zip";
  std::ofstream(path, std::ios::binary) << zip;
  auto made = makeConnector(slackSource(Json{{"export", path}}), ConnectorEnv{});
  ASSERT_TRUE(made.ok()) << made.status().message();
  Collect sink;
  bool exhausted = false;
  ASSERT_TRUE((*made)->pass("", sink, &exhausted).ok());
  EXPECT_TRUE(exhausted);

  const GroupUpdateEvent* group = nullptr;
  bool refused_message = false, refused_eve = false;
  for (const auto& e : sink.events) {
    if (auto* g = std::get_if<GroupUpdateEvent>(&e)) group = g;
    if (auto* f = std::get_if<FailureEvent>(&e)) {
      refused_message |= f->kind == FailureKind::kRefused &&
                         f->entity.find("general/2023-11-14.json") != std::string::npos;
      refused_eve |= f->kind == FailureKind::kRefused && f->entity == "identity:eve@elsewhere.org";
    }
  }
  ASSERT_NE(group, nullptr);
  EXPECT_EQ(group->group, "sl.workspace");
  // Deleted users and bots are not members; eve maps to nobody.
  EXPECT_EQ(group->members, (std::vector<std::string>{"ada", "bob"}));
  EXPECT_TRUE(refused_message);
  EXPECT_TRUE(refused_eve);

  const UpsertEvent* pub = sink.upsert("sl:C1/2023-11-14");
  ASSERT_NE(pub, nullptr);
  EXPECT_EQ(pub->acl->groups, std::vector<std::string>{"sl.workspace"});
  EXPECT_TRUE(pub->acl->users.empty());
  auto text = pub->fetch();
  ASSERT_TRUE(text.ok());
  EXPECT_NE(text->find("bob: a reply"), std::string::npos);

  const UpsertEvent* priv = sink.upsert("sl:G1/2023-11-14");
  ASSERT_NE(priv, nullptr);
  EXPECT_TRUE(priv->acl->groups.empty());
  EXPECT_EQ(priv->acl->users, std::vector<std::string>{"bob"});  // eve grants nothing

  const UpsertEvent* dm = sink.upsert("sl:D1/2023-11-15");
  ASSERT_NE(dm, nullptr);
  EXPECT_EQ(dm->acl->users, (std::vector<std::string>{"ada", "bob"}));
  // The archived channel has no documents.
  EXPECT_EQ(sink.upsert("sl:C9/2023-11-14"), nullptr);
  std::remove(path.c_str());
  rmdir(dir);
}

}  // namespace
}  // namespace ward::ingest
