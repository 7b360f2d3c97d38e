// ward redact: tries the tenant's redaction rules on a file or stdin. Prints the redacted text on
// stdout and what was replaced, by type, on stderr. Creates the tenant's redaction key on first
// use (<data>/redaction/<tenant>.key); reads the tenant's rule file if there is one.
#include <filesystem>
#include <fstream>
#include <iostream>
#include <iterator>
#include <sstream>

#include "commands.h"
#include "ward/audit/redaction.h"

namespace ward::cli {

namespace {

struct RedactArgs {
  std::string tenant;
  std::string input = "-";
  bool json = false;
};

Result<std::string> readInput(const std::string& input) {
  if (input == "-") {
    return std::string(std::istreambuf_iterator<char>(std::cin), std::istreambuf_iterator<char>());
  }
  std::ifstream in(input, std::ios::binary);
  if (!in) return Status::notFound("cannot open " + input);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

int runRedact(CliContext& ctx, const RedactArgs& args) {
  if (!std::filesystem::exists(ctx.dbPath())) {
    return fail(Status::failedPrecondition("no Ward data in '" + ctx.data_dir +
                                           "': run `ward --data DIR init` first"));
  }
  std::string tenant = args.tenant;
  if (tenant.empty()) {
    auto config = WardConfig::load(ctx.configPath());
    if (!config.ok()) return fail(config.status());
    tenant = config->tenant;
  }
  auto redactor = audit::loadTenantRedactor(ctx.data_dir, tenant);
  if (!redactor.ok()) return fail(redactor.status());
  auto text = readInput(args.input);
  if (!text.ok()) return fail(text.status());

  trace::RedactionStats stats;
  if (args.json) {
    auto doc = parseJson(*text);
    if (!doc.ok()) return fail(doc.status());
    (*redactor)->redactJson(*doc, &stats);
    std::cout << dumpJson(*doc, 2) << "\n";
  } else {
    std::cout << (*redactor)->redactText(*text, &stats);
  }
  std::cerr << "redacted " << stats.values_redacted << " value(s) for tenant " << tenant << "\n";
  for (const auto& [type, n] : stats.by_type) std::cerr << "  " << type << ": " << n << "\n";
  return 0;
}

}  // namespace

void registerRedactCommand(CLI::App& app, CliContext& ctx, CommandSlot& slot) {
  auto* cmd = app.add_subcommand("redact", "Redact secrets and personal data from a file or stdin");
  static RedactArgs args;
  cmd->add_option("--tenant", args.tenant,
                  "Tenant whose rules and key to use (default: ward.toml)");
  cmd->add_flag("--json", args.json, "Input is one JSON document: redact every string in it");
  cmd->add_option("input", args.input, "File to redact, or - for stdin (default)");
  cmd->callback([&ctx, &slot] { slot.run = [&ctx] { return runRedact(ctx, args); }; });
}

}  // namespace ward::cli
