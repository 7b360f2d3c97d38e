// The SCIM filter and PATCH path parsers against the case files in tests/cases/scim (one case a
// line: INPUT => CANONICAL, or INPUT => error: TEXT), and the SCIM limits against the page that
// documents them (docs/design/identity.md, "SCIM").
#include <gtest/gtest.h>

#include <fstream>
#include <functional>
#include <sstream>
#include <string>

#include "ward/identity/scim_filter.h"
#include "ward/identity/scim_service.h"

namespace ward::identity {
namespace {

std::string readFile(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// Runs every case of `file` through `parse`, which returns the canonical text or a Status.
int runCases(const std::string& file,
             const std::function<Result<std::string>(std::string_view)>& parse) {
  std::ifstream in(std::string(WARD_SCIM_CASES_DIR) + "/" + file);
  EXPECT_TRUE(in.good()) << file;
  std::string line;
  int n = 0, line_no = 0;
  while (std::getline(in, line)) {
    ++line_no;
    if (line.empty() || line[0] == '#') continue;
    size_t sep = line.find(" => ");
    if (sep == std::string::npos) {
      ADD_FAILURE() << file << ":" << line_no << ": no ' => ' in the case";
      continue;
    }
    const std::string input = line.substr(0, sep);
    const std::string expected = line.substr(sep + 4);
    Result<std::string> got = parse(input);
    if (expected.rfind("error: ", 0) == 0) {
      const std::string text = expected.substr(7);
      EXPECT_FALSE(got.ok()) << file << ":" << line_no << ": '" << input << "' parsed as '"
                             << (got.ok() ? *got : "") << "'";
      if (!got.ok()) {
        EXPECT_EQ(got.status().code(), StatusCode::kInvalidArgument);
        EXPECT_NE(got.status().message().find(text), std::string::npos)
            << file << ":" << line_no << ": '" << input << "' failed with '"
            << got.status().message() << "', expected it to contain '" << text << "'";
      }
    } else {
      EXPECT_TRUE(got.ok()) << file << ":" << line_no << ": '" << input
                            << "': " << got.status().message();
      if (got.ok()) {
        EXPECT_EQ(*got, expected) << file << ":" << line_no;
      }
    }
    ++n;
  }
  return n;
}

TEST(ScimFilterTest, FilterCases) {
  int n = runCases("filters.txt", [](std::string_view text) -> Result<std::string> {
    WARD_ASSIGN_OR_RETURN(ScimFilter f, parseScimFilter(text));
    // The canonical form parses back to itself.
    WARD_ASSIGN_OR_RETURN(ScimFilter again, parseScimFilter(f.toString()));
    EXPECT_EQ(again.toString(), f.toString());
    return f.toString();
  });
  EXPECT_GE(n, 50);
}

TEST(ScimFilterTest, PatchPathCases) {
  int n = runCases("patch_paths.txt", [](std::string_view text) -> Result<std::string> {
    WARD_ASSIGN_OR_RETURN(ScimPatchPath p, parseScimPatchPath(text));
    return p.toString();
  });
  EXPECT_GE(n, 20);
}

TEST(ScimFilterTest, ParsedParts) {
  auto f =
      parseScimFilter("urn:ietf:params:scim:schemas:core:2.0:User:name.familyName eq \"O'Malley\"");
  ASSERT_TRUE(f.ok()) << f.status().message();
  EXPECT_EQ(f->path.urn, "urn:ietf:params:scim:schemas:core:2.0:User");
  EXPECT_EQ(f->path.attribute, "name");
  EXPECT_EQ(f->path.sub_attribute, "familyName");
  EXPECT_EQ(f->op, ScimCompareOp::kEq);
  EXPECT_EQ(f->value, "O'Malley");

  auto p = parseScimPatchPath("members[value eq \"2819c223\"]");
  ASSERT_TRUE(p.ok()) << p.status().message();
  EXPECT_EQ(p->path.attribute, "members");
  ASSERT_TRUE(p->filter.has_value());
  EXPECT_EQ(p->filter->path.attribute, "value");
  EXPECT_EQ(p->filter->value, "2819c223");
  EXPECT_EQ(p->filtered_sub_attribute, "");
}

TEST(ScimFilterTest, LengthLimit) {
  std::string value(kMaxScimFilterBytes - std::string("userName eq \"\"").size(), 'a');
  EXPECT_TRUE(parseScimFilter("userName eq \"" + value + "\"").ok());
  auto longer = parseScimFilter("userName eq \"" + value + "a\"");
  ASSERT_FALSE(longer.ok());
  EXPECT_NE(longer.status().message().find("longer than 1024 bytes"), std::string::npos);
  EXPECT_FALSE(parseScimPatchPath(std::string(kMaxScimFilterBytes + 1, 'a')).ok());
}

// The limits named in docs/design/identity.md are the constants the code enforces.
TEST(ScimFilterTest, DocumentedLimits) {
  const std::string doc = readFile(WARD_IDENTITY_DOC_PATH);
  ASSERT_FALSE(doc.empty());
  auto documents = [&](const std::string& name, long long value) {
    const std::string row = "`" + name + "` | " + std::to_string(value);
    EXPECT_NE(doc.find(row), std::string::npos) << "identity.md should have a row '" << row << "'";
  };
  documents("kMaxScimFilterBytes", static_cast<long long>(kMaxScimFilterBytes));
  documents("kMaxScimBodyBytes", static_cast<long long>(kMaxScimBodyBytes));
  documents("kMaxScimMembersPerRequest", static_cast<long long>(kMaxScimMembersPerRequest));
  documents("kMaxScimPatchOperations", static_cast<long long>(kMaxScimPatchOperations));
  documents("kMaxScimPageSize", kMaxScimPageSize);
  documents("kDefaultScimPageSize", kDefaultScimPageSize);
}

TEST(ScimFilterTest, PrincipalNames) {
  EXPECT_EQ(*scimPrincipalName("alice@example.com"), "alice@example.com");
  EXPECT_EQ(*scimPrincipalName("Engineering Team"), "Engineering_Team");
  EXPECT_EQ(*scimPrincipalName("-ops/core"), "_ops_core");
  EXPECT_EQ(scimPrincipalName(std::string(100, 'x'))->size(), 64u);
  EXPECT_FALSE(scimPrincipalName("").ok());
}

}  // namespace
}  // namespace ward::identity
