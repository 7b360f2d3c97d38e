#include "ward/ingest/folder_root.h"

#include <gtest/gtest.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>

namespace ward::ingest {
namespace {

namespace fs = std::filesystem;

class FolderRootTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const char* base = std::getenv("TMPDIR");
    std::string tmpl = std::string(base && *base ? base : "/tmp") + "/ward_walk_XXXXXX";
    ASSERT_NE(::mkdtemp(tmpl.data()), nullptr);
    dir_ = tmpl;
    root_ = dir_ + "/root";
    fs::create_directories(root_);
  }
  void TearDown() override {
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }
  void write(const std::string& path, const std::string& text) {
    fs::create_directories(fs::path(path).parent_path());
    std::ofstream(path) << text;
  }
  std::unique_ptr<FolderRoot> open(const std::vector<std::string>& refused = {}) {
    auto r = FolderRoot::open(root_, refused);
    EXPECT_TRUE(r.ok()) << r.status().message();
    return r.ok() ? std::move(r).value() : nullptr;
  }
  static std::vector<std::string> files(const WalkOutput& out) {
    std::vector<std::string> v;
    for (const auto& f : out.files) v.push_back(f.relative_path);
    return v;
  }
  static std::string problemFor(const WalkOutput& out, const std::string& rel) {
    for (const auto& p : out.problems) {
      if (p.relative_path == rel) return p.message;
    }
    return "";
  }

  std::string dir_;
  std::string root_;
};

TEST_F(FolderRootTest, WalksSortedAndSkipsHiddenEntries) {
  write(root_ + "/b.md", "b");
  write(root_ + "/a/z.md", "z");
  write(root_ + "/a/y.txt", "y");
  write(root_ + "/.git/config", "hidden");
  write(root_ + "/.hidden.md", "hidden");
  auto root = open();
  WalkOutput out;
  root->walk("", WalkLimits(), out);
  EXPECT_EQ(files(out), (std::vector<std::string>{"a/y.txt", "a/z.md", "b.md"}));
  EXPECT_TRUE(out.problems.empty());
  auto text = root->read("a/z.md", 100);
  ASSERT_TRUE(text.ok());
  EXPECT_EQ(*text, "z");
}

// A planted link must not publish what it points at, inside the tree or out of it.
TEST_F(FolderRootTest, SymbolicLinksAreReportedAndNeverFollowed) {
  write(dir_ + "/secret/signing.key", "SECRET");
  write(root_ + "/doc.md", "doc");
  fs::create_symlink(dir_ + "/secret/signing.key", root_ + "/key.md");
  fs::create_symlink(dir_ + "/secret", root_ + "/linked");
  fs::create_symlink("doc.md", root_ + "/alias.md");  // even a link that stays inside
  auto root = open();
  WalkOutput out;
  root->walk("", WalkLimits(), out);
  EXPECT_EQ(files(out), (std::vector<std::string>{"doc.md"}));
  EXPECT_EQ(problemFor(out, "key.md"), "symbolic link: not followed");
  EXPECT_EQ(problemFor(out, "linked"), "symbolic link: not followed");
  EXPECT_EQ(problemFor(out, "alias.md"), "symbolic link: not followed");
  EXPECT_FALSE(root->read("key.md", 100).ok());
  EXPECT_FALSE(root->read("linked/signing.key", 100).ok());
  EXPECT_FALSE(root->stat("linked/signing.key").ok());
  WalkOutput through;
  root->walk("linked", WalkLimits(), through);
  EXPECT_TRUE(through.files.empty());
}

TEST_F(FolderRootTest, FifosAndSocketsAreReportedAndNeverOpened) {
  ASSERT_EQ(::mkfifo((root_ + "/pipe.txt").c_str(), 0600), 0);
  int s = ::socket(AF_UNIX, SOCK_STREAM, 0);
  ASSERT_GE(s, 0);
  struct sockaddr_un addr {};
  addr.sun_family = AF_UNIX;
  std::string sock = root_ + "/s.md";
  ASSERT_LT(sock.size(), sizeof(addr.sun_path));
  std::snprintf(addr.sun_path, sizeof(addr.sun_path), "%s", sock.c_str());
  ASSERT_EQ(::bind(s, reinterpret_cast<struct sockaddr*>(&addr), sizeof(addr)), 0);
  auto root = open();
  WalkOutput out;
  root->walk("", WalkLimits(), out);  // would block forever if it opened the FIFO
  ::close(s);
  EXPECT_TRUE(out.files.empty());
  EXPECT_EQ(problemFor(out, "pipe.txt"), "FIFO: not read");
  EXPECT_EQ(problemFor(out, "s.md"), "socket: not read");
  auto read = root->read("pipe.txt", 100);
  ASSERT_FALSE(read.ok());
  EXPECT_EQ(read.status().message(), "FIFO: not read");
}

TEST_F(FolderRootTest, WardsDataDirIsNeverRead) {
  write(root_ + "/doc.md", "doc");
  write(root_ + "/ward-data/ward.toml", "[server]");
  write(root_ + "/ward-data/audit/signing.key", "SECRET");
  std::string data = root_ + "/ward-data";
  auto root = open({data});
  WalkOutput out;
  root->walk("", WalkLimits(), out);
  EXPECT_EQ(files(out), (std::vector<std::string>{"doc.md"}));
  EXPECT_EQ(problemFor(out, "ward-data"), "Ward's data directory: never ingested");
  EXPECT_EQ(root->read("ward-data/ward.toml", 100).status().code(), StatusCode::kPermissionDenied);
  // As a root, or beneath one, it is refused at once.
  EXPECT_EQ(FolderRoot::open(data, {data}).status().code(), StatusCode::kPermissionDenied);
  EXPECT_EQ(FolderRoot::open(data + "/audit", {data}).status().code(),
            StatusCode::kPermissionDenied);
}

TEST_F(FolderRootTest, DepthAndEntryLimits) {
  write(root_ + "/1/2/3/deep.md", "deep");
  write(root_ + "/1/shallow.md", "shallow");
  auto root = open();
  WalkLimits limits;
  limits.max_depth = 2;
  WalkOutput out;
  root->walk("", limits, out);
  EXPECT_EQ(files(out), (std::vector<std::string>{"1/shallow.md"}));
  EXPECT_EQ(problemFor(out, "1/2/3"), "more than 2 folder levels below the root: not read");

  for (int i = 0; i < 10; ++i) write(root_ + "/many/f" + std::to_string(i) + ".md", "x");
  limits = WalkLimits();
  limits.max_entries = 4;
  WalkOutput capped;
  root->walk("many", limits, capped);
  EXPECT_TRUE(capped.truncated);
  EXPECT_EQ(capped.files.size(), 4u);
  ASSERT_EQ(capped.problems.size(), 1u);
  EXPECT_NE(capped.problems[0].message.find("more than 4 entries"), std::string::npos);
}

}  // namespace
}  // namespace ward::ingest
