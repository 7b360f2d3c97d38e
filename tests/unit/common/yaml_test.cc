// common: YAML -> Json (tool definition files).
#include "ward/common/yaml.h"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

namespace ward {
namespace {

Json yaml(const std::string& text) {
  auto j = parseYaml(text);
  EXPECT_TRUE(j.ok()) << j.status().toString();
  return j.ok() ? *j : Json();
}

TEST(Yaml, PlainScalarsFollowTheCoreSchema) {
  Json j = yaml(
      "a: ~\nb: null\nc: true\nd: False\ne: 42\nf: -7\ng: 0x1F\nh: 0o17\ni: 2.5\nj: 1e3\n"
      "k: hello world\nl: 1.2.3\nm: .inf\nn: 99999999999999999999\no:\n");
  EXPECT_TRUE(j["a"].is_null());
  EXPECT_TRUE(j["b"].is_null());
  EXPECT_EQ(j["c"], true);
  EXPECT_EQ(j["d"], false);
  EXPECT_EQ(j["e"], 42);
  EXPECT_EQ(j["f"], -7);
  EXPECT_EQ(j["g"], 31);
  EXPECT_EQ(j["h"], 15);
  EXPECT_DOUBLE_EQ(j["i"].get<double>(), 2.5);
  EXPECT_DOUBLE_EQ(j["j"].get<double>(), 1000.0);
  EXPECT_EQ(j["k"], "hello world");
  EXPECT_EQ(j["l"], "1.2.3");  // a version is a string, not a number
  EXPECT_EQ(j["m"], ".inf");   // JSON has no infinity
  EXPECT_TRUE(j["n"].is_number_float());
  EXPECT_TRUE(j["o"].is_null());
}

TEST(Yaml, QuotedScalarsStayStrings) {
  Json j = yaml("a: \"true\"\nb: '42'\nc: \"\"\nd: 'null'\n");
  EXPECT_EQ(j["a"], "true");
  EXPECT_EQ(j["b"], "42");
  EXPECT_EQ(j["c"], "");
  EXPECT_EQ(j["d"], "null");
}

TEST(Yaml, AToolDefinitionReadsLikeItsJson) {
  const char* text = R"(
name: refund_invoice
version: "1.0.0"
risk: write
input_schema:
  type: object
  required: [invoice_id, amount]
  properties:
    invoice_id: {type: string, pattern: "^inv_[0-9]+$"}
    amount: {type: number, exclusiveMinimum: 0}
backend:
  type: http
  method: POST
  url: "http://127.0.0.1:8080/invoices/{invoice_id}/refund"
approval:
  - name: large_refund
    when: {arg: amount, op: ">", value: 500}
)";
  auto expected = parseJson(R"({
    "name": "refund_invoice", "version": "1.0.0", "risk": "write",
    "input_schema": {"type": "object", "required": ["invoice_id", "amount"],
      "properties": {"invoice_id": {"type": "string", "pattern": "^inv_[0-9]+$"},
                     "amount": {"type": "number", "exclusiveMinimum": 0}}},
    "backend": {"type": "http", "method": "POST",
                "url": "http://127.0.0.1:8080/invoices/{invoice_id}/refund"},
    "approval": [{"name": "large_refund", "when": {"arg": "amount", "op": ">", "value": 500}}]
  })");
  ASSERT_TRUE(expected.ok());
  EXPECT_EQ(yaml(text), *expected);
}

TEST(Yaml, BadInputIsAnErrorNamingTheProblem) {
  auto dup = parseYaml("a: 1\nb: 2\na: 3\n");
  ASSERT_FALSE(dup.ok());
  EXPECT_NE(dup.status().message().find("duplicate key 'a'"), std::string::npos);
  EXPECT_NE(dup.status().message().find("line 3"), std::string::npos);

  auto syntax = parseYaml("a: [1, 2\nb: 3\n");
  ASSERT_FALSE(syntax.ok());
  EXPECT_EQ(syntax.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(syntax.status().message().find("YAML line"), std::string::npos);

  EXPECT_FALSE(parseYaml("a: 1\n---\nb: 2\n").ok());       // two documents
  EXPECT_FALSE(parseYaml("? [a, b]\n: 1\n").ok());         // non-scalar key
  EXPECT_FALSE(parseYaml("a: !!binary aGVsbG8=\n").ok());  // tags are not supported
}

// yaml-cpp 0.7's LoadAll never returns on a top-level ',' (it keeps making empty documents
// without consuming the token); found by the yaml_json fuzz target
// (tests/fuzz/corpus/yaml_json/timeout-*, reduced to this one byte).
TEST(Yaml, AStrayCommaIsAnErrorNotAHang) {
  auto stray = parseYaml(",");
  ASSERT_FALSE(stray.ok());
  EXPECT_EQ(stray.status().code(), StatusCode::kInvalidArgument);
  EXPECT_FALSE(parseYaml("a: 1\n,\n").ok());
}

TEST(Yaml, AliasExpansionIsBounded) {
  // Each level doubles the values: 2^30 after expansion ("billion laughs").
  std::string text = "a0: &a0 [x, x]\n";
  for (int i = 1; i <= 30; ++i) {
    text += "a" + std::to_string(i) + ": &a" + std::to_string(i) + " [*a" + std::to_string(i - 1) +
            ", *a" + std::to_string(i - 1) + "]\n";
  }
  auto j = parseYaml(text);
  ASSERT_FALSE(j.ok());
  EXPECT_NE(j.status().message().find("values (aliases included)"), std::string::npos);

  std::string deep = std::string(100, '[') + std::string(100, ']');
  auto d = parseYaml(deep);
  ASSERT_FALSE(d.ok());
  EXPECT_NE(d.status().message().find("nested deeper"), std::string::npos);
}

// JSON parsing bounds nesting (later walks recurse); strings may hold any brackets.
TEST(Json, NestingIsBounded) {
  std::string ok = std::string(kMaxJsonDepth, '[') + std::string(kMaxJsonDepth, ']');
  EXPECT_TRUE(parseJson(ok).ok());
  std::string deep = std::string(kMaxJsonDepth + 1, '[') + std::string(kMaxJsonDepth + 1, ']');
  auto r = parseJson(deep);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(r.status().message().find("nested deeper than 256"), std::string::npos);
  std::string brackets_in_strings = "{\"a\": \"" + std::string(1000, '[') + "\\\"{{{\"}";
  auto s = parseJson(brackets_in_strings);
  ASSERT_TRUE(s.ok()) << s.status().toString();
  EXPECT_EQ((*s)["a"].get<std::string>().size(), 1004u);
}

// The API contract must stay valid YAML (unique keys included) with every path an object.
TEST(Yaml, TheOpenApiContractParses) {
  std::ifstream in(WARD_OPENAPI_PATH);
  ASSERT_TRUE(in) << WARD_OPENAPI_PATH;
  std::stringstream ss;
  ss << in.rdbuf();
  auto doc = parseYaml(ss.str());
  ASSERT_TRUE(doc.ok()) << doc.status().toString();
  ASSERT_TRUE((*doc)["paths"].is_object());
  EXPECT_GT((*doc)["paths"].size(), 20u);
  for (const auto& [path, ops] : (*doc)["paths"].items()) {
    EXPECT_TRUE(ops.is_object()) << path;
  }
}

}  // namespace
}  // namespace ward
