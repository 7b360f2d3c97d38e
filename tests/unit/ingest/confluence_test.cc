// The Confluence connector's pure pieces: read-restriction inheritance (a case table), the v1
// restriction payload, and the storage format to HTML.
#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <string>
#include <unistd.h>
#include <vector>

#include "../../../src/ingest/connectors/confluence/confluence_access.h"
#include "../../../src/ingest/connectors/confluence/confluence_cursor.h"
#include "../../../src/ingest/connectors/confluence/confluence_payload.h"
#include "../../../src/ingest/connectors/confluence/confluence_state.h"
#include "../../../src/ingest/connectors/confluence/confluence_storage.h"
#include "ward/ingest/connector.h"

namespace ward::ingest {
namespace {

ConfluenceReaders readers(std::set<std::string> users, std::set<std::string> groups = {}) {
  return ConfluenceReaders{std::move(users), std::move(groups)};
}

struct InheritCase {
  const char* name;
  ConfluenceReaders space;
  std::vector<ConfluenceReaders> chain;  // the page's restriction, then its ancestors'
  ConfluenceReaders want;
};

TEST(ConfluenceAccessTest, ARestrictedPageIsReadOnlyByWhoeverEveryRestrictedAncestorAdmits) {
  // Groups: eng = {alice, bob}, ops = {carol, dave}, ghost = members unknown.
  const ConfluenceGroupMembers members = {{"eng", {"alice", "bob"}}, {"ops", {"carol", "dave"}}};
  const ConfluenceReaders everyone = readers({"alice", "bob", "carol", "dave"});
  const std::vector<InheritCase> cases = {
      {"no restriction anywhere: the space's readers, groups kept",
       readers({"zoe"}, {"eng"}),
       {readers({}), readers({})},
       readers({"zoe"}, {"eng"})},
      {"the page's own restriction", everyone, {readers({"alice"})}, readers({"alice"})},
      {"a restricted child under a differently restricted parent: only users on both",
       everyone,
       {readers({"alice", "bob"}), readers({"bob", "carol"})},
       readers({"bob"})},
      {"an unrestricted child inherits its parent's restriction (not the space's readers)",
       everyone,
       {readers({}), readers({"carol"})},
       readers({"carol"})},
      {"the grandparent's restriction still applies under an unrestricted parent",
       everyone,
       {readers({"alice", "carol"}), readers({}), readers({"carol", "dave"})},
       readers({"carol"})},
      {"a group on one level, a user on the other: its members that the user list admits",
       everyone,
       {readers({}, {"eng"}), readers({"bob", "carol"})},
       readers({"bob"})},
      {"a restriction cannot admit who the space does not",
       readers({"alice"}),
       {readers({"alice", "bob"})},
       readers({"alice"})},
      {"the space through a group: a restriction narrows to its members",
       readers({}, {"ops"}),
       {readers({"dave", "alice"})},
       readers({"dave"})},
      {"a group on every level stays a group",
       readers({}, {"eng"}),
       {readers({}, {"eng"}), readers({"carol"}, {"eng"})},
       readers({}, {"eng"})},
      {"disjoint restrictions: nobody",
       everyone,
       {readers({"alice"}), readers({"bob"})},
       readers({})},
      {"a group whose members are unknown admits nobody through a restriction",
       everyone,
       {readers({}, {"ghost"})},
       readers({})},
  };
  for (const InheritCase& c : cases) {
    ConfluenceReaders got = effectiveReaders(c.space, c.chain, members);
    EXPECT_EQ(got.users, c.want.users) << c.name;
    EXPECT_EQ(got.groups, c.want.groups) << c.name;
  }
}

TEST(ConfluenceAccessTest, ReadsTheV1RestrictionPayloadAndRefusesACutShortOne) {
  std::map<std::string, std::string> emails;
  auto ok = parseReadRestriction(Json::parse(R"({
      "user": {"results": [{"type": "known", "accountId": "a-1", "email": "a@x.com"},
                           {"type": "known", "accountId": "b-2"}], "size": 2},
      "group": {"results": [{"type": "group", "name": "eng", "id": "g-1"}], "size": 1}})"),
                                 &emails);
  ASSERT_TRUE(ok.ok()) << ok.status().message();
  EXPECT_EQ(ok->users, (std::set<std::string>{"a-1", "b-2"}));
  EXPECT_EQ(ok->groups, (std::set<std::string>{"g-1"}));
  EXPECT_EQ(emails["a-1"], "a@x.com");

