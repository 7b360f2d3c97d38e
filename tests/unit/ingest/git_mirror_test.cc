// The git connector's mirror (src/ingest/connectors/git/git_mirror.h): a local root's ref read
// where it lives (no fetch), the fetch kept for what is not a plain ref name, against real bare
// repositories made with git plumbing in a temp dir.
#include "../../../src/ingest/connectors/git/git_mirror.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <fstream>

#include "../../../src/ingest/connectors/git/git_process.h"

namespace ward::ingest {
namespace {

TEST(GitRefNameTest, OnlyPlainRefNamesAreReadDirectly) {
  for (const char* ok : {"main", "HEAD", "bench", "refs/heads/main", "release/2.1", "v1.0",
                         "feature_x-y", "a.b/c"}) {
    EXPECT_TRUE(isPlainGitRefName(ok)) << ok;
  }
  for (const char* bad :
       {"",      "@",       "main~1", "main^",     "main^{tree}", "main@{1}", "a..b",  "a:b",
        "a b",   "a?",      "a*",     "a[b",       "a\\b",        "/main",    "main/", "a//b",
        "main.", ".hidden", "a/.b",   "main.lock", "a/b.lock/c",  "a\tb"}) {
    EXPECT_FALSE(isPlainGitRefName(bad)) << bad;
  }
  EXPECT_FALSE(isPlainGitRefName(std::string(40, 'a')));  // an object id
  EXPECT_FALSE(isPlainGitRefName(std::string(64, 'b')));
  EXPECT_TRUE(isPlainGitRefName(std::string(40, 'g')));  // not hex: a name
}

class GitMirrorTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string tmpl = ::testing::TempDir() + "/git_mirror_XXXXXX";
    ASSERT_NE(::mkdtemp(tmpl.data()), nullptr);
    dir_ = tmpl;
    root_ = dir_ + "/root.git";
    git("", {"init", "--bare", "-q", "--template=", root_});
    git(root_, {"symbolic-ref", "HEAD", "refs/heads/main"});
    const std::string tree = git(root_, {"mktree"});  // the empty tree
    first_ = git(root_, {"commit-tree", "-m", "one", tree});
    second_ = git(root_, {"commit-tree", "-m", "two", "-p", first_, tree});
    git(root_, {"update-ref", "refs/heads/main", second_});
    git(root_, {"tag", "-a", "-m", "release", "v1", first_});  // an annotated tag
    remote_.url = root_;
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  std::string git(const std::string& git_dir, std::vector<std::string> args) {
    GitCommand c{git_dir, std::move(args), {}, 1 << 20, {}, {}};
    c.env = {"GIT_AUTHOR_NAME=t", "GIT_AUTHOR_EMAIL=t@example.com", "GIT_COMMITTER_NAME=t",
             "GIT_COMMITTER_EMAIL=t@example.com"};
    auto out = runGit(c);
    EXPECT_TRUE(out.ok()) << out.status().toString();
    std::string s = out.ok() ? *out : "";
    while (!s.empty() && s.back() == '\n') s.pop_back();
    return s;
  }

  Result<std::string> update(const std::string& ref) {
    return updateGitMirror(GitMirrorUpdate{dir_ + "/mirror.git", "src", ref, &remote_});
  }

  std::string dir_;
  std::string root_;
  std::string first_;
  std::string second_;
  GitRemote remote_;
};

TEST_F(GitMirrorTest, ALocalRootsRefIsReadWhereItLivesAndTheMirrorBorrowsItsObjects) {
  auto head = update("main");
  ASSERT_TRUE(head.ok()) << head.status().toString();
  EXPECT_EQ(*head, second_);
  const std::string mirror = dir_ + "/mirror.git";
  EXPECT_EQ(git(mirror, {"rev-parse", "refs/ward/head"}), second_);
  std::ifstream alternates(mirror + "/objects/info/alternates");
  std::string line;
  std::getline(alternates, line);
  EXPECT_EQ(line, root_ + "/objects");
  EXPECT_TRUE(std::filesystem::is_empty(mirror + "/objects/pack"));
  // An annotated tag is peeled to its commit; no ref is the root's HEAD.
  head = update("v1");
  ASSERT_TRUE(head.ok()) << head.status().toString();
  EXPECT_EQ(*head, first_);
  head = update("");
  ASSERT_TRUE(head.ok()) << head.status().toString();
  EXPECT_EQ(*head, second_);
  // The ref moves back and forth (a force-push of the root).
  git(root_, {"update-ref", "refs/heads/main", first_});
  head = update("main");
  ASSERT_TRUE(head.ok()) << head.status().toString();
  EXPECT_EQ(*head, first_);
}

TEST_F(GitMirrorTest, WhatIsNotAPlainRefThereGoesThroughTheFetchAndItsError) {
  // A revision expression is not a ref: the fetch refuses it, as it always did.
  auto head = update("main~1");
  ASSERT_FALSE(head.ok());
  EXPECT_NE(head.status().message().find("source 'src'"), std::string::npos)
      << head.status().message();
  EXPECT_NE(head.status().message().find("git fetch failed"), std::string::npos)
      << head.status().message();
  // A plain name the root does not have: the same fetch error.
  head = update("nosuch");
  ASSERT_FALSE(head.ok());
  EXPECT_NE(head.status().message().find("nosuch"), std::string::npos) << head.status().message();
}

}  // namespace
}  // namespace ward::ingest
