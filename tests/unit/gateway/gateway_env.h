// A real gateway over a temp data dir (SQLite store + tool store, JSONL trace sink) with a fake
// clock, for the gateway's unit and case tests.
#pragma once

#include <gtest/gtest.h>

#include <filesystem>
#include <memory>
#include <string>

#include "testutil/temp_dir.h"
#include "ward/audit/audit_trace_sink.h"
#include "ward/common/clock.h"
#include "ward/gateway/tool_gateway.h"
#include "ward/identity/directory.h"
#include "ward/store/store.h"
#include "ward/store/tool_store.h"
#include "ward/trace/trace.h"

namespace ward::testing {

struct GatewayEnv {
  TempDir dir;
  FakeClock clock;
  std::unique_ptr<store::Store> store;
  std::unique_ptr<store::ToolStore> tools;
  std::unique_ptr<trace::TraceSink> traces;
  std::unique_ptr<gateway::ToolGateway> gateway;
  gateway::GatewayOptions options;  // what the gateway was opened with
  std::string tenant = "default";

  explicit GatewayEnv(const trace::Redactor* redactor = nullptr, std::string approve_risk = "") {
    store = std::move(store::openSqliteStore(dir.file("ward.db")).value());
    EXPECT_TRUE(store->ensureTenant(tenant).ok());
    tools = std::move(store::openSqliteToolStore(dir.file("ward.db")).value());
    audit::AuditSinkOptions audit_options;
    audit_options.log.dir = dir.file("audit");
    traces = std::move(audit::openAuditLogSink(audit_options).value());
    gateway::GatewayOptions o;
    o.store = store.get();
    o.tools = tools.get();
    o.traces = traces.get();
    o.clock = &clock;
    o.redactor = redactor;
    o.secrets_key_path = dir.file("secrets.key");
    o.approve_risk = std::move(approve_risk);
    options = o;
    auto g = gateway::ToolGateway::create(o);
    EXPECT_TRUE(g.ok()) << g.status().toString();
    gateway = std::move(g).value();
  }

  // Opens the gateway again over the same data with other untrusted-content gate settings.
  Status reopen(const gateway::UntrustedGateConfig& config) {
    gateway.reset();
    options.untrusted = config;
    auto g = gateway::ToolGateway::create(options);
    if (!g.ok()) return g.status();
    gateway = std::move(g).value();
    return Status();
  }

  void user(const std::string& name, identity::PrincipalKind kind = identity::PrincipalKind::kUser,
            bool admin = false) {
    auto r = store->createPrincipal(tenant, name, kind, admin);
    ASSERT_TRUE(r.ok()) << r.status().toString();
  }
  void join(const std::string& member, const std::string& group) {
    ASSERT_TRUE(store->addMembership(tenant, member, group).ok());
  }
  identity::Principal principal(const std::string& name) {
    return identity::resolvePrincipal(*store, tenant, name).value();
  }
  // The operator, as the CLI acts: an admin of the server's tenant (a server admin).
  identity::Principal serverAdmin() const {
    identity::Principal p;
    p.tenant = tenant;
    p.name = "operator";
    p.admin = true;
    return p;
  }

  // A tool served by an MCP upstream: calls that pass every policy stage end at dispatch with
  // Unavailable, which is exactly "allowed" for policy tests, with no network involved.
  Json tool(const std::string& name, const std::string& risk, Json extra = Json::object()) {
    Json d = {
        {"name", name},
        {"version", "1.0.0"},
        {"description", "test tool " + name},
        {"risk", risk},
        {"input_schema",
         {{"type", "object"},
          {"properties", {{"amount", {{"type", "number"}}}, {"currency", {{"type", "string"}}}}}}},
        {"backend", {{"type", "mcp"}, {"server", "test"}, {"tool", name}}}};
    d.update(extra);
    auto r = gateway->addTool(tenant, d, false);
    EXPECT_TRUE(r.ok()) << r.status().toString();
    return d;
  }

  Result<Json> call(const std::string& who, const std::string& tool, const Json& args,
                    const std::string& agent = "", const std::string& key = "",
                    const gateway::TurnTaint& taint = {}) {
    gateway::CallRequest r;
    r.taint = taint;
    r.principal = principal(who);
    if (!agent.empty()) r.agent = principal(agent);
    r.tool = tool;
    r.args = args;
    r.idempotency_key = key;
    r.trace = trace::TraceContext::generate();
    return gateway->call(std::move(r));
  }

  // The last tool_call event's attributes.
  Json lastCall() {
    auto events = audit::readTraceEvents(dir.file("audit"));
    if (!events.ok()) return Json();
    for (auto it = events->rbegin(); it != events->rend(); ++it) {
      if (it->event.kind == "tool_call") return it->event.attributes;
    }
    return Json();
  }
};

}  // namespace ward::testing