  auto none = parseReadRestriction(Json::parse(R"({"user": {"results": [], "size": 0}})"), nullptr);
  ASSERT_TRUE(none.ok());
  EXPECT_TRUE(none->empty());  // inherits

  auto cut = parseReadRestriction(
      Json::parse(R"({"user": {"results": [{"accountId": "a-1"}], "size": 300}})"), nullptr);
  ASSERT_FALSE(cut.ok());
  EXPECT_NE(cut.status().message().find("cut short"), std::string::npos);

  EXPECT_FALSE(
      parseReadRestriction(Json::parse(R"({"user": {"results": [{"name": "x"}]}})"), nullptr).ok());
  EXPECT_FALSE(parseReadRestriction(Json::parse(R"({"group": 3})"), nullptr).ok());
  EXPECT_FALSE(parseReadRestriction(Json::parse("[]"), nullptr).ok());
}

struct StorageCase {
  const char* name;
  const char* storage;
  std::vector<const char*> has;
  std::vector<const char*> lacks;
};

TEST(ConfluenceStorageTest, KeepsHeadingsTablesAndCodeAndTurnsMacrosIntoTextOrNothing) {
  const std::vector<StorageCase> cases = {
      {"headings and paragraphs",
       "<h1>Runbook</h1><p>Restart the <strong>pump</strong>.</p>",
       {"<h1>Runbook</h1>", "<p>Restart the <strong>pump</strong>.</p>"},
       {}},
      {"tables keep rows and cells, without attributes",
       "<table data-layout=\"wide\"><tbody><tr><th>Host</th><th>Port</th></tr>"
       "<tr><td colspan=\"1\">db1</td><td>5432</td></tr></tbody></table>",
       {"<table><tbody><tr><th>Host</th><th>Port</th></tr><tr><td>db1</td><td>5432</td></tr>"},
       {"colspan", "data-layout"}},
      {"a code macro: its CDATA body as a pre block, the language parameter dropped",
       "<ac:structured-macro ac:name=\"code\"><ac:parameter ac:name=\"language\">cpp"
       "</ac:parameter><ac:plain-text-body><![CDATA[if (a < b && c) { run(); }]]>"
       "</ac:plain-text-body></ac:structured-macro>",
       {"<pre>if (a &lt; b &amp;&amp; c) { run(); }</pre>"},
       {"cpp", "CDATA"}},
      {"an info macro: its rich body as a div",
       "<ac:structured-macro ac:name=\"info\"><ac:parameter ac:name=\"title\">T</ac:parameter>"
       "<ac:rich-text-body><p>Be careful</p></ac:rich-text-body></ac:structured-macro>",
       {"<div><p>Be careful</p></div>"},
       {">T<"}},
      {"a body-less macro is dropped",
       "<p>a</p><ac:structured-macro ac:name=\"toc\"><ac:parameter ac:name=\"maxLevel\">3"
       "</ac:parameter></ac:structured-macro><p>b</p>",
       {"<p>a</p><p>b</p>"},
       {"maxLevel", ">3<"}},
      {"links become their text, else the page title",
       "<p>See <ac:link><ri:page ri:content-title=\"Deploy guide\"/></ac:link> and "
       "<ac:link><ri:page ri:content-title=\"X\"/><ac:plain-text-link-body><![CDATA[the FAQ]]>"
       "</ac:plain-text-link-body></ac:link>.</p>",
       {"Deploy guide", "the FAQ"},
       {"ri:", ">X<"}},
      {"images, emoticons and mentions are dropped; task lists become lists",
       "<p>Hi <ri:user ri:account-id=\"557058:abc\"/><ac:emoticon ac:name=\"smile\"/></p>"
       "<ac:image><ri:attachment ri:filename=\"a.png\"/></ac:image>"
       "<ac:task-list><ac:task><ac:task-id>1</ac:task-id><ac:task-status>incomplete"
       "</ac:task-status><ac:task-body>Rotate keys</ac:task-body></ac:task></ac:task-list>",
       {"<ul><li>Rotate keys</li></ul>"},
       {"557058", "a.png", "smile", "incomplete"}},
      {"layouts keep their cells' text",
       "<ac:layout><ac:layout-section ac:type=\"two_equal\"><ac:layout-cell><p>left</p>"
       "</ac:layout-cell><ac:layout-cell><p>right</p></ac:layout-cell></ac:layout-section>"
       "</ac:layout>",
       {"<p>left</p>", "<p>right</p>"},
       {"two_equal"}},
      {"scripts are dropped and text is escaped",
       "<p>1 &lt; 2 &amp; &nbsp;ok</p><script>alert(1)</script>",
       {"1 &lt; 2 &amp;"},
       {"alert", "<script"}},
      {"an unterminated CDATA keeps its text",
       "<ac:structured-macro ac:name=\"code\"><ac:plain-text-body><![CDATA[tail <x>",
       {"tail &lt;x&gt;"},
       {}},
  };
  for (const StorageCase& c : cases) {
    std::string html = confluenceStorageToHtml(c.storage, "Page");
    EXPECT_NE(html.find("<title>Page</title>"), std::string::npos) << c.name;
    for (const char* h : c.has)
      EXPECT_NE(html.find(h), std::string::npos) << c.name << "\n" << html;
    for (const char* l : c.lacks)
      EXPECT_EQ(html.find(l), std::string::npos) << c.name << "\n" << html;
  }
}

struct OpenCase {
  const char* name;
  const char* base_url;
  const char* options;  // JSON
  const char* secret;
  const char* error;  // "" = opens
};

TEST(ConfluenceConnectorTest, ChecksItsOptionsAndCredentialWhenItOpens) {
  const std::vector<OpenCase> cases = {
      {"basic auth with email:token", "https://x.atlassian.net", "{}", "me@x.com:Zq9sekrit", ""},
      {"bearer", "https://x.atlassian.net", R"({"auth": "bearer", "page_size": 100,
        "spaces": ["ENG"]})",
       "Zq9bearer", ""},
      {"no base_url", "", "{}", "me@x.com:Zq9sekrit", "base_url is required"},
      {"http without allow_private", "http://x.atlassian.net", "{}", "me@x.com:Zq9sekrit",
       "must be https"},
      {"a basic secret without a colon", "https://x.atlassian.net", "{}", "Zq9nocolon",
       "must hold 'email:api_token'"},
      {"an unknown option", "https://x.atlassian.net", R"({"spcaes": ["ENG"]})", "me:Zq9other",
       "options.spcaes: unknown key"},
      {"a bad auth", "https://x.atlassian.net", R"({"auth": "oauth"})", "me:Zq9other",
       "options.auth must be"},
      {"a page size past the API's", "https://x.atlassian.net", R"({"page_size": 251})",
       "me:Zq9other", "page_size must be an integer from 1 to 250"},
      {"spaces not strings", "https://x.atlassian.net", R"({"spaces": [1]})", "me:Zq9other",
       "spaces must hold space keys"},
      {"the feed's intervals", "https://x.atlassian.net",
       R"({"full_every_s": 0, "restriction_sweep_s": 31622400})", "me:Zq9other", ""},
      {"a negative sweep interval", "https://x.atlassian.net", R"({"restriction_sweep_s": -1})",
       "me:Zq9other", "restriction_sweep_s must be an integer from 0 to 31622400"},
      {"a full listing interval past a year", "https://x.atlassian.net",
       R"({"full_every_s": 31622401})", "me:Zq9other", "full_every_s must be an integer"},
      {"an interval as a string", "https://x.atlassian.net", R"({"full_every_s": "1d"})",
       "me:Zq9other", "full_every_s must be an integer"},
  };
  for (const OpenCase& c : cases) {
    SourceConfig source;
    source.name = "wiki";
    source.connector = "confluence";
    source.base_url = c.base_url;
    source.allowed_hosts = {"x.atlassian.net"};
    source.token_secret = "conf";
    source.options = Json::parse(c.options);
    ConnectorEnv env;
    const std::string secret = c.secret;
    env.secret = [secret](const std::string&) -> Result<std::string> { return secret; };
    auto made = makeConnector(source, env);
    if (std::string(c.error).empty()) {
      EXPECT_TRUE(made.ok()) << c.name << ": " << made.status().message();
    } else {
      ASSERT_FALSE(made.ok()) << c.name;
      EXPECT_NE(made.status().message().find(c.error), std::string::npos)
          << c.name << ": " << made.status().message();
      EXPECT_EQ(made.status().message().find(secret), std::string::npos) << c.name;
    }
  }
}

