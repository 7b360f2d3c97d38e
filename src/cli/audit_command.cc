// ward audit verify | checkpoint | checkpoints | consistency | inclusion | pubkey: the audit log
// from the outside (docs/formats/audit-log.md). Only verify and pubkey are read-only; the others
// open the log as a writer (they may sign a checkpoint).
#include <fstream>
#include <iostream>
#include <sstream>

#include "commands.h"
#include "ward/audit/audit_log.h"
#include "ward/audit/log_verifier.h"

namespace ward::cli {

namespace {

Result<std::string> readLocalFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::notFound("cannot read " + path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

int runVerify(CliContext& ctx, const std::string& checkpoint_file, bool json) {
  Status s = ctx.loadConfig();
  if (!s.ok()) return fail(s);
  audit::VerifyOptions v;
  v.dir = ctx.auditDir();
  if (!checkpoint_file.empty()) {
    auto text = readLocalFile(checkpoint_file);
    if (!text.ok()) return fail(text.status());
    auto ext = audit::parseExternalCheckpoints(*text);
    if (!ext.ok())
      return fail(Status::invalidArgument(checkpoint_file + ": " + ext.status().message()));
    v.external = std::move(ext).value();
  }
  auto report = audit::verifyAuditLog(v);
  if (!report.ok()) {
    if (json) {
      std::cout << dumpJson(Json{{"ok", false}, {"error", report.status().message()}}) << "\n";
    }
    return fail(report.status());
  }
  if (json) {
    std::cout << dumpJson(Json{{"ok", true},
                               {"records", report->records},
                               {"checkpoints_verified", report->checkpoints},
                               {"torn_bytes_ignored", report->torn_bytes},
                               {"root", audit::hashHex(report->root)}})
              << "\n";
  } else {
    std::cout << "ok: " << report->records << " records, " << report->checkpoints
              << " checkpoints verified, root " << audit::hashHex(report->root) << "\n";
    if (report->torn_bytes > 0) {
      std::cout << "note: " << report->torn_bytes
                << " bytes of an unacknowledged torn write at the end are ignored\n";
    }
  }
  return 0;
}

Result<std::unique_ptr<audit::AuditLog>> openLog(CliContext& ctx) {
  WARD_RETURN_IF_ERROR(ctx.loadConfig());
  return audit::AuditLog::open(ctx.auditLogOptions());
}

int runCheckpoint(CliContext& ctx) {
  auto log = openLog(ctx);
  if (!log.ok()) return fail(log.status());
  auto cp = (*log)->checkpoint();
  if (!cp.ok()) return fail(cp.status());
  std::cout << dumpJson(cp->toJson()) << "\n";
  return 0;
}

int runCheckpoints(CliContext& ctx, const std::string& export_file) {
  Status s = ctx.loadConfig();
  if (!s.ok()) return fail(s);
  auto cps =
      audit::readCheckpointFile(io::posixFileSystem(), audit::auditCheckpointsPath(ctx.auditDir()));
  if (!cps.ok()) return fail(cps.status());
  if (export_file.empty()) {
    for (const auto& c : *cps) std::cout << dumpJson(c.toJson()) << "\n";
    return 0;
  }
  auto verifier = audit::loadAuditVerifier(io::posixFileSystem(), ctx.auditDir());
  if (!verifier.ok()) return fail(verifier.status());
  Status w =
      io::writeFileAtomic(io::posixFileSystem(), export_file,
                          dumpJson(audit::exportCheckpoints(*cps, *verifier), 2) + "\n", 0644);
  if (!w.ok()) return fail(w);
  std::cout << "exported " << cps->size() << " checkpoints to " << export_file << "\n";
  return 0;
}

int runConsistency(CliContext& ctx, uint64_t from, uint64_t to) {
  auto log = openLog(ctx);
  if (!log.ok()) return fail(log.status());
  auto first = (*log)->rootAt(from);
  if (!first.ok()) return fail(first.status());
  auto second = (*log)->rootAt(to);
  if (!second.ok()) return fail(second.status());
  if (from > to) return fail(Status::invalidArgument("--from must not be larger than --to"));
  auto proof = (*log)->consistencyProof(from, to);
  if (!proof.ok()) return fail(proof.status());
  Status verified = audit::verifyConsistency(from, to, *first, *second, *proof);
  Json hashes = Json::array();
  for (const auto& h : *proof) hashes.push_back(audit::hashHex(h));
  std::cout << dumpJson(Json{{"from", from},
                             {"to", to},
                             {"from_root", audit::hashHex(*first)},
                             {"to_root", audit::hashHex(*second)},
                             {"proof", hashes},
                             {"verified", verified.ok()}},
                        2)
            << "\n";
  return verified.ok() ? 0 : fail(verified);
}

// Proves that record `index` (its leaf hash, as `ward trace show` and `ward explain` print it) is
// in the tree of `size` records (0: the whole log), whose root a signed checkpoint can vouch for.
int runInclusion(CliContext& ctx, uint64_t index, uint64_t size) {
  auto log = openLog(ctx);
  if (!log.ok()) return fail(log.status());
  if (size == 0) size = (*log)->size();
  if (index >= size) {
    return fail(Status::invalidArgument("--index " + std::to_string(index) +
                                        " is not below the tree size " + std::to_string(size)));
  }
  auto root = (*log)->rootAt(size);
  if (!root.ok()) return fail(root.status());
  auto leaf = (*log)->leafAt(index);
  if (!leaf.ok()) return fail(leaf.status());
  auto proof = (*log)->inclusionProof(index, size);
  if (!proof.ok()) return fail(proof.status());
  Status verified = audit::verifyInclusion(index, size, *leaf, *proof, *root);
  Json hashes = Json::array();
  for (const auto& h : *proof) hashes.push_back(audit::hashHex(h));
  std::cout << dumpJson(Json{{"index", index},
                             {"tree_size", size},
                             {"leaf_hash", audit::hashHex(*leaf)},
                             {"root", audit::hashHex(*root)},
                             {"proof", hashes},
                             {"verified", verified.ok()}},
                        2)
            << "\n";
  return verified.ok() ? 0 : fail(verified);
}

int runPubkey(CliContext& ctx) {
  Status s = ctx.loadConfig();
  if (!s.ok()) return fail(s);
  auto verifier = audit::loadAuditVerifier(io::posixFileSystem(), ctx.auditDir());
  if (!verifier.ok()) return fail(verifier.status());
  std::cout << verifier->publicKeyPem();
  std::cerr << "key id " << verifier->keyId() << "\n";
  return 0;
}

}  // namespace

void registerAuditCommands(CLI::App& app, CliContext& ctx, CommandSlot& slot) {
  auto* audit = app.add_subcommand("audit", "Verify and inspect the tamper-evident audit log");
  audit->require_subcommand(1);

  auto* verify = audit->add_subcommand(
      "verify", "Re-check every record, the hash chain, Merkle roots and checkpoint signatures");
  static std::string checkpoint_file;
  static bool verify_json = false;
  verify->add_option("--checkpoint", checkpoint_file,
                     "Also check checkpoints kept elsewhere (an export or one checkpoint)");
  verify->add_flag("--json", verify_json, "Print the result as JSON");
  verify->callback([&ctx, &slot] {
    slot.run = [&ctx] { return runVerify(ctx, checkpoint_file, verify_json); };
  });

  auto* checkpoint = audit->add_subcommand("checkpoint", "Sign a checkpoint now and print it");
  checkpoint->callback([&ctx, &slot] { slot.run = [&ctx] { return runCheckpoint(ctx); }; });

  auto* checkpoints = audit->add_subcommand("checkpoints", "List the signed checkpoints");
  static std::string export_file;
  checkpoints->add_option("--export", export_file,
                          "Write them with the public key to FILE (for `verify --checkpoint`)");
  checkpoints->callback(
      [&ctx, &slot] { slot.run = [&ctx] { return runCheckpoints(ctx, export_file); }; });

  auto* consistency = audit->add_subcommand(
      "consistency", "Print and verify the proof that the tree of size --to extends --from");
  static uint64_t from = 0, to = 0;
  consistency->add_option("--from", from, "Earlier tree size (>= 1)")->required();
  consistency->add_option("--to", to, "Later tree size")->required();
  consistency->callback(
      [&ctx, &slot] { slot.run = [&ctx] { return runConsistency(ctx, from, to); }; });

  auto* inclusion = audit->add_subcommand(
      "inclusion", "Print and verify the proof that record --index is in the tree of --size");
  static uint64_t inc_index = 0, inc_size = 0;
  inclusion->add_option("--index", inc_index, "Record index (as in ward trace show)")->required();
  inclusion->add_option("--size", inc_size, "Tree size (default: the whole log)");
  inclusion->callback(
      [&ctx, &slot] { slot.run = [&ctx] { return runInclusion(ctx, inc_index, inc_size); }; });

  auto* pubkey = audit->add_subcommand("pubkey", "Print the checkpoint signing public key (PEM)");
  pubkey->callback([&ctx, &slot] { slot.run = [&ctx] { return runPubkey(ctx); }; });
}

}  // namespace ward::cli
