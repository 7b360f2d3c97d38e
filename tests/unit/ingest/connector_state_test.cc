// The connectors' shared state-file and cursor-field helpers (connector_state.h), and the three
// state files written through them.
#include <gtest/gtest.h>
#include <stdlib.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "../../../src/ingest/connectors/connector_state.h"
#include "../../../src/ingest/connectors/github/github_state.h"
#include "../../../src/ingest/connectors/slack/slack_state.h"

namespace ward::ingest {
namespace {

class ConnectorStateFile : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string tmpl = ::testing::TempDir() + "ward_connector_state_XXXXXX";
    ASSERT_NE(::mkdtemp(tmpl.data()), nullptr);
    dir_ = tmpl;
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::string path(const std::string& name) const { return dir_ + "/" + name; }
  void write(const std::string& name, const std::string& text) const {
    std::ofstream(path(name), std::ios::binary) << text;
  }
  std::string dir_;
};

TEST_F(ConnectorStateFile, MissingUnreadableAndNotJsonAreNoState) {
  EXPECT_FALSE(loadConnectorState(path("absent.json")).has_value());
  write("torn.json", "{\"format\":1,\"repos\":{");
  EXPECT_FALSE(loadConnectorState(path("torn.json")).has_value());
  write("empty.json", "");
  EXPECT_FALSE(loadConnectorState(path("empty.json")).has_value());
  std::filesystem::create_directory(path("a-folder"));
  EXPECT_FALSE(loadConnectorState(path("a-folder")).has_value());
}

TEST_F(ConnectorStateFile, SavedTextIsReadBackAndReplacesTheOldWithoutATemporaryLeft) {
  ASSERT_TRUE(saveConnectorState(path("s.json"), "{\"a\":1}").ok());
  ASSERT_TRUE(saveConnectorState(path("s.json"), "{\"a\":2}").ok());
  std::optional<Json> j = loadConnectorState(path("s.json"));
  ASSERT_TRUE(j.has_value());
  EXPECT_EQ((*j)["a"], 2);
  size_t files = 0;
  for (const auto& e : std::filesystem::directory_iterator(dir_)) {
    (void)e;
    ++files;
  }
  EXPECT_EQ(files, 1u);  // no temporary file left beside it
}

TEST_F(ConnectorStateFile, ASaveIntoAMissingFolderFailsAndNamesIt) {
  Status s = saveConnectorState(path("no-such-folder/s.json"), "{}");
  EXPECT_FALSE(s.ok());
  EXPECT_NE(s.message().find("no-such-folder"), std::string::npos) << s.message();
}

TEST_F(ConnectorStateFile, GithubAndSlackStatesRoundTripThroughTheHelper) {
  GithubState g;
  g.repos["acme/site"].listed = true;
  g.repos["acme/site"].cursor_us = 42;
  g.repos["acme/site"].files["README.md"] = "abc";
  ASSERT_TRUE(saveGithubState(path("github.json"), g).ok());
  GithubState g2 = loadGithubState(path("github.json"));
  ASSERT_EQ(g2.repos.count("acme/site"), 1u);
  EXPECT_EQ(g2.repos["acme/site"].cursor_us, 42);
  EXPECT_EQ(g2.repos["acme/site"].files["README.md"], "abc");

  SlackState s;
  s["C1"].newest_us = 7;
  s["C1"].windows["2026-12-01"] = "v1";
  ASSERT_TRUE(saveSlackState(path("slack.json"), s).ok());
  SlackState s2 = loadSlackState(path("slack.json"));
  ASSERT_EQ(s2.count("C1"), 1u);
  EXPECT_EQ(s2["C1"].newest_us, 7);
  EXPECT_EQ(s2["C1"].windows["2026-12-01"], "v1");

  write("github-torn.json", "{\"format\":1,\"repos\":{\"x\":");
  EXPECT_TRUE(loadGithubState(path("github-torn.json")).repos.empty());
}

TEST(CursorFields, SplitKeepsEmptyFields) {
  EXPECT_EQ(splitCursorFields(""), std::vector<std::string>{""});
  EXPECT_EQ(splitCursorFields("a"), std::vector<std::string>{"a"});
  EXPECT_EQ(splitCursorFields("a\t\tb"), (std::vector<std::string>{"a", "", "b"}));
  EXPECT_EQ(splitCursorFields("a\t"), (std::vector<std::string>{"a", ""}));
}

TEST(CursorFields, SecondsAreOneToTwelveDigitsWithoutSign) {
  int64_t v = -1;
  EXPECT_TRUE(parseCursorSeconds("0", &v));
  EXPECT_EQ(v, 0);
  EXPECT_TRUE(parseCursorSeconds("999999999999", &v));
  EXPECT_EQ(v, 999999999999);
  v = 5;
  for (const char* bad : {"", "1234567890123", "-1", "+1", "1.5", " 1", "1x"}) {
    EXPECT_FALSE(parseCursorSeconds(bad, &v)) << bad;
    EXPECT_EQ(v, 5) << bad;
  }
}

}  // namespace
}  // namespace ward::ingest
