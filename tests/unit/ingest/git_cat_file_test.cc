// The cat-file protocol of the git connector (src/ingest/connectors/git/git_cat_file.h): the
// parser fed the answers in every split a pipe could give, and the one-at-a-time reader against
// a real bare repository made with git plumbing in a temp dir.
#include "../../../src/ingest/connectors/git/git_cat_file.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <fstream>

#include "../../../src/ingest/connectors/git/git_process.h"
#include "bare_repo_fixture.h"

namespace ward::ingest {
namespace {

const std::string kA(40, 'a');
const std::string kB(40, 'b');
const std::string kC(40, 'c');
const std::string kD(40, 'd');
const std::string kE(40, 'e');

// Four answers: a blob, a missing object, a tree (skipped), a blob over max_bytes (skipped), an
// empty blob.
std::string answers() {
  return kA + " blob 5\nhello\n" + kB + " missing\n" + kC + " tree 3\nxyz\n" + kD +
         " blob 12\n0123456789ab\n" + kE + " blob 0\n\n";
}

void expectAnswers(const std::vector<StreamedBlob>& got) {
  ASSERT_EQ(got.size(), 5u);
  EXPECT_TRUE(got[0].status.ok());
  EXPECT_EQ(got[0].bytes, "hello");
  EXPECT_EQ(got[1].status.code(), StatusCode::kNotFound);
  EXPECT_NE(got[1].status.message().find(kB), std::string::npos) << got[1].status.message();
  EXPECT_EQ(got[2].status.code(), StatusCode::kNotFound);
  EXPECT_NE(got[2].status.message().find("not a blob"), std::string::npos);
  EXPECT_EQ(got[3].status.code(), StatusCode::kResourceExhausted);
  EXPECT_TRUE(got[3].bytes.empty());
  EXPECT_TRUE(got[4].status.ok());
  EXPECT_TRUE(got[4].bytes.empty());
}

TEST(CatFileParserTest, AnswersInOnePiece) {
  const std::string all = answers();
  CatFileParser parser(10);
  std::vector<StreamedBlob> got;
  auto used = parser.parse(all.data(), all.size(), got);
  ASSERT_TRUE(used.ok()) << used.status().toString();
  EXPECT_EQ(*used, all.size());
  EXPECT_FALSE(parser.midAnswer());
  expectAnswers(got);
}

TEST(CatFileParserTest, AnswersSplitAtEveryPoint) {
  // Fed as a pipe might give them: pieces of every size from 1 byte; an unused tail (part of a
  // header) is given again with the next piece.
  const std::string all = answers();
  for (size_t piece = 1; piece <= all.size(); ++piece) {
    CatFileParser parser(10);
    std::vector<StreamedBlob> got;
    std::string pending;
    for (size_t at = 0; at < all.size(); at += piece) {
      pending += all.substr(at, piece);
      auto used = parser.parse(pending.data(), pending.size(), got);
      ASSERT_TRUE(used.ok()) << piece << ": " << used.status().toString();
      pending.erase(0, *used);
    }
    EXPECT_TRUE(pending.empty()) << piece;
    EXPECT_FALSE(parser.midAnswer()) << piece;
    expectAnswers(got);
  }
}

TEST(CatFileParserTest, MalformedAnswersAreErrors) {
  std::vector<StreamedBlob> got;
  {
    CatFileParser parser(100);
    const std::string no_newline = kA + " blob 2\nhiX";  // the byte after the body is not '\n'
    EXPECT_EQ(parser.parse(no_newline.data(), no_newline.size(), got).status().code(),
              StatusCode::kUnavailable);
  }
  {
    CatFileParser parser(100);
    const std::string bad_size = kA + " blob 2x\nhi\n";
    EXPECT_EQ(parser.parse(bad_size.data(), bad_size.size(), got).status().code(),
              StatusCode::kUnavailable);
  }
  {
    CatFileParser parser(100);
    const std::string long_header(kMaxCatFileHeaderBytes + 1, 'h');  // no newline yet
    auto r = parser.parse(long_header.data(), long_header.size(), got);
    ASSERT_FALSE(r.ok());
    EXPECT_NE(r.status().message().find("header too long"), std::string::npos);
  }
  EXPECT_TRUE(got.empty());
}

class GitBlobReaderTest : public BareRepoTest {};

TEST_F(GitBlobReaderTest, ReadsOneBlobAtATimeWithItsOwnRefusals) {
  const std::string small = blob("small\n");
  const std::string large = blob(std::string(300'000, 'L'));  // several reads of the pipe
  const std::string big = blob(std::string(70'000, 'x'));
  GitBlobReader reader(repo_);
  auto got = reader.read(small, 1 << 20);
  ASSERT_TRUE(got.ok()) << got.status().toString();
  EXPECT_EQ(*got, "small\n");
  got = reader.read(large, 1 << 20);
  ASSERT_TRUE(got.ok()) << got.status().toString();
  EXPECT_EQ(*got, std::string(300'000, 'L'));
  EXPECT_EQ(reader.read(big, 65'536).status().code(), StatusCode::kResourceExhausted);
  EXPECT_EQ(reader.read(std::string(40, 'e'), 1 << 20).status().code(), StatusCode::kNotFound);
  EXPECT_EQ(reader.read("not an id", 1 << 20).status().code(), StatusCode::kInvalidArgument);
  // The child is still in step after each refusal.
  got = reader.read(small, 1 << 20);
  ASSERT_TRUE(got.ok()) << got.status().toString();
  EXPECT_EQ(*got, "small\n");
}

TEST_F(GitBlobReaderTest, AReaderOfAMissingRepositoryFailsClearly) {
  GitBlobReader reader(dir_ + "/absent.git");
  auto got = reader.read(std::string(40, 'a'), 1 << 20);
  ASSERT_FALSE(got.ok());
  EXPECT_EQ(got.status().code(), StatusCode::kUnavailable) << got.status().toString();
}

}  // namespace
}  // namespace ward::ingest
