// io: the same contract checked on the POSIX and the in-memory file systems.
#include <gtest/gtest.h>
#include <stdlib.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <thread>

#include "ward/io/file_system.h"
#include "ward/io/mem_file_system.h"

namespace ward::io {
namespace {

class FileSystemTest : public ::testing::TestWithParam<bool> {
 protected:
  void SetUp() override {
    if (GetParam()) {
      std::string tmpl = "/tmp/ward_io_test_XXXXXX";
      ASSERT_NE(::mkdtemp(tmpl.data()), nullptr);
      root_ = tmpl;
      fs_ = &posixFileSystem();
    } else {
      mem_ = newMemFileSystem();
      fs_ = mem_.get();
      root_ = "/t";
      ASSERT_TRUE(fs_->createDirs(root_).ok());
    }
  }
  void TearDown() override {
    if (GetParam()) std::filesystem::remove_all(root_);
  }
  std::string path(const std::string& name) const { return root_ + "/" + name; }

  std::unique_ptr<FileSystem> mem_;
  FileSystem* fs_ = nullptr;
  std::string root_;
};

TEST_P(FileSystemTest, AppendReadSizeTruncate) {
  auto f = fs_->open(path("a"), OpenOptions{});
  ASSERT_TRUE(f.ok()) << f.status().toString();
  ASSERT_TRUE((*f)->append("hello ").ok());
  ASSERT_TRUE((*f)->append("world").ok());
  ASSERT_TRUE((*f)->sync().ok());
  EXPECT_EQ(*(*f)->size(), 11u);
  EXPECT_EQ(*(*f)->readAt(6, 100), "world");
  EXPECT_EQ(*(*f)->readAt(20, 5), "");
  ASSERT_TRUE((*f)->truncate(5).ok());
  ASSERT_TRUE((*f)->append("!").ok());  // appends go to the new end
  EXPECT_EQ(*readFile(*fs_, path("a")), "hello!");
  EXPECT_EQ(*fs_->fileSize(path("a")), 6u);
}

TEST_P(FileSystemTest, ExclusiveCreateAndMissingFiles) {
  OpenOptions excl;
  excl.exclusive = true;
  ASSERT_TRUE(fs_->open(path("k"), excl).ok());
  auto again = fs_->open(path("k"), excl);
  EXPECT_EQ(again.status().code(), StatusCode::kAlreadyExists);
  OpenOptions ro;
  ro.create = false;
  ro.read_only = true;
  EXPECT_EQ(fs_->open(path("missing"), ro).status().code(), StatusCode::kNotFound);
  EXPECT_EQ(fs_->fileSize(path("missing")).status().code(), StatusCode::kNotFound);
  auto r = fs_->open(path("k"), ro);
  ASSERT_TRUE(r.ok());
  EXPECT_FALSE((*r)->append("x").ok());
}

TEST_P(FileSystemTest, DirsListRenameRemove) {
  ASSERT_TRUE(fs_->createDirs(path("d/e")).ok());
  ASSERT_TRUE(fs_->createDirs(path("d/e")).ok());  // idempotent
  ASSERT_TRUE(writeFileAtomic(*fs_, path("d/e/2"), "two").ok());
  ASSERT_TRUE(writeFileAtomic(*fs_, path("d/e/1"), "one").ok());
  auto names = fs_->list(path("d/e"));
  ASSERT_TRUE(names.ok());
  EXPECT_EQ(*names, (std::vector<std::string>{"1", "2"}));  // no temp files left
  ASSERT_TRUE(fs_->rename(path("d/e/1"), path("d/e/3")).ok());
  EXPECT_FALSE(fs_->exists(path("d/e/1")));
  EXPECT_EQ(*readFile(*fs_, path("d/e/3")), "one");
  ASSERT_TRUE(fs_->remove(path("d/e/3")).ok());
  EXPECT_EQ(fs_->remove(path("d/e/3")).code(), StatusCode::kNotFound);
  EXPECT_TRUE(fs_->syncDir(path("d/e")).ok());
  EXPECT_EQ(fs_->list(path("nope")).status().code(), StatusCode::kNotFound);
}

TEST_P(FileSystemTest, LockIsExclusive) {
  auto a = fs_->lock(path("LOCK"));
  ASSERT_TRUE(a.ok());
  std::atomic<bool> got{false};
  std::thread t([&] {
    auto b = fs_->lock(path("LOCK"));
    got = b.ok();
  });
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  EXPECT_FALSE(got.load());
  a->reset();
  t.join();
  EXPECT_TRUE(got.load());
}

TEST_P(FileSystemTest, TryLockFailsFastWhileHeld) {
  auto a = fs_->tryLock(path("LOCK"));
  ASSERT_TRUE(a.ok());
  ASSERT_NE(*a, nullptr);
  auto b = fs_->tryLock(path("LOCK"));  // another open of the file: flock conflicts
  ASSERT_TRUE(b.ok());
  EXPECT_EQ(*b, nullptr);
  a->reset();
  auto c = fs_->tryLock(path("LOCK"));
  ASSERT_TRUE(c.ok());
  EXPECT_NE(*c, nullptr);
}

TEST(ParentDirTest, Splits) {
  EXPECT_EQ(parentDir("a/b/c"), "a/b");
  EXPECT_EQ(parentDir("c"), ".");
  EXPECT_EQ(parentDir("/c"), "/");
}

INSTANTIATE_TEST_SUITE_P(Both, FileSystemTest, ::testing::Values(true, false),
                         [](const auto& info) { return info.param ? "Posix" : "Mem"; });

}  // namespace
}  // namespace ward::io
