// Data-driven policy decisions: every tests/cases/gateway/*.txt file is one test.
//
// Format, one statement per line ('#' comments):
//   user NAME [group,...]        | group NAME | agent NAME | approver NAME
//   tool NAME RISK [JSON-extra]  (merged into a test tool definition; backend is an MCP upstream)
//   grant principal|group|agent SUBJECT TOOL [CONSTRAINTS-JSON]
//   delegate USER AGENT          (USER lets AGENT act for them)
//   call PRINCIPAL AGENT|- TOOL ARGS-JSON MODE => DECISION
// MODE: rw | server-ro | tenant-ro | agent-rw (the agent's read-only switched off).
//   gate approve|deny|off [TRUSTED,...]  (reopens the gateway with gateway.untrusted_writes /
//                                         untrusted_gate "off" and gateway.trusted_sources)
//   recorded POINTER JSON        (the last tool_call event's attributes at POINTER equal JSON)
//   absent POINTER               (the last tool_call event has nothing at POINTER)
//   retrieved SOURCE TEXT...     (later calls' turns retrieved TEXT from SOURCE: the
//                                 exfiltration check's input; "forget" clears them)
// DECISION: allowed (passed every policy stage and reached dispatch), denied, invalid, pending,
// rate_limited, conflict; DECISION@STAGE also names the stage that decided. A call with key=K
// after the args uses idempotency key K; taint=SRC,... marks its turn as having read those
// sources (taint=* : marked untrusted, no source named).
#include <filesystem>
#include <fstream>
#include <sstream>

#include "exfil_check.h"
#include "gateway_env.h"
#include "http_executor.h"

