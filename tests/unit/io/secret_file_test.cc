// io::loadOrCreateSecretFile on the real file system: created once (0600) and read back the
// same, refused when others may read it or when its size is wrong, made under a new folder.
#include "ward/io/secret_file.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>

namespace ward::io {
namespace {

class SecretFileTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/ward_secret_file_XXXXXX";
    ASSERT_NE(::mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::string dir_;
};

TEST_F(SecretFileTest, CreatedOnceOwnerOnlyAndReadBackTheSame) {
  const std::string path = dir_ + "/keys/tenant.key";  // the folder does not exist yet
  auto first = loadOrCreateSecretFile(path, 32, "test key");
  ASSERT_TRUE(first.ok()) << first.status().toString();
  EXPECT_EQ(first->size(), 32u);
  struct stat st {};
  ASSERT_EQ(::stat(path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  auto again = loadOrCreateSecretFile(path, 32, "test key");
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(*again, *first);
  EXPECT_NE(*loadOrCreateSecretFile(dir_ + "/other.key", 32, "test key"), *first);
}

TEST_F(SecretFileTest, AFileOthersMayReadIsRefusedNamingIt) {
  const std::string path = dir_ + "/open.key";
  ASSERT_TRUE(loadOrCreateSecretFile(path, 32, "test key").ok());
  ASSERT_EQ(::chmod(path.c_str(), 0644), 0);
  auto r = loadOrCreateSecretFile(path, 32, "test key");
  EXPECT_EQ(r.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(r.status().message().find("test key " + path), std::string::npos);
  EXPECT_NE(r.status().message().find("chmod 600"), std::string::npos);
}

TEST_F(SecretFileTest, AFileOfTheWrongSizeIsCorruptionAndIsNotReplaced) {
  const std::string path = dir_ + "/short.key";
  { std::ofstream(path) << "too short"; }
  ASSERT_EQ(::chmod(path.c_str(), 0600), 0);
  auto r = loadOrCreateSecretFile(path, 32, "test key");
  EXPECT_EQ(r.status().code(), StatusCode::kCorruption);
  EXPECT_NE(r.status().message().find("exactly 32 bytes"), std::string::npos);
  EXPECT_EQ(std::filesystem::file_size(path), 9u);  // never overwritten
}

}  // namespace
}  // namespace ward::io
