// Runs tests/cases/text/link_filter.case through text::filterLinks.
#include <gtest/gtest.h>

#include "case_file.h"
#include "ward/text/link_filter.h"

namespace ward::text {
namespace {

std::vector<std::string> splitOn(const std::string& s, char sep) {
  std::vector<std::string> out;
  std::string cur;
  for (char c : s) {
    if (c == sep) {
      out.push_back(cur);
      cur.clear();
    } else {
      cur += c;
    }
  }
  if (!cur.empty()) out.push_back(cur);
  return out;
}

TEST(LinkFilterCases, AllCasesHold) {
  auto cases = answer::testing::readCases(WARD_LINK_CASES);
  ASSERT_GE(cases.size(), 20u);
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    std::vector<std::string> allow;
    for (const auto& h : splitOn(c.get("allow"), ' ')) {
      if (!h.empty()) allow.push_back(h);
    }
    FilteredText got = filterLinks(c.get("in"), allow);
    EXPECT_EQ(got.text, c.get("out"));
    std::vector<std::string> want_removed;
    for (auto item : splitOn(c.get("removed"), ',')) {
      while (!item.empty() && item.front() == ' ') item.erase(0, 1);
      if (!item.empty()) want_removed.push_back(item);
    }
    std::vector<std::string> got_removed;
    for (const auto& r : got.removed) {
      got_removed.push_back(r.kind + " " + (r.host.empty() ? "-" : r.host));
    }
    EXPECT_EQ(got_removed, want_removed);
  }
}

TEST(LinkAllowed, TabsInsideASchemeDoNotMakeItRelative) {
  EXPECT_FALSE(linkAllowed("java\tscript:alert(1)", {}));
  EXPECT_FALSE(linkAllowed(" JAVASCRIPT:alert(1)", {}));
  EXPECT_TRUE(linkAllowed("docs/page.md", {}));
  EXPECT_FALSE(linkAllowed("https://%65vil.example/", {"evil.example"}));
}

}  // namespace
}  // namespace ward::text
