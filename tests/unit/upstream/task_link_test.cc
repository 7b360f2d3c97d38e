// UpstreamTaskLinks: the registry through which the `mcp` executor finds the Ward task its call
// runs in (task_link.h). A link is found only by its own tenant and principal.
#include "ward/upstream/task_link.h"

#include <gtest/gtest.h>

namespace ward::upstream {
namespace {

class NullLink final : public UpstreamTaskLink {
 public:
  bool waitCancelled(int64_t) override { return false; }
  void upstreamChanged(const UpstreamTaskChange&) override {}
  void upstreamFailed(const std::string&) override {}
};

TEST(UpstreamTaskLinksTest, AFoundLinkBelongsToItsTenantAndPrincipal) {
  UpstreamTaskLinks links;
  auto link = std::make_shared<NullLink>();
  links.add("task-1", "default", 7, link);
  EXPECT_EQ(links.find("task-1", "default", 7), link);
  EXPECT_EQ(links.find("task-1", "default", 8), nullptr);  // another principal
  EXPECT_EQ(links.find("task-1", "other", 7), nullptr);    // same id in another tenant
  EXPECT_EQ(links.find("task-2", "default", 7), nullptr);
  links.remove("task-1");
  EXPECT_EQ(links.find("task-1", "default", 7), nullptr);
}

}  // namespace
}  // namespace ward::upstream
