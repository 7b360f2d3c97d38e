// JSON Schema `pattern`, `patternProperties`, `propertyNames` and date formats on RE2: the
// ECMA-262 translation (tests/cases/gateway/patterns/ecma_patterns.txt), inputs that crashed
// std::regex (stack overflow on a ~26 KB string) or took exponential time, and patterns RE2
// cannot evaluate refused when a tool (or an upstream's tool) is registered.
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "ecma_regex.h"
#include "gateway_env.h"
#include "mcp_import.h"
#include "ward/gateway/json_schema.h"
#include "ward/gateway/tool_definition.h"
#include "ward/upstream/upstream_config.h"

namespace ward::testing {
namespace {

// "\xHH" in a case file's text column is that byte.
std::string decodeText(const std::string& s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s.compare(i, 2, "\\x") == 0 && i + 3 < s.size()) {
      out += static_cast<char>(std::stoi(s.substr(i + 2, 2), nullptr, 16));
      i += 3;
    } else {
      out += s[i];
    }
  }
  return out;
}

TEST(EcmaRegex, CaseFile) {
  std::ifstream in(std::string(WARD_GATEWAY_CASES_DIR) + "/patterns/ecma_patterns.txt");
  ASSERT_TRUE(in.good());
  std::string line;
  int cases = 0;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    std::vector<std::string> f;
    std::stringstream ss(line);
    for (std::string part; std::getline(ss, part, '\t');) f.push_back(part);
    ASSERT_GE(f.size(), 3u) << line;
    ++cases;
    auto re = gateway::EcmaRegex::compile(f[0]);
    if (f[2] == "refused") {
      ASSERT_FALSE(re.ok()) << f[0] << " translated to " << (*re)->translated();
      EXPECT_EQ(re.status().code(), StatusCode::kInvalidArgument);
      EXPECT_NE(re.status().message().find(f.size() > 3 ? f[3] : ""), std::string::npos)
          << f[0] << ": " << re.status().message();
      continue;
    }
    ASSERT_TRUE(re.ok()) << f[0] << ": " << re.status().message();
    EXPECT_EQ((*re)->search(decodeText(f[1])), f[2] == "match")
        << f[0] << " on '" << f[1] << "' (RE2: " << (*re)->translated() << ")";
  }
  EXPECT_GE(cases, 50);
}

Json schemaOf(const char* text) { return parseJson(text).value(); }

// The inputs of issue 19 item 1: std::regex overflowed the stack on the first and took
// exponential time on the second; both now fail validation quickly, without a crash.
TEST(SchemaPatterns, LongInputsNeitherCrashNorStall) {
  auto s = gateway::JsonSchema::compile(schemaOf(R"J({"type": "object", "properties": {
          "name": {"type": "string", "pattern": "^[a-zA-Z0-9 ]*$"},
          "evil": {"type": "string", "pattern": "^(a+)+$"},
          "day": {"type": "string", "format": "date"}},
        "patternProperties": {"^x-[a-z]*$": {"type": "integer"}},
        "propertyNames": {"pattern": "^[a-z0-9-]*$"}})J"),
                                        "input_schema");
  ASSERT_TRUE(s.ok()) << s.status().toString();
  const std::string long_ok(26 * 1024, 'a');
  EXPECT_TRUE((*s)->validate({{"name", long_ok}}, "args").ok());
  Status bad = (*s)->validate({{"name", long_ok + "!"}}, "args");
  EXPECT_FALSE(bad.ok());
  EXPECT_NE(bad.message().find("/name"), std::string::npos) << bad.message();
  EXPECT_NE(bad.message().find("pattern"), std::string::npos) << bad.message();
  EXPECT_FALSE((*s)->validate({{"name", std::string(1 << 20, 'b') + "!"}}, "args").ok());
  EXPECT_FALSE((*s)->validate({{"evil", std::string(30000, 'a') + "!"}}, "args").ok());
  EXPECT_TRUE((*s)->validate({{"evil", std::string(30000, 'a')}}, "args").ok());
  // Asserted formats read long values without recursion too; property names are on RE2.
  gateway::SchemaOptions asserting;
  asserting.format_assertion = true;
  auto f = gateway::JsonSchema::compile(
      schemaOf(R"J({"properties": {"day": {"type": "string", "format": "date"}}})J"), "s",
      asserting);
  ASSERT_TRUE(f.ok()) << f.status().toString();
  EXPECT_FALSE((*f)->validate({{"day", std::string(1 << 20, '1') + "-13-01"}}, "args").ok());
  EXPECT_TRUE((*f)->validate({{"day", "2024-02-29"}}, "args").ok());
  EXPECT_FALSE((*f)->validate({{"day", "2024-02-31"}}, "args").ok());
  EXPECT_TRUE((*s)->validate({{"day", "2024-02-31"}}, "args").ok());  // an annotation here
  EXPECT_TRUE((*s)->validate({{"x-" + std::string(100000, 'k'), 5}}, "args").ok());
  EXPECT_FALSE((*s)->validate({{"x-" + std::string(100000, 'k'), "five"}}, "args").ok());
  Status names = (*s)->validate({{std::string(100000, 'k') + "!", 1}}, "args");
  EXPECT_FALSE(names.ok());
  EXPECT_EQ((*s)->accepts({{"name", long_ok + "!"}}), false);
}

