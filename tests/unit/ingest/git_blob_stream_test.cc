// Streamed blob reads of the git connector (src/ingest/connectors/git/git_blob_stream.h), against
// a real bare repository made with git plumbing in a temp dir.
#include "../../../src/ingest/connectors/git/git_blob_stream.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <fstream>

#include "../../../src/ingest/connectors/git/git_process.h"
#include "bare_repo_fixture.h"

namespace ward::ingest {
namespace {

class GitBlobStreamTest : public BareRepoTest {};

TEST_F(GitBlobStreamTest, BlobsComeInTheListsOrderWithTheirOwnRefusals) {
  const std::string a = blob("alpha\n");
  const std::string b = blob(std::string(5000, 'b'));
  const std::string empty = blob("");
  const std::string big = blob(std::string(70'000, 'x'));
  auto tree = runGit(GitCommand{repo_, {"mktree"}, {}, 4096, {}, {}});  // the empty tree
  ASSERT_TRUE(tree.ok()) << tree.status().toString();
  std::string tree_id = *tree;
  while (!tree_id.empty() && tree_id.back() == '\n') tree_id.pop_back();
  const std::string missing(40, 'e');
  GitBlobStream stream(repo_, {a, big, b, missing, tree_id, empty, a}, 65'536);
  ASSERT_TRUE(stream.start().ok());
  auto take = [&]() {
    auto r = stream.next();
    EXPECT_TRUE(r.ok()) << r.status().toString();
    return r.ok() ? std::move(r).value() : StreamedBlob{Status::internal("failed"), {}};
  };
  StreamedBlob got = take();
  EXPECT_TRUE(got.status.ok());
  EXPECT_EQ(got.bytes, "alpha\n");
  got = take();  // larger than max_bytes: skipped, and the next answer is still in step
  EXPECT_EQ(got.status.code(), StatusCode::kResourceExhausted);
  EXPECT_TRUE(got.bytes.empty());
  got = take();
  EXPECT_EQ(got.bytes, std::string(5000, 'b'));
  got = take();
  EXPECT_EQ(got.status.code(), StatusCode::kNotFound);
  got = take();
  EXPECT_EQ(got.status.code(), StatusCode::kNotFound);
  EXPECT_NE(got.status.message().find("not a blob"), std::string::npos) << got.status.message();
  got = take();
  EXPECT_TRUE(got.status.ok());
  EXPECT_TRUE(got.bytes.empty());
  got = take();  // an id may repeat
  EXPECT_EQ(got.bytes, "alpha\n");
  // Every blob taken: an error, not a wait.
  EXPECT_FALSE(stream.next().ok());
}

TEST_F(GitBlobStreamTest, ManyMoreRequestsThanTheSocketHoldsAndMoreBytesThanTheQueueHolds) {
  // 6,000 requests (246 KB of ids, more than a socket buffer) and 6,000 x about 4 KB of answers
  // (24 MB, more than the queue's bound): neither side may deadlock waiting for the other.
  std::vector<std::string> ids;
  const std::string one = blob(std::string(4096, 'q'));
  const std::string two = blob(std::string(4000, 'r'));
  for (int i = 0; i < 6'000; ++i) ids.push_back(i % 2 == 0 ? one : two);
  GitBlobStream stream(repo_, ids, 1 << 20);
  ASSERT_TRUE(stream.start().ok());
  for (int i = 0; i < 6'000; ++i) {
    auto r = stream.next();
    ASSERT_TRUE(r.ok()) << i << ": " << r.status().toString();
    ASSERT_EQ(r->bytes.size(), i % 2 == 0 ? 4096u : 4000u) << i;
  }
}

TEST_F(GitBlobStreamTest, AStreamLeftUnreadEndsItsChild) {
  std::vector<std::string> ids(5'000, blob(std::string(8192, 'z')));
  {
    GitBlobStream stream(repo_, ids, 1 << 20);
    ASSERT_TRUE(stream.start().ok());
    ASSERT_TRUE(stream.next().ok());
  }  // the reader is blocked on a full queue, git on a full pipe: both end here
  GitBlobStream none(repo_, {}, 1 << 20);
  ASSERT_TRUE(none.start().ok());
  EXPECT_FALSE(none.next().ok());
  GitBlobStream bad(repo_, {"not an id"}, 1 << 20);
  EXPECT_EQ(bad.start().code(), StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace ward::ingest