namespace ward::testing {
namespace {

namespace fs = std::filesystem;

std::vector<std::string> words(const std::string& line, size_t max) {
  std::vector<std::string> out;
  size_t i = 0;
  while (i < line.size() && out.size() + 1 < max) {
    while (i < line.size() && line[i] == ' ') ++i;
    if (i >= line.size()) break;
    if (line[i] == '{' || line[i] == '[') break;
    size_t j = line.find(' ', i);
    if (j == std::string::npos) j = line.size();
    out.push_back(line.substr(i, j - i));
    i = j;
  }
  while (i < line.size() && line[i] == ' ') ++i;
  if (i < line.size()) out.push_back(line.substr(i));
  return out;
}

std::string outcome(GatewayEnv& env, const Result<Json>& r, bool with_stage) {
  Json last = env.lastCall();
  std::string out;
  if (last.value("stage", "") == "dispatch") {
    out = "allowed";
  } else if (r.ok()) {
    out = r->value("status", "") == "pending" ? "pending" : "allowed";
  } else {
    out = last.value("decision", "error:" + r.status().toString());
  }
  return with_stage ? out + "@" + last.value("stage", "") : out;
}

std::vector<std::string> commaList(const std::string& s) {
  std::vector<std::string> out;
  std::stringstream in(s);
  std::string item;
  while (std::getline(in, item, ',')) {
    if (!item.empty()) out.push_back(item);
  }
  return out;
}

void setMode(GatewayEnv& env, const std::string& mode, const std::string& agent) {
  auto& g = *env.gateway;
  ASSERT_TRUE(
      g.setReadOnly(store::ModeScope::kServer, "", "", mode == "server-ro", env.serverAdmin())
          .ok());
  ASSERT_TRUE(g.setReadOnly(store::ModeScope::kTenant, env.tenant, "", mode == "tenant-ro",
                            env.serverAdmin())
                  .ok());
  if (agent != "-" && mode == "agent-rw") {
    ASSERT_TRUE(
        g.setReadOnly(store::ModeScope::kAgent, env.tenant, agent, false, env.serverAdmin()).ok());
  } else if (agent != "-") {
    ASSERT_TRUE(
        g.setReadOnly(store::ModeScope::kAgent, env.tenant, agent, true, env.serverAdmin()).ok());
  }
}

void runCaseFile(const fs::path& path) {
  GatewayEnv env;
  std::vector<gateway::TurnText> retrieved;
  std::ifstream in(path);
  std::string line;
  int n = 0;
  while (std::getline(in, line)) {
    ++n;
    if (line.empty() || line[0] == '#') continue;
    SCOPED_TRACE(path.filename().string() + ":" + std::to_string(n) + ": " + line);
    auto w = words(line, 3);
    const std::string& verb = w[0];
    if (verb == "group") {
      env.user(w[1], identity::PrincipalKind::kGroup);
    } else if (verb == "agent") {
      env.user(w[1], identity::PrincipalKind::kAgent);
    } else if (verb == "user" || verb == "approver") {
      env.user(w[1]);
      if (w.size() > 2) {
        std::stringstream groups(w[2]);
        std::string g;
        while (std::getline(groups, g, ',')) env.join(w[1], g);
      }
    } else if (verb == "tool") {
      auto t = words(line, 4);
      env.tool(t[1], t[2], t.size() > 3 ? Json::parse(t[3]) : Json::object());
    } else if (verb == "grant") {
      auto g = words(line, 5);
      Json grant = {{"subject_kind", g[1]}, {"subject", g[2]}, {"tool", g[3]}};
      if (g.size() > 4) grant["constraints"] = Json::parse(g[4]);
      auto r = env.gateway->addGrant(env.tenant, grant, "test");
      ASSERT_TRUE(r.ok()) << r.status().toString();
    } else if (verb == "delegate") {
      identity::Principal admin;
      admin.tenant = env.tenant;
      admin.name = "test";
      admin.admin = true;
      auto r = env.gateway->addDelegation(admin, Json{{"user", w[1]}, {"agent", w[2]}});
      ASSERT_TRUE(r.ok()) << r.status().toString();
    } else if (verb == "call") {
      size_t arrow = line.find("=>");
      ASSERT_NE(arrow, std::string::npos);
      std::string expected = line.substr(arrow + 2);
      expected.erase(0, expected.find_first_not_of(' '));
      std::string head = line.substr(0, arrow);
      auto c = words(head, 5);  // call P A TOOL {args...} MODE [key=K]
      ASSERT_EQ(c.size(), 5u);
      std::string rest = c[4];
      size_t end = rest.rfind('}');
      Json args = Json::parse(rest.substr(0, end + 1));
      std::istringstream tail(rest.substr(end + 1));
      std::string mode, key, option;
      gateway::TurnTaint taint;
      tail >> mode;
      while (tail >> option) {
        if (option.rfind("key=", 0) == 0) key = option.substr(4);
        if (option.rfind("taint=", 0) == 0) {
          taint.untrusted = true;
          if (option != "taint=*") taint.sources = commaList(option.substr(6));
        }
      }
      taint.texts = retrieved;
      setMode(env, mode, c[2]);
      auto r = env.call(c[1], c[3], args, c[2] == "-" ? "" : c[2], key, taint);
      EXPECT_EQ(outcome(env, r, expected.find('@') != std::string::npos), expected)
          << (r.ok() ? r->dump() : r.status().toString());
    } else if (verb == "gate") {
      gateway::UntrustedGateConfig config;
      if (w[1] == "off") {
        config.untrusted_gate = "off";
      } else {
        config.untrusted_writes = w[1];
      }
      if (w.size() > 2) config.trusted_sources = commaList(w[2]);
      Status st = env.reopen(config);
      ASSERT_TRUE(st.ok()) << st.toString();
    } else if (verb == "recorded") {
      auto rec = words(line, 3);
      ASSERT_EQ(rec.size(), 3u);
      Json last = env.lastCall();
      Json::json_pointer ptr(rec[1]);
      ASSERT_TRUE(last.contains(ptr)) << last.dump();
      EXPECT_EQ(last[ptr], Json::parse(rec[2])) << last.dump();
    } else if (verb == "absent") {
      Json last = env.lastCall();
      EXPECT_FALSE(last.contains(Json::json_pointer(w[1]))) << last.dump();
    } else if (verb == "retrieved") {
      ASSERT_EQ(w.size(), 3u);
      retrieved.push_back({w[1], w[2]});
    } else if (verb == "forget") {
      retrieved.clear();
    } else {
      FAIL() << "unknown statement '" << verb << "'";
    }
  }
}

TEST(GatewayPolicyCases, AllCaseFiles) {
  std::vector<fs::path> files;
  for (const auto& e : fs::directory_iterator(WARD_GATEWAY_CASES_DIR)) {
    if (e.path().extension() == ".txt") files.push_back(e.path());
  }
  std::sort(files.begin(), files.end());
  ASSERT_FALSE(files.empty());
  for (const auto& f : files) {
    SCOPED_TRACE(f.string());
    runCaseFile(f);
  }
}

TEST(GatewayDocs, TheExfiltrationThresholdIsTheCodes) {
  std::ifstream in(std::string(WARD_GATEWAY_CASES_DIR) + "/../../../docs/design/gateway.md");
  std::stringstream doc;
  doc << in.rdbuf();
  ASSERT_FALSE(doc.str().empty());
  EXPECT_NE(doc.str().find("`kExfilMinRunBytes` = " + std::to_string(gateway::kExfilMinRunBytes)),
            std::string::npos);
}

TEST(GatewayDocs, TheRetryBackoffIsTheCodes) {
  std::ifstream in(std::string(WARD_GATEWAY_CASES_DIR) + "/../../../docs/design/gateway.md");
  std::stringstream doc;
  doc << in.rdbuf();
  ASSERT_FALSE(doc.str().empty());
  // gateway.retries defaults to 2: the doc names both waits.
  const std::string waits = "(" + std::to_string(gateway::retryBackoffMs(1)) + " ms, then " +
                            std::to_string(gateway::retryBackoffMs(2)) + " ms backoff";
  EXPECT_NE(doc.str().find(waits), std::string::npos) << "gateway.md should say " << waits;
}

}  // namespace
}  // namespace ward::testing
