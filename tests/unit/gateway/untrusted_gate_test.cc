// The untrusted-content gate's settings (untrusted_gate.h): ward.toml's [gateway] keys load and
// are checked, bad values are refused naming the key, and WardConfig leaves them to the gate.
// Its decisions are the case file tests/cases/gateway/untrusted_content.txt.
#include "ward/gateway/untrusted_gate.h"

#include <gtest/gtest.h>

#include <fstream>

#include "testutil/temp_dir.h"
#include "ward/common/config.h"

namespace ward::gateway {
namespace {

Result<UntrustedGate> gateFrom(const testing::TempDir& dir, const std::string& gateway_table) {
  const std::string path = dir.file("ward.toml");
  std::ofstream(path) << "[gateway]\nretries = 1\n" << gateway_table;
  EXPECT_TRUE(WardConfig::load(path).ok()) << "WardConfig must leave the gate's keys alone";
  WARD_ASSIGN_OR_RETURN(UntrustedGateConfig c, loadUntrustedGateConfig(path));
  return UntrustedGate::create(c);
}

TEST(UntrustedGateConfig, DefaultsApproveAndOn) {
  testing::TempDir dir;
  auto c = loadUntrustedGateConfig(dir.file("missing.toml"));
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->untrusted_writes, "approve");
  auto g = UntrustedGate::create(*c);
  ASSERT_TRUE(g.ok());
  EXPECT_TRUE(g->enabled());
  TurnTaint t{true, {"doc:x"}, {}};
  EXPECT_EQ(g->decide(t, Risk::kWrite).action, GateAction::kApprove);
  EXPECT_EQ(g->decide(t, Risk::kRead).action, GateAction::kAllow);
  EXPECT_EQ(g->decide(TurnTaint{}, Risk::kDestructive).action, GateAction::kAllow);
}

TEST(UntrustedGateConfig, LoadsAndChecksTheKeys) {
  testing::TempDir dir;
  auto g = gateFrom(dir, "untrusted_writes = \"deny\"\ntrusted_sources = [\"doc:hb-*\"]\n");
  ASSERT_TRUE(g.ok()) << g.status().toString();
  EXPECT_EQ(g->decide(TurnTaint{true, {"doc:hb-1"}, {}}, Risk::kWrite).action, GateAction::kAllow);
  EXPECT_EQ(g->decide(TurnTaint{true, {"doc:x"}, {}}, Risk::kWrite).action, GateAction::kDeny);
  g = gateFrom(dir, "untrusted_gate = \"off\"\n");
  ASSERT_TRUE(g.ok());
  EXPECT_FALSE(g->enabled());
  EXPECT_EQ(g->decide(TurnTaint{true, {"doc:x"}, {}}, Risk::kWrite).action, GateAction::kAllow);

  for (const char* bad :
       {"untrusted_writes = \"maybe\"\n", "untrusted_gate = false\n", "untrusted_gate = \"of\"\n",
        "trusted_sources = \"doc:a\"\n", "trusted_sources = [1]\n",
        "trusted_sources = [\"handbook\"]\n", "trusted_sources = [\"doc:\"]\n"}) {
    auto r = gateFrom(dir, bad);
    EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument) << bad;
    EXPECT_NE(r.status().message().find("gateway."), std::string::npos) << r.status().message();
  }
}

TEST(UntrustedGate, OverflowMarkerAlwaysTaints) {
  auto g = UntrustedGate::create(UntrustedGateConfig{"approve", "on", {"more:*", "doc:*"}});
  // "more:*" is not a source form: refused.
  EXPECT_FALSE(g.ok());
  g = UntrustedGate::create(UntrustedGateConfig{"approve", "on", {"doc:*"}});
  ASSERT_TRUE(g.ok());
  auto d = g->decide(TurnTaint{true, {"doc:a", kTaintOverflowSource}, {}}, Risk::kWrite);
  EXPECT_EQ(d.action, GateAction::kApprove);
  EXPECT_EQ(d.tainting, std::vector<std::string>{kTaintOverflowSource});
}

}  // namespace
}  // namespace ward::gateway
