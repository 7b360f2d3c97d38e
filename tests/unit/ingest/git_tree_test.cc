// Parsing git plumbing output (ward/ingest/git_tree.h) and the git source's options.
#include "ward/ingest/git_tree.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "ward/ingest/source_config.h"

namespace ward::ingest {
namespace {

const std::string kA = "0123456789abcdef0123456789abcdef01234567";
const std::string kB = "89abcdef0123456789abcdef0123456789abcdef";
const std::string kZ = "0000000000000000000000000000000000000000";

std::string z(const std::vector<std::string>& recs) {
  std::string out;
  for (const auto& r : recs) out += r + std::string(1, '\0');
  return out;
}

TEST(GitTreeTest, LsTreeListsBlobsSymlinksAndSubmodules) {
  std::string out = z(
      {"100644 blob " + kA + "     120\tdocs/a b.md", "100755 blob " + kB + " 7\trun.sh",
       "120000 blob " + kA + "      12\tlink.md", "160000 commit " + kB + "       -\tvendor/lib"});
  auto entries = parseLsTree(out);
  ASSERT_TRUE(entries.ok()) << entries.status().toString();
  ASSERT_EQ(entries->size(), 4u);
  EXPECT_EQ((*entries)[0].path, "docs/a b.md");
  EXPECT_EQ((*entries)[0].size, 120u);
  EXPECT_EQ((*entries)[0].oid, kA);
  EXPECT_EQ((*entries)[0].kind, GitEntryKind::kBlob);
  EXPECT_EQ((*entries)[1].size, 7u);
  EXPECT_EQ((*entries)[2].kind, GitEntryKind::kSymlink);
  EXPECT_EQ((*entries)[3].kind, GitEntryKind::kSubmodule);
  EXPECT_EQ((*entries)[3].path, "vendor/lib");
}

TEST(GitTreeTest, LsTreeKeepsTabsAndNewlinesInPaths) {
  auto entries = parseLsTree(z({"100644 blob " + kA + " 1\ta\tb\nc.md"}));
  ASSERT_TRUE(entries.ok());
  EXPECT_EQ((*entries)[0].path, "a\tb\nc.md");
}

// Malformed listings are errors (a pass over a listing it cannot read deletes nothing).
TEST(GitTreeTest, LsTreeRefusesMalformedRecords) {
  const std::vector<std::string> bad = {
      std::string("100644 blob ") + kA + " 1\ta.md",  // no NUL at the end
      z({"100644 blob " + kA + " 1 a.md"}),           // no tab
      z({"100644 blob nothex 1\ta.md"}),              // bad id
      z({"100644 blob " + kA + " 1x\ta.md"}),         // bad size
      z({"100644 tree " + kA + " -\ta"}),             // a tree in a -r listing
      z({"100644 blob " + kA + " 1\t"}),              // empty path
      z({"100644 blob " + kA + " 1\t/etc/passwd"}),   // absolute path
      z({"100600 blob " + kA + " 1\ta.md"}),          // unknown mode
  };
  for (size_t i = 0; i < bad.size(); ++i) {
    EXPECT_FALSE(parseLsTree(bad[i]).ok()) << "case " << i;
  }
}

TEST(GitTreeTest, DiffTreeAddsModifiesDeletesAndSplitsRenames) {
  std::string out = z({":000000 100644 " + kZ + " " + kA + " A", "new.md",
                       ":100644 100644 " + kA + " " + kB + " M", "dir/changed.md",
                       ":100644 000000 " + kA + " " + kZ + " D", "gone.md",
                       ":100644 100644 " + kA + " " + kA + " R100", "old name.md", "new name.md",
                       ":100644 120000 " + kA + " " + kB + " T", "now-a-link.md"});
  auto d = parseDiffTree(out);
  ASSERT_TRUE(d.ok()) << d.status().toString();
  ASSERT_EQ(d->size(), 6u);
  EXPECT_EQ((*d)[0].change, GitChange::kAdded);
  EXPECT_EQ((*d)[0].path, "new.md");
  EXPECT_EQ((*d)[0].new_oid, kA);
  EXPECT_EQ((*d)[1].change, GitChange::kModified);
  EXPECT_EQ((*d)[2].change, GitChange::kDeleted);
  EXPECT_EQ((*d)[2].path, "gone.md");
  // A rename is a delete of the old path and an add of the new one.
  EXPECT_EQ((*d)[3].change, GitChange::kDeleted);
  EXPECT_EQ((*d)[3].path, "old name.md");
  EXPECT_EQ((*d)[4].change, GitChange::kAdded);
  EXPECT_EQ((*d)[4].path, "new name.md");
  EXPECT_EQ((*d)[5].change, GitChange::kModified);
  EXPECT_EQ((*d)[5].new_mode, "120000");
}

TEST(GitTreeTest, DiffTreeSkipsTheLeadingCommitIdAndRefusesGarbage) {
  auto d = parseDiffTree(z({kA, ":100644 000000 " + kA + " " + kZ + " D", "x.md"}));
  ASSERT_TRUE(d.ok());
  ASSERT_EQ(d->size(), 1u);
  EXPECT_EQ((*d)[0].path, "x.md");
  EXPECT_TRUE(parseDiffTree("").ok());
  EXPECT_FALSE(parseDiffTree(z({":100644 000000 " + kA + " " + kZ + " D"})).ok());  // no path
  EXPECT_FALSE(parseDiffTree(z({":100644 " + kA + " D", "x"})).ok());               // short
  EXPECT_FALSE(parseDiffTree(z({":100644 100644 " + kA + " " + kB + " X", "x"})).ok());
  EXPECT_FALSE(parseDiffTree(z({":100644 100644 " + kA + " " + kB + " R90", "x"})).ok());
}

TEST(GitTreeTest, PathDepthCountsComponents) {
  EXPECT_EQ(gitPathDepth("a.md"), 1u);
  EXPECT_EQ(gitPathDepth("a/b/c.md"), 3u);
}

}  // namespace
}  // namespace ward::ingest

namespace ward::ingest {
namespace {

TEST(GitSourceConfigTest, RefAndAllowedHostsAreParsedCredentialsInUrlsRefused) {
  auto ok = parseSourceConfigs(R"(
[[sources]]
name = "repo"
connector = "git"
root = "https://git.example.com/team/handbook.git"
ref = "release"
allowed_hosts = ["git.example.com"]
)");
  ASSERT_TRUE(ok.ok()) << ok.status().toString();
  EXPECT_EQ((*ok)[0].ref, "release");
  EXPECT_EQ((*ok)[0].allowed_hosts, std::vector<std::string>{"git.example.com"});
  auto secret = parseSourceConfigs(R"(
[[sources]]
name = "repo"
connector = "git"
root = "https://user:hunter2@git.example.com/r.git"
)");
  ASSERT_FALSE(secret.ok());
  EXPECT_NE(secret.status().message().find("sources[0].root: credentials in a URL are refused"),
            std::string::npos);
  EXPECT_EQ(secret.status().message().find("hunter2"), std::string::npos);
  auto no_root = parseSourceConfigs("[[sources]]\nname = \"a\"\nconnector = \"archive\"\n");
  ASSERT_FALSE(no_root.ok());
  EXPECT_NE(no_root.status().message().find("root: is required for the archive connector"),
            std::string::npos);
}

}  // namespace
}  // namespace ward::ingest
