// A fixture with a real bare git repository in a temp dir, made with git plumbing, and a helper
// that writes blobs into it: what the git connector's unit tests (blob stream, cat-file reader)
// share.
#pragma once

#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "../../../src/ingest/connectors/git/git_process.h"

namespace ward::ingest {

class BareRepoTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string tmpl = ::testing::TempDir() + "/git_bare_repo_XXXXXX";
    ASSERT_NE(::mkdtemp(tmpl.data()), nullptr);
    dir_ = tmpl;
    repo_ = dir_ + "/repo.git";
    ASSERT_TRUE(
        runGit(GitCommand{"", {"init", "--bare", "-q", "--template=", repo_}, {}, 4096, {}, {}})
            .ok());
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  // Writes `bytes` as a blob; its id.
  std::string blob(const std::string& bytes) {
    const std::string file = dir_ + "/blob";
    std::ofstream(file, std::ios::binary | std::ios::trunc) << bytes;
    auto oid = runGit(
        GitCommand{repo_, {"hash-object", "-w", "--no-filters", "--", file}, {}, 4096, {}, {}});
    EXPECT_TRUE(oid.ok()) << oid.status().toString();
    std::string id = oid.ok() ? *oid : "";
    while (!id.empty() && id.back() == '\n') id.pop_back();
    return id;
  }

  std::string dir_;
  std::string repo_;
};

}  // namespace ward::ingest