TEST(ConfluenceCursorTest, CursorsRoundTripAndAnythingElseMeansAFullListing) {
  ConfluenceCursor c{true, "0123abcd", 1'700'000'100, 1'700'000'000, 1'700'000'050};
  const std::string text = formatConfluenceCursor(c);
  EXPECT_EQ(text, "feed\t0123abcd\t1700000100\t1700000000\t1700000050");
  ConfluenceCursor back = parseConfluenceCursor(text);
  EXPECT_TRUE(back.valid);
  EXPECT_EQ(back.gen, c.gen);
  EXPECT_EQ(back.since_s, c.since_s);
  EXPECT_EQ(back.full_at_s, c.full_at_s);
  EXPECT_EQ(back.sweep_at_s, c.sweep_at_s);
  for (const char* bad : {"", "after:1001", "at:1001", "feed\t0123abcd\t1\t2", "feed\tXYZ\t1\t2\t3",
                          "feed\t0123abcd\t-1\t2\t3", "feed\t0123abcd\t0\t2\t3", "feed\t\t1\t2\t3",
                          "list\t0123abcd\t1\t2\t3", "feed\t0123abcd\t1\t2\t3\tx"}) {
    EXPECT_FALSE(parseConfluenceCursor(bad).valid) << bad;
  }
  EXPECT_EQ(formatConfluenceCursor(ConfluenceCursor{}), "");
}

struct PlanCase {
  const char* name;
  std::string cursor;
  bool full;
  int64_t full_every_s, sweep_s, now_s;
  bool feed, sweep;
};

TEST(ConfluenceCursorTest, TheFeedRunsWithinFullEveryAndTheSweepEveryRestrictionSweepS) {
  // The last run began at 10,000; its full listing at 5,000, its sweep at 9,000.
  const std::string last = "feed\tab\t10000\t5000\t9000";
  const std::vector<PlanCase> cases = {
      {"the first run: a full listing", "", false, 86'400, 600, 10'100, false, true},
      {"within both intervals: the feed alone", last, false, 86'400, 1'200, 10'100, true, false},
      {"the sweep is due", last, false, 86'400, 600, 10'100, true, true},
      {"restriction_sweep_s = 0: a sweep every run", last, false, 86'400, 0, 10'100, true, true},
      {"the full listing is due", last, false, 5'100, 1'200, 10'100, false, true},
      {"full_every_s = 0: a full listing every run", last, false, 0, 1'200, 10'100, false, true},
      {"--full", last, true, 86'400, 1'200, 10'100, false, true},
      {"a clock that went back", last, false, 86'400, 1'200, 9'500, false, true},
      {"a checkpoint within a listing is no cursor", "after:1001", false, 86'400, 1'200, 10'100,
       false, true},
  };
  for (const PlanCase& c : cases) {
    ConfluencePlan plan = planConfluencePass(parseConfluenceCursor(c.cursor), c.full,
                                             c.full_every_s, c.sweep_s, c.now_s);
    EXPECT_EQ(plan.feed, c.feed) << c.name;
    EXPECT_EQ(plan.sweep, c.sweep) << c.name;
  }
  ConfluenceOptions defaults;
  EXPECT_EQ(defaults.full_every_s, kConfluenceDefaultFullEverySeconds);
  EXPECT_EQ(defaults.restriction_sweep_s, kConfluenceDefaultSweepSeconds);
}

ConfluenceNode node(std::string parent, std::set<std::string> users = {}, bool known = true) {
  ConfluenceNode n;
  n.parent = std::move(parent);
  n.parent_type = n.parent.empty() ? "space" : "page";
  n.status = "current";
  n.version = 3;
  n.known = known;
  n.readers.users = std::move(users);
  return n;
}

TEST(ConfluenceStateTest, TheKeptTreeRoundTripsAndGivesTheChainOrWhyNot) {
  ConfluenceState s;
  s.gen = "beef";
  auto& tree = s.spaces["1001"].pages;
  s.spaces["1001"].key = "ENG";
  tree["1"] = node("", {"acc-alice", "acc-bob"});
  tree["2"] = node("1", {"acc-bob"});
  tree["2"].readers.groups = {"g-eng"};
  tree["2"].attachments = {"wiki:attachment/att9"};
  tree["2"].acl = "0123456789abcdef";
  tree["3"] = node("2");
  char dir[] = "/tmp/ward_conf_state_XXXXXX";
  ASSERT_NE(::mkdtemp(dir), nullptr);
  const std::string path = std::string(dir) + "/wiki.json";
  ASSERT_TRUE(saveConfluenceState(path, s).ok());
  ConfluenceState back = loadConfluenceState(path);
  EXPECT_EQ(back.gen, "beef");
  ASSERT_EQ(back.spaces.count("1001"), 1u);
  EXPECT_EQ(back.spaces["1001"].key, "ENG");
  const auto& kept = back.spaces["1001"].pages;
  ASSERT_EQ(kept.size(), 3u);
  EXPECT_EQ(kept.at("2").parent, "1");
  EXPECT_EQ(kept.at("2").version, 3);
  EXPECT_EQ(kept.at("2").readers.groups, std::set<std::string>{"g-eng"});
  EXPECT_EQ(kept.at("2").attachments, std::vector<std::string>{"wiki:attachment/att9"});
  EXPECT_EQ(kept.at("2").acl, "0123456789abcdef");

  // The chain: the page's own restriction, then each ancestor's, to the space.
  auto chain = confluenceChain(kept, "3");
  ASSERT_TRUE(chain.ok()) << chain.status().message();
  ASSERT_EQ(chain->size(), 3u);
  EXPECT_TRUE((*chain)[0].empty());
  EXPECT_EQ((*chain)[1].users, std::set<std::string>{"acc-bob"});
  EXPECT_EQ((*chain)[2].users, (std::set<std::string>{"acc-alice", "acc-bob"}));

  // Fail closed: an ancestor not in the tree, one whose restriction is unknown, a folder, a cycle.
  auto t = kept;
  t["4"] = node("99");
  EXPECT_NE(confluenceChain(t, "4").status().message().find("ancestor 99 is not listed"),
            std::string::npos);
  t["5"] = node("", {}, false);
  t["6"] = node("5");
  EXPECT_NE(confluenceChain(t, "6").status().message().find("read restriction of ancestor 5"),
            std::string::npos);
  t["7"] = node("1");
  t["7"].parent_type = "folder";
  EXPECT_NE(confluenceChain(t, "7").status().message().find("an ancestor of type 'folder'"),
            std::string::npos);
  t["8"] = node("9");
  t["9"] = node("8");
  EXPECT_NE(confluenceChain(t, "8").status().message().find("or a cycle"), std::string::npos);

  // A file that is not a state (or of another format) is an empty one: a full listing follows.
  {
    FILE* f = std::fopen(path.c_str(), "w");
    ASSERT_NE(f, nullptr);
    std::fputs("{\"format\": 1, \"gen\": 7}", f);
    std::fclose(f);
  }
  EXPECT_TRUE(loadConfluenceState(path).gen.empty());
  EXPECT_TRUE(loadConfluenceState(std::string(dir) + "/none.json").spaces.empty());
  std::remove(path.c_str());
  ::rmdir(dir);
}

TEST(ConfluenceStateTest, TheAclDigestMovesWithAnyReaderOrGroup) {
  store::Acl a;
  a.users = {"alice", "bob"};
  a.groups = {"wiki.group.g-eng"};
  store::Acl b = a;
  EXPECT_EQ(confluenceAclDigest(a), confluenceAclDigest(b));
  b.users = {"alice"};
  EXPECT_NE(confluenceAclDigest(a), confluenceAclDigest(b));
  b = a;
  b.groups.clear();
  EXPECT_NE(confluenceAclDigest(a), confluenceAclDigest(b));
  b = a;
  b.is_public = true;
  EXPECT_NE(confluenceAclDigest(a), confluenceAclDigest(b));
  // A user named like a group is not that group.
  store::Acl u, g;
  u.users = {"x"};
  g.groups = {"x"};
  EXPECT_NE(confluenceAclDigest(u), confluenceAclDigest(g));
}

}  // namespace
}  // namespace ward::ingest
