// What taints an MCP session (session_taint.h): the sources a tool result names, distinct and
// bounded by gateway::kMaxTaintSources with an overflow marker that always taints.
#include "session_taint.h"

#include <gtest/gtest.h>

#include "ward/gateway/untrusted_gate.h"

namespace ward::mcp {
namespace {

TEST(SessionTaint, ToolResultsNameWhatWasRead) {
  Json hits = {{"hits", {{{"doc_id", "a.md"}}, {{"doc_id", "b.md"}}}}, {"total_matches", 2}};
  EXPECT_EQ(toolResultSources("search", "builtin", hits),
            (std::vector<std::string>{"doc:a.md", "doc:b.md"}));
  EXPECT_TRUE(toolResultSources("search", "builtin", Json{{"hits", Json::array()}}).empty());
  EXPECT_EQ(toolResultSources("fetch", "builtin", Json{{"id", "a.md"}, {"text", "x"}}),
            std::vector<std::string>{"doc:a.md"});
  EXPECT_EQ(toolResultSources("github.create_issue", "mcp", Json::object()),
            std::vector<std::string>{"upstream:github"});
  EXPECT_EQ(toolResultSources("crm_lookup", "http", Json{{"id", "x"}}),
            std::vector<std::string>{"tool:crm_lookup"});
}

TEST(SessionTaint, DistinctAndBounded) {
  gateway::TurnTaint t;
  addTaintSources(t, {"doc:a", "doc:a", "tool:x"});
  EXPECT_TRUE(t.untrusted);
  EXPECT_EQ(t.sources, (std::vector<std::string>{"doc:a", "tool:x"}));
  for (size_t i = 0; i < 2 * gateway::kMaxTaintSources; ++i) {
    addTaintSources(t, {"doc:" + std::to_string(i)});
  }
  EXPECT_EQ(t.sources.size(), gateway::kMaxTaintSources);
  EXPECT_EQ(t.sources.back(), gateway::kTaintOverflowSource);
}

}  // namespace
}  // namespace ward::mcp