TEST(SchemaPatterns, UnsupportedPatternsAreRefusedWhenCompiled) {
  auto refused = [](const char* schema, const char* needle) {
    auto s = gateway::JsonSchema::compile(schemaOf(schema), "input_schema");
    ASSERT_FALSE(s.ok()) << schema;
    EXPECT_NE(s.status().message().find(needle), std::string::npos) << s.status().message();
  };
  refused(R"J({"properties": {"a": {"pattern": "(x)\\1"}}})J", "/properties/a/pattern");
  refused(R"J({"properties": {"a": {"pattern": "(x)\\1"}}})J", "backreferences");
  refused(R"J({"patternProperties": {"^(?=a)": {}}})J", "/patternProperties/^(?=a)");
  refused(R"J({"items": {"anyOf": [{"pattern": "a(?<=b)"}]}})J", "/items/anyOf/0/pattern");
  refused(R"J({"definitions": {"d": {"propertyNames": {"pattern": "\\k<x>"}}}})J",
          "/definitions/d/propertyNames/pattern");
  // Not schema positions: a property called "pattern", data under enum/const/default.
  EXPECT_TRUE(
      gateway::JsonSchema::compile(schemaOf(R"J({"properties": {"pattern": {"type": "string"}},
                                "default": {"pattern": "(x)\\1"},
                                "enum": [{"pattern": "(?=x)"}]})J"),
                                   "input_schema")
          .ok());
}

TEST(SchemaPatterns, ToolsAndUpstreamToolsWithUnsupportedPatternsAreNotRegistered) {
  Json d = {{"name", "t"},
            {"version", "1.0.0"},
            {"description", "d"},
            {"risk", "read"},
            {"input_schema",
             {{"type", "object"},
              {"properties", {{"code", {{"type", "string"}, {"pattern", "^(a)\\1$"}}}}}}},
            {"backend", {{"type", "builtin"}, {"name", "search"}}}};
  auto in = gateway::parseToolDefinition(d);
  ASSERT_FALSE(in.ok());
  EXPECT_NE(in.status().message().find("input_schema /properties/code/pattern"), std::string::npos)
      << in.status().message();
  d["input_schema"] = {{"type", "object"}};
  d["output_schema"] = {{"type", "object"},
                        {"patternProperties", {{"(?!x)", {{"type", "string"}}}}}};
  auto out = gateway::parseToolDefinition(d);
  ASSERT_FALSE(out.ok());
  EXPECT_NE(out.status().message().find("output_schema"), std::string::npos)
      << out.status().message();

  GatewayEnv env;
  d["output_schema"] = Json();
  d.erase("output_schema");
  d["input_schema"] = {{"type", "object"}, {"properties", {{"q", {{"pattern", "(?<=a)b"}}}}}};
  EXPECT_FALSE(env.gateway->addTool(env.tenant, d, false).ok());

  upstream::UpstreamConfig up;
  up.name = "up";
  Json tool = {
      {"name", "lookup"},
      {"inputSchema", {{"type", "object"}, {"properties", {{"id", {{"pattern", "^(\\w)\\1$"}}}}}}}};
  auto imported = gateway::definitionFromMcpTool(up, tool);
  ASSERT_FALSE(imported.ok());
  EXPECT_NE(imported.status().message().find("backreferences"), std::string::npos)
      << imported.status().message();
}

// A tool stored before such patterns were refused does not take the tenant's other tools down.
TEST(SchemaPatterns, AStoredToolThatNoLongerCompilesIsRefusedAlone) {
  GatewayEnv env;
  env.user("alice");
  env.tool("good", "read");
  env.tool("broken", "read");
  for (const char* t : {"good", "broken"}) {
    ASSERT_TRUE(env.gateway
                    ->addGrant(env.tenant,
                               {{"subject_kind", "principal"}, {"subject", "alice"}, {"tool", t}},
                               "t")
                    .ok());
  }
  // What an older Ward stored: written past today's checks, as the store itself allows.
  store::ToolRecord raw = env.tools->getTool(env.tenant, "broken", "1.0.0").value();
  raw.definition["input_schema"]["properties"]["currency"]["pattern"] = "^(?=[A-Z])";
  raw.canonical_hash = "older";
  ASSERT_TRUE(env.tools->putTool(raw, true).ok());
  auto good = env.call("alice", "good", {{"amount", 1}});
  EXPECT_EQ(env.lastCall()["stage"], "dispatch") << good.status().toString();
  auto bad = env.call("alice", "broken", {{"amount", 1}});
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(bad.status().message().find("lookahead"), std::string::npos) << bad.status().message();
}

}  // namespace
}  // namespace ward::testing
