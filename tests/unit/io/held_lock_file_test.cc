// HeldLockFile (held_lock_file.h): the lock file stays open between locks, and still excludes
// every other holder of the path, on the real and the in-memory file systems.
#include "ward/io/held_lock_file.h"

#include <gtest/gtest.h>
#include <stdlib.h>
#include <unistd.h>

#include <filesystem>

#include "ward/io/mem_file_system.h"

namespace ward::io {
namespace {

class HeldLockFileTest : public ::testing::TestWithParam<bool> {
 protected:
  void SetUp() override {
    if (GetParam()) {
      std::string tmpl = "/tmp/ward_held_lock_XXXXXX";
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
  std::string lockPath() const { return root_ + "/LOCK"; }
  // Whether another holder could take the lock now (a fresh open of the path, as another
  // process would do).
  bool othersCanLock() {
    auto other = fs_->tryLock(lockPath());
    EXPECT_TRUE(other.ok());
    return other.ok() && *other != nullptr;
  }

  std::unique_ptr<FileSystem> mem_;
  FileSystem* fs_ = nullptr;
  std::string root_;
};

TEST_P(HeldLockFileTest, EachLockExcludesOthersUntilReleased) {
  auto held = HeldLockFile::open(*fs_, lockPath());
  ASSERT_TRUE(held.ok()) << held.status().toString();
  for (int round = 0; round < 3; ++round) {
    auto lock = (*held)->lock();
    ASSERT_TRUE(lock.ok()) << lock.status().toString();
    EXPECT_FALSE(othersCanLock()) << "round " << round;
    lock->reset();
    EXPECT_TRUE(othersCanLock()) << "round " << round;
  }
}

TEST_P(HeldLockFileTest, AnUnlinkedLockFileIsOpenedAgain) {
  auto held = HeldLockFile::open(*fs_, lockPath());
  ASSERT_TRUE(held.ok());
  { ASSERT_TRUE((*held)->lock().ok()); }
  // Someone removes the lock file; another process then creates it anew and locks that one.
  ASSERT_TRUE(fs_->remove(lockPath()).ok());
  auto lock = (*held)->lock();
  ASSERT_TRUE(lock.ok());
  EXPECT_FALSE(othersCanLock());  // the kept file would not have excluded them
  lock->reset();
  EXPECT_TRUE(othersCanLock());
}

TEST(HeldLockFilePosixTest, TheFileStaysOpenBetweenLocks) {
  std::string tmpl = "/tmp/ward_held_lock_XXXXXX";
  ASSERT_NE(::mkdtemp(tmpl.data()), nullptr);
  const std::string path = tmpl + "/LOCK";
  auto openCount = [&] {
    int n = 0;
    for (const auto& e : std::filesystem::directory_iterator("/proc/self/fd")) {
      std::error_code ec;
      if (std::filesystem::read_symlink(e.path(), ec) == path) ++n;
    }
    return n;
  };
  {
    auto held = HeldLockFile::open(posixFileSystem(), path);
    ASSERT_TRUE(held.ok());
    { ASSERT_TRUE((*held)->lock().ok()); }
    EXPECT_EQ(openCount(), 1);  // kept open after the lock was released
  }
  EXPECT_EQ(openCount(), 0);
  std::filesystem::remove_all(tmpl);
}

INSTANTIATE_TEST_SUITE_P(Both, HeldLockFileTest, ::testing::Values(true, false),
                         [](const auto& info) { return info.param ? "Posix" : "Mem"; });

}  // namespace
}  // namespace ward::io
