// `ward tools test` (a tool version's examples through the whole chain) and `ward tools diff`
// (the schema changes between two versions and whether they break callers).
#include <fstream>
#include <iostream>

#include "commands.h"

namespace ward::cli {

namespace {

std::string xmlEscape(const std::string& s) {
  std::string out;
  for (char c : s) {
    switch (c) {
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '&':
        out += "&amp;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&apos;";
        break;
      default:
        // XML 1.0 allows no C0 control characters but tab, newline and carriage return.
        if (static_cast<unsigned char>(c) < 0x20 && c != '\t' && c != '\n' && c != '\r') {
          out += ' ';
        } else {
          out += c;
        }
    }
  }
  return out;
}

// One <testsuite> with a <testcase> per example (JUnit XML as CI systems read it).
std::string junitXml(const gateway::ToolTestReport& run) {
  using Outcome = gateway::ToolExampleRun::Outcome;
  const std::string suite = run.tool + "@" + run.version;
  const int tests = run.passed + run.failed + run.skipped;
  std::string out = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites>\n";
  out += "  <testsuite name=\"" + xmlEscape(suite) + "\" tests=\"" + std::to_string(tests) +
         "\" failures=\"" + std::to_string(run.failed) + "\" skipped=\"" +
         std::to_string(run.skipped) + "\">\n";
  for (const gateway::ToolExampleRun& ex : run.examples) {
    out +=
        "    <testcase classname=\"" + xmlEscape(suite) + "\" name=\"" + xmlEscape(ex.name) + "\"";
    if (ex.outcome == Outcome::kPassed) {
      out += "/>\n";
      continue;
    }
    out += ">\n";
    const std::string reason = xmlEscape(ex.reason);
    if (ex.outcome == Outcome::kSkipped) {
      out += "      <skipped message=\"" + reason + "\"/>\n";
    } else {
      out += "      <failure message=\"" + reason + "\">trace " + xmlEscape(ex.trace_id) + ": " +
             reason + "</failure>\n";
    }
    out += "    </testcase>\n";
  }
  out += "  </testsuite>\n</testsuites>\n";
  return out;
}

}  // namespace

void registerToolContractCommands(CLI::App& app, CliContext& ctx, CommandSlot& slot) {
  CLI::App* tools = app.get_subcommand("tools");

  auto* test = tools->add_subcommand(
      "test", "Run a tool version's examples through the whole chain (exit 1 if one fails)");
  static std::string t_name, t_version, t_as, t_agent, t_junit;
  static bool t_recorded = false, t_json = false;
  test->add_option("NAME", t_name, "Tool name")->required();
  test->add_option("--version", t_version, "Tool version (default: newest not deprecated)");
  test->add_option("--as", t_as, "The principal whose calls they are")->required();
  test->add_option("--agent", t_agent, "The agent acting for it");
  test->add_flag("--recorded", t_recorded,
                 "Use each example's recorded backend response; never contact the backend");
  test->add_option("--junit", t_junit, "Also write a JUnit XML report to this file");
  test->add_flag("--json", t_json, "Print JSON");
  onGateway(test, ctx, slot, [&ctx](gateway::ToolGateway* gw) {
    gateway::ToolTestRequest req;
    auto who = ctx.principal(t_as);
    if (!who.ok()) return fail(who.status());
    req.principal = *who;
    if (!t_agent.empty()) {
      auto agent = ctx.principal(t_agent);
      if (!agent.ok()) return fail(agent.status());
      req.agent = *agent;
    }
    req.tool = t_name;
    req.version = t_version;
    req.recorded = t_recorded;
    auto run = gw->testTool(req);
    if (!run.ok()) return fail(run.status());
    if (!t_junit.empty()) {
      std::ofstream f(t_junit, std::ios::binary | std::ios::trunc);
      f << junitXml(*run);
      if (!f.good()) return fail(Status::internal("cannot write " + t_junit));
    }
    if (t_json) {
      std::cout << run->toJson().dump(2) << "\n";
    } else {
      for (const gateway::ToolExampleRun& ex : run->examples) {
        std::cout << gateway::ToolExampleRun::outcomeName(ex.outcome) << "\t" << ex.name;
        if (!ex.reason.empty()) std::cout << "\t" << ex.reason;
        std::cout << "\n";
      }
      std::cout << run->tool << "@" << run->version << ": " << run->passed << " passed, "
                << run->failed << " failed, " << run->skipped << " skipped\n";
    }
    return run->failed == 0 ? 0 : 1;
  });

  auto* diff = tools->add_subcommand(
      "diff", "Classify the schema changes between two versions (exit 1 when breaking)");
  static std::string d_name, d_from, d_to;
  static bool d_json = false;
  diff->add_option("NAME", d_name, "Tool name")->required();
  diff->add_option("FROM", d_from, "The earlier version")->required();
  diff->add_option("TO", d_to, "The later version")->required();
  diff->add_flag("--json", d_json, "Print JSON");
  onGateway(diff, ctx, slot, [&ctx](gateway::ToolGateway* gw) {
    auto out = gw->diffTools(ctx.tenant(), d_name, d_from, d_to);
    if (!out.ok()) return fail(out.status());
    const std::string cls = out->classification();
    if (d_json) {
      std::cout << out->toJson().dump(2) << "\n";
    } else {
      std::cout << d_name << " " << d_from << " -> " << d_to << ": " << cls << "\n";
      for (const Json& c : out->diff["changes"]) {
        std::cout << (c["breaking"].get<bool>() ? "  breaking    " : "  compatible  ")
                  << c["side"].get<std::string>() << " " << c["pointer"].get<std::string>() << " "
                  << c["rule"].get<std::string>() << ": " << c["detail"].get<std::string>() << "\n";
      }
    }
    return cls == "breaking" ? 1 : 0;
  });
}

}  // namespace ward::cli
