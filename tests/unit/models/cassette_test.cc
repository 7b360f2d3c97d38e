// models: the cassette encoding (cassette.h): bytes survive JSON exactly (binary included), chunk
// offsets are checked, the tape caps the response with a flag, URLs lose their query, and only
// whitelisted headers are kept.
#include "ward/models/cassette.h"

#include <gtest/gtest.h>

namespace ward::models {
namespace {

TEST(Cassette, RoundTripKeepsBytesExactly) {
  Cassette c;
  c.adapter = "openai";
  c.model = "fast";
  c.url = urlWithoutQuery("http://127.0.0.1:9/v1/chat/completions?key=SECRET#x");
  c.request = Json{{"model", "fast"}};
  c.request_sha256 = std::string(64, 'a');
  c.upstream_body = std::string("{\"a\":1}\0\xff\n", 10);
  c.status = 200;
  c.stream = true;
  CassetteTape tape;
  tape.addChunk("data: {\"x\":1}\n\n");
  tape.addChunk(std::string("data: \xc3\x28\n\n"));  // invalid UTF-8 survives
  tape.fill(c);
  Json j = c.toJson();
  EXPECT_EQ(c.url, "http://127.0.0.1:9/v1/chat/completions");
  EXPECT_EQ(dumpJson(j).find("SECRET"), std::string::npos);
  auto back = Cassette::fromJson(Json::parse(dumpJson(j)));
  ASSERT_TRUE(back.ok()) << back.status().toString();
  EXPECT_EQ(back->upstream_body, c.upstream_body);
  EXPECT_EQ(back->response, c.response);
  EXPECT_EQ(back->chunks, (std::vector<size_t>{0, 15}));
  EXPECT_FALSE(back->truncated);
}

TEST(Cassette, BadOffsetsAndShapesAreRefused) {
  Cassette c;
  c.stream = true;
  c.response = "abc";
  c.chunks = {0, 2};
  Json j = c.toJson();
  j["chunk_offsets"] = Json::array({2, 1});
  EXPECT_EQ(Cassette::fromJson(j).status().code(), StatusCode::kInvalidArgument);
  j["chunk_offsets"] = Json::array({0, 9});
  EXPECT_EQ(Cassette::fromJson(j).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(Cassette::fromJson(Json{{"format", "x"}}).status().code(),
            StatusCode::kInvalidArgument);
}

TEST(Cassette, TapeCapsTheResponseWithAFlag) {
  CassetteTape tape;
  tape.addChunk(std::string(kMaxCassetteResponseBytes - 1, 'a'));
  tape.addChunk("bcd");
  tape.addChunk("ignored");
  Cassette c;
  tape.fill(c);
  EXPECT_TRUE(c.truncated);
  EXPECT_EQ(c.response.size(), kMaxCassetteResponseBytes);
  EXPECT_EQ(c.response.back(), 'b');
  EXPECT_EQ(c.chunks.size(), 2u);
}

TEST(Cassette, OnlyWhitelistedHeaders) {
  EXPECT_TRUE(isRecordedHeader("x-request-id"));
  EXPECT_TRUE(isRecordedHeader("x-ratelimit-remaining-tokens"));
  EXPECT_TRUE(isRecordedHeader("anthropic-ratelimit-requests-limit"));
  EXPECT_FALSE(isRecordedHeader("authorization"));
  EXPECT_FALSE(isRecordedHeader("set-cookie"));
  EXPECT_FALSE(isRecordedHeader("x-api-key"));
}

}  // namespace
}  // namespace ward::models
