// io: crash simulation, injected failures and torn writes.
#include "ward/io/fault_injecting_file_system.h"

#include <gtest/gtest.h>

#include "ward/io/mem_file_system.h"

namespace ward::io {
namespace {

class FaultFsTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_TRUE(fs_.createDirs("/d").ok()); }
  std::unique_ptr<File> openFile(const std::string& p) {
    auto f = fs_.open(p, OpenOptions{});
    EXPECT_TRUE(f.ok()) << f.status().toString();
    return std::move(f).value();
  }

  std::unique_ptr<FileSystem> base_ = newMemFileSystem();
  FaultInjectingFileSystem fs_{*base_};
};

TEST_F(FaultFsTest, CrashDropsUnsyncedDataAndUnsyncedFiles) {
  auto f = openFile("/d/a");
  ASSERT_TRUE(fs_.syncDir("/d").ok());
  ASSERT_TRUE(f->append("durable").ok());
  ASSERT_TRUE(f->sync().ok());
  ASSERT_TRUE(f->append("-lost").ok());
  auto g = openFile("/d/b");  // its directory entry is never synced
  ASSERT_TRUE(g->append("x").ok());
  ASSERT_TRUE(g->sync().ok());
  ASSERT_TRUE(fs_.crash().ok());
  EXPECT_EQ(*readFile(fs_, "/d/a"), "durable");
  EXPECT_FALSE(fs_.exists("/d/b"));
  // Handles from before the crash are dead.
  EXPECT_EQ(f->append("y").code(), StatusCode::kUnavailable);
  EXPECT_FALSE(f->size().ok());
}

TEST_F(FaultFsTest, CrashCanKeepUnsyncedData) {
  auto f = openFile("/d/a");
  ASSERT_TRUE(f->append("abc").ok());
  ASSERT_TRUE(fs_.crash(CrashMode::kKeepUnsynced).ok());
  EXPECT_EQ(*readFile(fs_, "/d/a"), "abc");
  // What survived is the new durable state.
  auto g = openFile("/d/a");
  ASSERT_TRUE(g->append("def").ok());
  ASSERT_TRUE(fs_.crash().ok());
  EXPECT_EQ(*readFile(fs_, "/d/a"), "abc");
}

TEST_F(FaultFsTest, FailAfterNOps) {
  auto f = openFile("/d/a");
  fs_.failAfter(2);
  EXPECT_TRUE(f->append("1").ok());
  EXPECT_TRUE(f->sync().ok());
  EXPECT_EQ(f->append("2").code(), StatusCode::kUnavailable);
  EXPECT_EQ(f->sync().code(), StatusCode::kUnavailable);
  fs_.clearFaults();
  EXPECT_TRUE(f->append("3").ok());
  EXPECT_EQ(*readFile(fs_, "/d/a"), "13");
}

TEST_F(FaultFsTest, TornAppendKeepsPrefix) {
  auto f = openFile("/d/a");
  fs_.tearNextAppend(4);
  EXPECT_EQ(f->append("0123456789").code(), StatusCode::kUnavailable);
  EXPECT_EQ(*readFile(fs_, "/d/a"), "0123");
  EXPECT_TRUE(f->append("x").ok());  // only one append is torn
}

TEST_F(FaultFsTest, ExistingFilesCountAsDurable) {
  {
    auto f = base_->open("/d/old", OpenOptions{});
    ASSERT_TRUE((*f)->append("before").ok());
  }
  auto f = openFile("/d/old");
  ASSERT_TRUE(f->append("after").ok());
  ASSERT_TRUE(fs_.crash().ok());
  EXPECT_EQ(*readFile(fs_, "/d/old"), "before");
}

}  // namespace
}  // namespace ward::io
