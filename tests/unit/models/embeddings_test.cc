// /v1/embeddings: request limits, base64 float32 encoding, the OpenAI and Gemini dialects.
#include <gtest/gtest.h>

#include <cstring>

#include "embedding_dialects.h"
#include "ward/models/embeddings.h"

namespace ward::models {
namespace {

TEST(Embeddings, RequestParsingAndLimits) {
  auto r = parseEmbeddingRequest(*parseJson(
      R"({"model":"e","input":["a","bb"],"encoding_format":"base64","dimensions":3,"user":"u"})"));
  ASSERT_TRUE(r.ok()) << r.status().toString();
  EXPECT_EQ(r->inputs.size(), 2u);
  EXPECT_EQ(r->encoding, EmbeddingEncoding::kBase64);
  EXPECT_EQ(r->dimensions, 3);
  EXPECT_EQ(r->claims["user"], "u");
  auto one = parseEmbeddingRequest(*parseJson(R"({"model":"e","input":"x"})"));
  ASSERT_TRUE(one.ok());
  EXPECT_EQ(one->encoding, EmbeddingEncoding::kFloat);
  auto refused = [](const Json& body, const std::string& needle) {
    auto r = parseEmbeddingRequest(body);
    ASSERT_FALSE(r.ok()) << needle;
    EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
    EXPECT_NE(r.status().message().find(needle), std::string::npos) << r.status().message();
  };
  refused(*parseJson(R"({"model":"e","input":[[1,2]]})"), "token arrays");
  refused(*parseJson(R"({"model":"e","input":"x","encoding_format":"int8"})"), "encoding_format");
  refused(*parseJson(R"({"model":"e","input":"x","dimensions":0})"), "dimensions");
  refused(*parseJson(R"({"model":"e","input":[]})"), "'input'");
  refused(*parseJson(R"({"model":"e","input":"x","foo":1})"), "'foo'");
  refused(Json{{"model", "e"}, {"input", std::string(kMaxEmbeddingInputBytes + 1, 'a')}},
          "longer than");
  Json many = {{"model", "e"}, {"input", Json::array()}};
  for (size_t i = 0; i <= kMaxEmbeddingInputs; ++i) many["input"].push_back("x");
  refused(many, "more than");
}

TEST(Embeddings, Base64IsLittleEndianFloat32) {
  EmbeddingRequest req;
  req.model = "e";
  req.inputs = {"a"};
  req.encoding = EmbeddingEncoding::kBase64;
  EmbeddingResponse resp;
  resp.vectors = {{1.0, -2.5}};
  resp.usage.known = true;
  resp.usage.input_tokens = 4;
  Json j = embeddingResponseJson(resp, req);
  // 1.0f = 00 00 80 3f, -2.5f = 00 00 20 c0 -> "AACAPwAAIMA="
  EXPECT_EQ(j["data"][0]["embedding"], "AACAPwAAIMA=");
  EXPECT_EQ(j["usage"]["prompt_tokens"], 4);
  EXPECT_EQ(j["model"], "e");
  req.encoding = EmbeddingEncoding::kFloat;
  EXPECT_EQ(embeddingResponseJson(resp, req)["data"][0]["embedding"], Json::array({1.0, -2.5}));
}

TEST(Embeddings, Dialects) {
  EmbeddingRequest req;
  req.inputs = {"a", "bc"};
  req.dimensions = 8;
  Json o = openAiEmbeddingJson(req, "te-3");
  EXPECT_EQ(o["encoding_format"], "float");
  EXPECT_EQ(o["dimensions"], 8);
  auto parsed = parseOpenAiEmbeddings(*parseJson(R"({"data":[{"index":1,"embedding":[2]},
    {"index":0,"embedding":[1]}],"model":"te-3-x","usage":{"prompt_tokens":3}})"),
                                      2);
  ASSERT_TRUE(parsed.ok()) << parsed.status().toString();
  EXPECT_EQ(parsed->vectors[0][0], 1);  // by index
  EXPECT_EQ(parsed->usage.input_tokens, 3);
  EXPECT_FALSE(
      parseOpenAiEmbeddings(*parseJson(R"({"data":[{"index":0,"embedding":[1]}]})"), 2).ok());
  Json g = geminiEmbeddingJson(req, "gemini-embedding-001");
  EXPECT_EQ(g["requests"][1]["model"], "models/gemini-embedding-001");
  EXPECT_EQ(g["requests"][1]["content"]["parts"][0]["text"], "bc");
  EXPECT_EQ(g["requests"][0]["outputDimensionality"], 8);
  auto gp =
      parseGeminiEmbeddings(*parseJson(R"({"embeddings":[{"values":[1]},{"values":[2]}]})"), 2);
  ASSERT_TRUE(gp.ok());
  EXPECT_FALSE(gp->usage.known);
  EXPECT_EQ(gp->vectors[1][0], 2);
}

}  // namespace
}  // namespace ward::models
