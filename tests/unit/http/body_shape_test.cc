// Request-body shapes (body_shape.h): unknown fields are refused by name, nested ones too.
#include "body_shape.h"

#include <gtest/gtest.h>

namespace ward::http {
namespace {

Status checkWith(const char* spec, const char* body) {
  auto shape = BodyShape::parse(spec);
  EXPECT_TRUE(shape.ok()) << spec << ": " << shape.status().toString();
  return shape.ok() ? shape->check(parseJson(body).value()) : shape.status();
}

TEST(BodyShape, AMisspelledFieldIsRefusedByName) {
  // Issue 19 item 14: {"principle": ...} used to be ignored, minting a key for the caller.
  Status st = checkWith("principal", R"({"principle":"ci-bot"})");
  EXPECT_EQ(st.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(st.message(), "field 'principle' is unknown (expected: principal)");
  EXPECT_TRUE(checkWith("principal", R"({"principal":"ci-bot"})").ok());
  EXPECT_TRUE(checkWith("principal", "{}").ok());
}

TEST(BodyShape, NestedObjectsAreCheckedWithADottedPath) {
  const char* spec = "kind,parameters{temperature,seed},prompt{template_id,rendered},args";
  EXPECT_TRUE(checkWith(spec, R"({"parameters":{"seed":1},"prompt":{"rendered":"x"}})").ok());
  Status st = checkWith(spec, R"({"prompt":{"template_id":"a","renderd":"x"}})");
  EXPECT_EQ(st.message(), "field 'prompt.renderd' is unknown (expected: template_id, rendered)");
  // A plain name takes any value, objects included (tool arguments are the schema's business).
  EXPECT_TRUE(checkWith(spec, R"({"args":{"anything":{"deep":1}}})").ok());
  // A shaped field holding a non-object is the handler's to refuse, not the shape's.
  EXPECT_TRUE(checkWith(spec, R"({"parameters":7})").ok());
}

TEST(BodyShape, NoBodyAndModuleCheckedBodies) {
  Status st = checkWith(kNoBody, R"({"x":1})");
  EXPECT_EQ(st.message(), "field 'x' is unknown (this endpoint takes no request body)");
  EXPECT_TRUE(checkWith(kNoBody, "{}").ok());
  EXPECT_TRUE(checkWith(kBodyCheckedByModule, R"({"whatever":1})").ok());
  EXPECT_TRUE(checkWith("a", "[1,2]").ok());  // not an object: the handler's error
}

TEST(BodyShape, MalformedSpecsAreRefused) {
  for (const char* bad : {"a,,b", "a{b", "a}b", "{a}", "a b"}) {
    EXPECT_FALSE(BodyShape::parse(bad).ok()) << bad;
  }
}

TEST(BodyShape, EchoedNamesAreBounded) {
  std::string body = "{\"" + std::string(5000, 'z') + "\":1}";
  auto shape = BodyShape::parse("a");
  ASSERT_TRUE(shape.ok());
  Status st = shape->check(parseJson(body).value());
  EXPECT_LT(st.message().size(), 200u);
}

}  // namespace
}  // namespace ward::http
