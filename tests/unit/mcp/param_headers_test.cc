// Mcp-Param-* header checks (param_headers.h) over tests/cases/mcp/param_headers.tsv.
#include "param_headers.h"

#include <gtest/gtest.h>

#include <fstream>

namespace ward::mcp {
namespace {

const Json kSchema = Json::parse(R"({"type":"object","properties":{
  "region":{"type":"string","x-mcp-header":"Region"},
  "priority":{"type":"integer","x-mcp-header":"Priority"},
  "verbose":{"type":"boolean","x-mcp-header":"Verbose"},
  "query":{"type":"string"}}})");

std::map<std::string, std::string> parseHeaders(const std::string& text) {
  std::map<std::string, std::string> out;
  if (text == "-") return out;
  size_t pos = 0;
  while (pos <= text.size()) {
    size_t bar = text.find(" | ", pos);
    std::string part = text.substr(pos, bar == std::string::npos ? std::string::npos : bar - pos);
    size_t colon = part.find(':');
    std::string name = part.substr(0, colon);
    for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    std::string value = part.substr(colon + 1);
    if (!value.empty() && value[0] == ' ') value.erase(0, 1);  // "name: value"
    out[name] = value;
    if (bar == std::string::npos) break;
    pos = bar + 3;
  }
  return out;
}

TEST(ParamHeaderCases, AllCasesHold) {
  std::ifstream in(std::string(WARD_MCP_CASES_DIR) + "/param_headers.tsv");
  ASSERT_TRUE(in) << "case file missing";
  std::string line;
  int cases = 0;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    const size_t t1 = line.find('\t'), t2 = line.find('\t', t1 + 1);
    ASSERT_NE(t2, std::string::npos) << line;
    const Json args = Json::parse(line.substr(0, t1));
    const auto headers = parseHeaders(line.substr(t1 + 1, t2 - t1 - 1));
    const std::string expect = line.substr(t2 + 1);
    SCOPED_TRACE(line);
    auto err = checkParamHeaders(kSchema, args, headers);
    if (expect == "ok") {
      EXPECT_FALSE(err.has_value()) << *err;
    } else {
      ASSERT_TRUE(err.has_value());
      EXPECT_NE(err->find(expect.substr(5)), std::string::npos) << *err;
    }
    ++cases;
  }
  EXPECT_GE(cases, 15);
}

TEST(ParamHeaders, ASchemaWithoutHeaderParametersChecksNothing) {
  EXPECT_FALSE(checkParamHeaders(Json{{"type", "object"}}, Json{{"a", 1}}, {}));
  EXPECT_FALSE(checkParamHeaders(Json(), Json(), {{"mcp-param-x", "1"}}));
}

}  // namespace
}  // namespace ward::mcp
