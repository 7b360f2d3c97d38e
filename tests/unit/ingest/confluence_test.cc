// The Confluence connector's pure pieces: read-restriction inheritance (a case table), the v1
// restriction payload, and the storage format to HTML.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "../../../src/ingest/connectors/confluence/confluence_access.h"
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

}  // namespace
}  // namespace ward::ingest
