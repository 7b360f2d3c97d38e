// ward audit erase --subject S | retention: crypto-shredding of sealed audit content
// (docs/formats/audit-keys.md). Both open the data dir as a writer: they destroy keys and
// append an `erasure` tombstone to the audit log.
#include <iostream>

#include "commands.h"

namespace ward::cli {

namespace {

Result<audit::SubjectKeyStore*> openKeys(CliContext& ctx) {
  WARD_RETURN_IF_ERROR(ctx.open());
  if (ctx.auditKeys() == nullptr) {
    return Status::failedPrecondition(
        "audit content is not encrypted (audit.encrypt_subjects = false): nothing to erase");
  }
  return ctx.auditKeys();
}

int runErase(CliContext& ctx, const std::string& subject, const std::string& tenant) {
  auto keys = openKeys(ctx);
  if (!keys.ok()) return fail(keys.status());
  const std::string t = tenant.empty() ? ctx.tenant() : tenant;
  auto d = audit::eraseSubject(**keys, ctx.traces(), t, subject, "cli");
  if (!d.ok()) return fail(d.status());
  std::cout << "erased subject '" << subject << "' in tenant '" << t << "': " << d->key_ids.size()
            << " key(s) destroyed, tombstone recorded\n";
  return 0;
}

int runRetention(CliContext& ctx) {
  auto keys = openKeys(ctx);
  if (!keys.ok()) return fail(keys.status());
  auto n = applyAuditRetention(ctx);
  if (!n.ok()) return fail(n.status());
  std::cout << "retention: " << *n << " day key(s) destroyed\n";
  return 0;
}

}  // namespace

void registerAuditEraseCommands(CLI::App& app, CliContext& ctx, CommandSlot& slot) {
  CLI::App* audit = app.get_subcommand("audit");
  auto* erase = audit->add_subcommand(
      "erase", "Erase a data subject: destroy its audit content keys, record a tombstone");
  static std::string subject, tenant;
  erase->add_option("--subject", subject, "Principal name whose recorded content is erased")
      ->required();
  erase->add_option("--tenant", tenant, "Tenant (default: the configured tenant)");
  erase->callback([&ctx, &slot] { slot.run = [&ctx] { return runErase(ctx, subject, tenant); }; });

  auto* retention = audit->add_subcommand(
      "retention", "Destroy day keys older than each tenant's audit retention_days");
  retention->callback([&ctx, &slot] { slot.run = [&ctx] { return runRetention(ctx); }; });
}

}  // namespace ward::cli
