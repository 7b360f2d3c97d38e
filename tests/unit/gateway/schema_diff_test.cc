// Schema evolution (gateway/schema_diff.h) over tests/cases/gateway/schema_diff.case, the
// semver rule for breaking changes, and a tool definition's examples (gateway/tool_examples.h).
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "ward/gateway/schema_diff.h"
#include "ward/gateway/tool_examples.h"

namespace ward::gateway {
namespace {

struct DiffCase {
  std::string name;
  std::vector<std::pair<std::string, std::string>> fields;
};

std::vector<DiffCase> readCases(const std::string& path) {
  std::ifstream in(path);
  std::vector<DiffCase> out;
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    if (line.rfind("=== ", 0) == 0) {
      out.push_back({line.substr(4), {}});
      continue;
    }
    const size_t colon = line.find(": ");
    if (out.empty() || colon == std::string::npos) {
      ADD_FAILURE() << "bad line: " << line;
      continue;
    }
    out.back().fields.emplace_back(line.substr(0, colon), line.substr(colon + 2));
  }
  return out;
}

TEST(SchemaDiffCases, AllCasesHold) {
  auto cases = readCases(std::string(WARD_GATEWAY_CASES_DIR) + "/schema_diff.case");
  ASSERT_GE(cases.size(), 25u);
  for (const DiffCase& c : cases) {
    SCOPED_TRACE(c.name);
    SchemaSide side = SchemaSide::kInput;
    Json before, after;
    std::string expect;
    std::vector<std::string> want;
    for (const auto& [k, v] : c.fields) {
      if (k == "side") side = v == "output" ? SchemaSide::kOutput : SchemaSide::kInput;
      if (k == "before") before = Json::parse(v);
      if (k == "after") after = Json::parse(v);
      if (k == "expect") expect = v;
      if (k == "change") want.push_back(v);
    }
    ToolDefinition a, b;
    a.risk = b.risk = Risk::kRead;
    (side == SchemaSide::kInput ? a.input_schema : a.output_schema) = before;
    (side == SchemaSide::kInput ? b.input_schema : b.output_schema) = after;
    ToolDiff d = diffToolDefinitions(a, b);
    EXPECT_EQ(d.classification(), expect);
    std::vector<std::string> got;
    for (const SchemaChange& ch : d.changes) {
      got.push_back(ch.pointer + " " + ch.rule + " " + (ch.breaking ? "breaking" : "compatible"));
    }
    EXPECT_EQ(got, want);
  }
}

TEST(SchemaDiff, RaisingTheRiskIsBreaking) {
  ToolDefinition a, b;
  a.input_schema = b.input_schema = Json{{"type", "object"}};
  a.risk = Risk::kRead;
  b.risk = Risk::kWrite;
  ToolDiff up = diffToolDefinitions(a, b);
  EXPECT_EQ(up.classification(), "breaking");
  ASSERT_EQ(up.changes.size(), 1u);
  EXPECT_EQ(up.changes[0].rule, "risk_raised");
  EXPECT_EQ(diffToolDefinitions(b, a).classification(), "compatible");
}

TEST(SchemaDiff, BreakingChangesNeedANewMajorOrUnderOneANewMinor) {
  auto v = [](const char* s) { return *SemVer::parse(s); };
  EXPECT_FALSE(allowsBreakingChange(v("1.0.0"), v("1.1.0")));
  EXPECT_FALSE(allowsBreakingChange(v("1.2.0"), v("1.2.1")));
  EXPECT_TRUE(allowsBreakingChange(v("1.4.0"), v("2.0.0")));
  EXPECT_TRUE(allowsBreakingChange(v("0.1.0"), v("0.2.0")));
  EXPECT_FALSE(allowsBreakingChange(v("0.1.0"), v("0.1.5")));
}

Json refundDefinition(Json examples) {
  return Json{
      {"name", "refund"},
      {"version", "1.0.0"},
      {"description", "Refund an invoice."},
      {"risk", "write"},
      {"input_schema",
       {{"type", "object"},
        {"properties", {{"invoice", {{"type", "string"}}}, {"amount", {{"type", "number"}}}}},
        {"required", {"invoice", "amount"}}}},
      {"output_schema",
       {{"type", "object"},
        {"properties", {{"refund_id", {{"type", "string"}}}}},
        {"required", {"refund_id"}}}},
      {"backend", {{"type", "http"}, {"method", "POST"}, {"url", "https://billing.example/r"}}},
      {"examples", std::move(examples)}};
}

TEST(ToolExamples, RegistrationChecksExamplesAgainstTheSchemas) {
  Json good = Json::array({{{"name", "small"},
                            {"arguments", {{"invoice", "inv_1"}, {"amount", 5}}},
                            {"expect", {{"subset", {{"refund_id", "r_1"}}}}},
                            {"recorded", {{"refund_id", "r_1"}}}},
                           {{"name", "missing amount"},
                            {"arguments", {{"invoice", "inv_1"}}},
                            {"expect", {{"decision", "invalid"}}}}});
  EXPECT_TRUE(parseToolDefinition(refundDefinition(good)).ok());

  auto bad_args = parseToolDefinition(refundDefinition(
      Json::array({{{"name", "x"}, {"arguments", {{"invoice", "inv_1"}, {"amount", "5"}}}}})));
  ASSERT_FALSE(bad_args.ok());
  EXPECT_NE(bad_args.status().message().find("examples[0].arguments"), std::string::npos)
      << bad_args.status().message();

  auto not_invalid = parseToolDefinition(
      refundDefinition(Json::array({{{"name", "x"},
                                     {"arguments", {{"invoice", "inv_1"}, {"amount", 5}}},
                                     {"expect", {{"decision", "invalid"}}}}})));
  ASSERT_FALSE(not_invalid.ok());
  EXPECT_NE(not_invalid.status().message().find("expected to be invalid"), std::string::npos);

  auto bad_recorded = parseToolDefinition(
      refundDefinition(Json::array({{{"name", "x"},
                                     {"arguments", {{"invoice", "i"}, {"amount", 1}}},
                                     {"recorded", {{"id", 1}}}}})));
  ASSERT_FALSE(bad_recorded.ok());
  EXPECT_NE(bad_recorded.status().message().find("examples[0].recorded"), std::string::npos);

  auto twice = parseToolDefinition(refundDefinition(
      Json::array({{{"name", "x"}, {"arguments", {{"invoice", "i"}, {"amount", 1}}}},
                   {{"name", "x"}, {"arguments", {{"invoice", "j"}, {"amount", 1}}}}})));
  ASSERT_FALSE(twice.ok());
  EXPECT_NE(twice.status().message().find("used twice"), std::string::npos);

  auto unknown = parseToolDefinition(refundDefinition(Json::array(
      {{{"name", "x"}, {"arguments", Json::object()}, {"expect", {{"outcome", "ok"}}}}})));
  ASSERT_FALSE(unknown.ok());
  EXPECT_NE(unknown.status().message().find("examples[0].expect.outcome"), std::string::npos);

  Json many = Json::array();
  for (size_t i = 0; i <= kMaxToolExamples; ++i) {
    many.push_back(
        {{"name", "e" + std::to_string(i)}, {"arguments", {{"invoice", "i"}, {"amount", 1}}}});
  }
  EXPECT_FALSE(parseToolDefinition(refundDefinition(many)).ok());
}

TEST(ToolExamples, JudgingComparesDecisionAndResult) {
  auto examples = parseToolExamples(
      Json{{"examples",
            {{{"name", "a"},
              {"arguments", Json::object()},
              {"expect",
               {{"subset", {{"refund", {{"state", "done"}}}, {"lines", {{{"n", 1}}}}}},
                {"schema", {{"type", "object"}, {"required", {"refund"}}}}}}}}}});
  ASSERT_TRUE(examples.ok());
  const ToolExample& ex = (*examples)[0];
  Json ok = {{"refund", {{"state", "done"}, {"id", "r1"}}}, {"lines", {{{"n", 1}, {"x", 2}}, 3}}};
  EXPECT_EQ(judgeToolExample(ex, CallDecision::kExecuted, ok), "");
  Json wrong = {{"refund", {{"state", "held"}}}, {"lines", {{{"n", 1}}}}};
  EXPECT_NE(judgeToolExample(ex, CallDecision::kExecuted, wrong).find("does not contain"),
            std::string::npos);
  EXPECT_NE(judgeToolExample(ex, CallDecision::kDenied, Json()).find("decision 'denied'"),
            std::string::npos);
  EXPECT_FALSE(jsonContainsSubset(Json::array({1}), Json::array({1, 2})));
  EXPECT_TRUE(jsonContainsSubset(Json{{"a", 1}, {"b", 2}}, Json{{"b", 2}}));
}

TEST(ToolDefinitionHeaders, HeaderParametersFollowSep2243) {
  auto with = [](Json prop) {
    Json d = refundDefinition(Json::array());
    d.erase("examples");
    d["input_schema"]["properties"]["region"] = std::move(prop);
    return parseToolDefinition(d);
  };
  EXPECT_TRUE(with({{"type", "string"}, {"x-mcp-header", "Region"}}).ok());
  EXPECT_TRUE(with({{"type", "integer"}, {"x-mcp-header", "Region"}}).ok());
  for (const Json& bad : {Json{{"type", "string"}, {"x-mcp-header", ""}},
                          Json{{"type", "string"}, {"x-mcp-header", "My Region"}},
                          Json{{"type", "string"}, {"x-mcp-header", "Region:Primary"}},
                          Json{{"type", "string"}, {"x-mcp-header", "Région"}},
                          Json{{"type", "number"}, {"x-mcp-header", "Score"}},
                          Json{{"type", "object"}, {"x-mcp-header", "Data"}}}) {
    auto r = with(bad);
    ASSERT_FALSE(r.ok()) << bad.dump();
    EXPECT_NE(r.status().message().find("properties.region.x-mcp-header"), std::string::npos)
        << r.status().message();
  }
  Json d = refundDefinition(Json::array());
  d.erase("examples");
  d["input_schema"]["properties"]["invoice"]["x-mcp-header"] = "MyField";
  d["input_schema"]["properties"]["region"] = {{"type", "string"}, {"x-mcp-header", "myfield"}};
  auto twice = parseToolDefinition(d);
  ASSERT_FALSE(twice.ok());
  EXPECT_NE(twice.status().message().find("used twice"), std::string::npos);
}

}  // namespace
}  // namespace ward::gateway
