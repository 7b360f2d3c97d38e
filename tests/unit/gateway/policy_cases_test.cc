// Data-driven policy decisions: every tests/cases/gateway/*.txt file is one test.
//
// Format, one statement per line ('#' comments):
//   user NAME [group,...]        | group NAME | agent NAME | approver NAME
//   tool NAME RISK [JSON-extra]  (merged into a test tool definition; backend is an MCP upstream)
//   grant principal|group|agent SUBJECT TOOL [CONSTRAINTS-JSON]
//   delegate USER AGENT          (USER lets AGENT act for them)
//   call PRINCIPAL AGENT|- TOOL ARGS-JSON MODE => DECISION
// MODE: rw | server-ro | tenant-ro | agent-rw (the agent's read-only switched off).
// DECISION: allowed (passed every policy stage and reached dispatch), denied, invalid, pending,
// rate_limited, conflict. A call with key=K after the args uses idempotency key K.
#include <filesystem>
#include <fstream>
#include <sstream>

#include "gateway_env.h"

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

std::string outcome(GatewayEnv& env, const Result<Json>& r) {
  Json last = env.lastCall();
  if (last.value("stage", "") == "dispatch") return "allowed";
  if (r.ok()) return r->value("status", "") == "pending" ? "pending" : "allowed";
  return last.value("decision", "error:" + r.status().toString());
}

void setMode(GatewayEnv& env, const std::string& mode, const std::string& agent) {
  auto& g = *env.gateway;
  ASSERT_TRUE(g.setReadOnly("server", "", "", mode == "server-ro", env.serverAdmin()).ok());
  ASSERT_TRUE(g.setReadOnly("tenant", env.tenant, "", mode == "tenant-ro", env.serverAdmin()).ok());
  if (agent != "-" && mode == "agent-rw") {
    ASSERT_TRUE(g.setReadOnly("agent", env.tenant, agent, false, env.serverAdmin()).ok());
  } else if (agent != "-") {
    ASSERT_TRUE(g.setReadOnly("agent", env.tenant, agent, true, env.serverAdmin()).ok());
  }
}

void runCaseFile(const fs::path& path) {
  GatewayEnv env;
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
      std::string mode, key;
      tail >> mode >> key;
      if (key.rfind("key=", 0) == 0) key = key.substr(4);
      setMode(env, mode, c[2]);
      auto r = env.call(c[1], c[3], args, c[2] == "-" ? "" : c[2], key);
      EXPECT_EQ(outcome(env, r), expected) << (r.ok() ? r->dump() : r.status().toString());
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

}  // namespace
}  // namespace ward::testing
