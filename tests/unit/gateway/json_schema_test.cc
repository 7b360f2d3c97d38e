// Ward's JSON Schema validator beyond the suite: the error text, dialect selection, references
// (shipped metaschemas, remote refs refused, $ref cycles refused), the metaschema check, the
// depth limit and work budget, and `format` as an annotation or (opted in) an assertion
// (tests/cases/gateway/schema/formats.txt).
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "schema_graph.h"
#include "ward/gateway/json_schema.h"
#include "ward/gateway/tool_definition.h"

namespace ward::testing {
namespace {

Json j(const char* text) { return parseJson(text).value(); }

std::shared_ptr<const gateway::JsonSchema> compiled(const Json& schema,
                                                    gateway::SchemaOptions options = {}) {
  auto s = gateway::JsonSchema::compile(schema, "input_schema", options);
  EXPECT_TRUE(s.ok()) << s.status().toString();
  return s.ok() ? *s : nullptr;
}

void expectRefused(const Json& schema, const std::string& needle) {
  auto s = gateway::JsonSchema::compile(schema, "input_schema");
  ASSERT_FALSE(s.ok()) << schema.dump();
  EXPECT_EQ(s.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(s.status().message().find(needle), std::string::npos) << s.status().message();
}

TEST(JsonSchema, ErrorsNamePointerMessageAndRule) {
  auto s = compiled(j(R"J({"type": "object", "required": ["amount", "to"],
      "properties": {"amount": {"type": "integer", "maximum": 1000},
                     "to": {"type": "string", "pattern": "^[a-z]+$"}},
      "additionalProperties": false})J"));
  Status st = s->validate(j(R"J({"amount": 5000, "to": "bob"})J"), "args");
  EXPECT_EQ(st.message(), "args /amount: must be <= 1000 (maximum)");
  st = s->validate(j(R"J({"amount": "5", "extra": 1})J"), "args");
  EXPECT_NE(st.message().find("args /amount: must be integer (type)"), std::string::npos)
      << st.message();
  EXPECT_NE(st.message().find("/extra: is not an allowed property (additionalProperties)"),
            std::string::npos)
      << st.message();
  EXPECT_NE(st.message().find("/: must have the property 'to' (required)"), std::string::npos)
      << st.message();
  auto all = s->explain(j(R"J({"amount": 1.5, "to": "BOB"})J"));
  ASSERT_EQ(all.size(), 2u);
  EXPECT_EQ(all[0].instance_pointer, "/amount");
  EXPECT_EQ(all[0].schema_pointer, "/properties/amount/type");
  EXPECT_EQ(all[1].rule, "pattern");
  EXPECT_TRUE(s->explain(j(R"J({"amount": 1.0, "to": "bob"})J")).empty());  // 1.0 is an integer
}

TEST(JsonSchema, DialectComesFromDollarSchemaAnd202012IsTheDefault) {
  const char* tuple = R"J({"$schema": "http://json-schema.org/draft-07/schema#",
                          "items": [{"type": "integer"}], "additionalItems": false})J";
  auto d7 = compiled(j(tuple));
  EXPECT_EQ(d7->dialect(), gateway::SchemaDialect::kDraft7);
  EXPECT_TRUE(d7->accepts(j("[1]")));
  EXPECT_FALSE(d7->accepts(j("[1, 2]")));
  auto d2020 = compiled(j(R"J({"prefixItems": [{"type": "integer"}], "items": false})J"));
  EXPECT_EQ(d2020->dialect(), gateway::SchemaDialect::kDraft202012);
  EXPECT_FALSE(d2020->accepts(j("[1, 2]")));
  // A draft-07 tuple `items` is not a 2020-12 schema: the metaschema check names it.
  expectRefused(j(R"J({"items": [{"type": "integer"}]})J"), "/items");
  expectRefused(j(R"J({"$schema": "https://example.com/my-dialect"})J"), "my-dialect");
}

TEST(JsonSchema, RegistrationChecksTheMetaschema) {
  expectRefused(j(R"J({"type": "object", "properties": {"a": {"type": "strin"}}})J"),
                "input_schema /properties/a/type:");
  expectRefused(j(R"J({"properties": {"a": {"minLength": -1}}})J"), "/properties/a/minLength");
  expectRefused(j(R"J({"$schema": "http://json-schema.org/draft-07/schema#",
                      "required": "a"})J"),
                "draft-07");
}

TEST(JsonSchema, ReferencesResolveInsideTheDocumentOnly) {
  expectRefused(j(R"J({"properties": {"a": {"$ref": "#/$defs/missing"}}})J"), "#/$defs/missing");
  expectRefused(j(R"J({"$ref": "https://example.com/s.json"})J"),
                "$ref 'https://example.com/s.json' points outside the schema");
  expectRefused(j(R"J({"$ref": "other.json#/x"})J"), "other.json");
  // The shipped metaschemas resolve without fetching anything.
  auto meta = compiled(j(R"J({"$ref": "https://json-schema.org/draft/2020-12/schema"})J"));
  EXPECT_TRUE(meta->accepts(j(R"J({"type": "string"})J")));
  EXPECT_FALSE(meta->accepts(j(R"J({"type": 5})J")));
  auto meta7 = compiled(j(R"J({"$ref": "http://json-schema.org/draft-07/schema#"})J"));
  EXPECT_FALSE(meta7->accepts(j(R"J({"minimum": "5"})J")));
}

TEST(JsonSchema, AnchorsIdsAndRecursionWork) {
  auto s = compiled(j(R"J({"$id": "https://ward.example/tool.json",
      "$defs": {"name": {"$anchor": "name", "type": "string", "minLength": 1},
                "inner": {"$id": "inner.json", "$defs": {"n": {"type": "number"}},
                          "properties": {"x": {"$ref": "#/$defs/n"}}},
                "node": {"type": "object", "properties": {"next": {"$ref": "#/$defs/node"},
                                                          "v": {"type": "integer"}}}},
      "properties": {"a": {"$ref": "#name"}, "b": {"$ref": "inner.json"},
                     "c": {"$ref": "https://ward.example/inner.json#/$defs/n"},
                     "tree": {"$ref": "#/$defs/node"}}})J"));
  EXPECT_TRUE(s->accepts(j(R"J({"a": "x", "b": {"x": 1}, "c": 2,
                               "tree": {"next": {"next": {"v": 3}}}})J")));
  EXPECT_FALSE(s->accepts(j(R"J({"a": ""})J")));
  EXPECT_FALSE(s->accepts(j(R"J({"b": {"x": "1"}})J")));
  EXPECT_FALSE(s->accepts(j(R"J({"c": "2"})J")));
  EXPECT_FALSE(s->accepts(j(R"J({"tree": {"next": {"next": {"v": "3"}}}})J")));
}

TEST(JsonSchema, RefCyclesThatConsumeNothingAreRefused) {
  expectRefused(j(R"J({"$ref": "#"})J"), "cycle");
  expectRefused(
      j(R"J({"$defs": {"a": {"$ref": "#/$defs/b"}, "b": {"allOf": [{"$ref": "#/$defs/a"}]}},
                      "properties": {"x": {"$ref": "#/$defs/a"}}})J"),
      "cycle");
  expectRefused(j(R"J({"anyOf": [{"type": "string"}, {"not": {"$ref": "#"}}]})J"), "cycle");
  // Through a property it ends with the value: accepted.
  compiled(j(R"J({"properties": {"child": {"$ref": "#"}}})J"));
}

TEST(JsonSchema, DepthLimitAndWorkBudgetBoundValidation) {
  auto recursive = compiled(j(R"J({"properties": {"c": {"$ref": "#"}}})J"));
  Json deep = Json::object();
  for (int i = 0; i < gateway::kMaxValidationDepth + 50; ++i) deep = Json{{"c", deep}};
  Status st = recursive->validate(deep, "args");
  ASSERT_FALSE(st.ok());
  EXPECT_NE(st.message().find("kMaxValidationDepth"), std::string::npos) << st.message();
  Json shallow = Json::object();
  for (int i = 0; i < 100; ++i) shallow = Json{{"c", shallow}};
  EXPECT_TRUE(recursive->validate(shallow, "args").ok());

  // 2^40 paths through nested anyOf: refused once the budget is spent, not after hours.
  Json defs = Json::object();
  const int levels = 40;
  for (int i = 0; i < levels; ++i) {
    std::string next = "#/$defs/d" + std::to_string(i + 1);
    defs["d" + std::to_string(i)] = {{"anyOf", {{{"$ref", next}}, {{"$ref", next}}}}};
  }
  defs["d" + std::to_string(levels)] = {{"type", "string"}};
  auto hostile = compiled(Json{{"$defs", defs}, {"$ref", "#/$defs/d0"}});
  EXPECT_TRUE(hostile->accepts("text"));
  st = hostile->validate(5, "args");
  ASSERT_FALSE(st.ok());
  EXPECT_NE(st.message().find("kMaxValidationWork"), std::string::npos) << st.message();
}

TEST(JsonSchema, FormatIsAnAnnotationUnlessAsserted) {
  std::ifstream in(std::string(WARD_GATEWAY_CASES_DIR) + "/schema/formats.txt");
  ASSERT_TRUE(in.good());
  gateway::SchemaOptions asserting;
  asserting.format_assertion = true;
  std::string line;
  int cases = 0;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    std::vector<std::string> f;
    std::stringstream ss(line);
    for (std::string part; std::getline(ss, part, '\t');) f.push_back(part);
    ASSERT_EQ(f.size(), 3u) << line;
    Json schema = {{"type", "string"}, {"format", f[0]}};
    EXPECT_EQ(compiled(schema, asserting)->accepts(f[1]), f[2] == "valid") << line;
    EXPECT_TRUE(compiled(schema)->accepts(f[1])) << line;  // annotation only
    ++cases;
  }
  EXPECT_GE(cases, 50);
  Status st = compiled(j(R"J({"properties": {"when": {"format": "date-time"}}})J"), asserting)
                  ->validate(j(R"J({"when": "yesterday"})J"), "args");
  EXPECT_EQ(st.message(), "args /when: must be a valid date-time (format)");
}

TEST(JsonSchema, ToolDefinitionOptsIntoFormatAssertion) {
  Json d = {{"name", "t"},
            {"version", "1.0.0"},
            {"description", "d"},
            {"risk", "read"},
            {"input_schema", {{"type", "object"}}},
            {"backend", {{"type", "builtin"}, {"name", "search"}}}};
  EXPECT_TRUE(gateway::parseToolDefinition(d).ok());
  d["format_assertion"] = "yes";
  auto bad = gateway::parseToolDefinition(d);
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("format_assertion"), std::string::npos);
  d["format_assertion"] = true;
  auto good = gateway::parseToolDefinition(d);
  ASSERT_TRUE(good.ok()) << good.status().toString();
  EXPECT_TRUE(gateway::schemaOptionsOf(*good).format_assertion);
}

}  // namespace
}  // namespace ward::testing
