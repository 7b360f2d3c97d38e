// ward ingest PATH... | ward ingest --jsonl FILE
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <iostream>

#include "commands.h"
#include "sync_wiring.h"
#include "ward/common/clock.h"

namespace ward::cli {

namespace {

// Progress on a terminal (files/s, MB/s, ETA), redrawn at most 10 times a second.
ingest::ProgressFn terminalProgress(const char* unit) {
  if (!::isatty(STDERR_FILENO)) return nullptr;
  auto started = std::make_shared<int64_t>(SystemClock::instance().monotonicNanos());
  auto last = std::make_shared<int64_t>(0);
  return [started, last, unit](int64_t done, int64_t total, int64_t bytes, int64_t total_bytes) {
    int64_t now = SystemClock::instance().monotonicNanos();
    if (now - *last < 100'000'000 && done != total) return;
    *last = now;
    double secs = std::max(1e-3, static_cast<double>(now - *started) / 1e9);
    double mbs = static_cast<double>(bytes) / 1e6 / secs;
    double eta = total_bytes > 0 && bytes > 0 ? static_cast<double>(total_bytes - bytes) /
                                                    (static_cast<double>(bytes) / secs)
                                              : 0;
    std::fprintf(stderr, "\r%lld%s%lld %s  %.0f %s/s  %.1f MB/s  ETA %.0fs   ",
                 static_cast<long long>(done), total >= 0 ? "/" : "",
                 static_cast<long long>(total >= 0 ? total : 0), unit,
                 static_cast<double>(done) / secs, unit, mbs, eta);
    if (done == total) std::fprintf(stderr, "\n");
  };
}

void printReport(const ingest::IngestReport& r, bool json) {
  if (json) {
    Json j = r.toJson();
    j.erase("documents");
    std::cout << dumpJson(j) << "\n";
    return;
  }
  for (const auto& p : r.problems) std::cerr << "skipped " << p.item << ": " << p.message << "\n";
  if (!r.moved_to_metadata.empty()) {  // one warning for the whole file, not one per record
    std::string fields;
    for (const auto& [field, records] : r.moved_to_metadata) {
      fields += (fields.empty() ? "" : ", ") + field + " (" + std::to_string(records) + " records)";
    }
    std::cerr << "warning: fields outside the record format were put into metadata: " << fields
              << "; --strict refuses such records\n";
  }
  std::printf(
      "%lld items: %lld created, %lld updated, %lld acl changed, %lld unchanged, "
      "%lld skipped; %lld chunks; %.1f MB in %.2fs (%.1f MB/s)\n",
      static_cast<long long>(r.items_seen), static_cast<long long>(r.created),
      static_cast<long long>(r.updated), static_cast<long long>(r.acl_changed),
      static_cast<long long>(r.unchanged), static_cast<long long>(r.skipped),
      static_cast<long long>(r.chunks), static_cast<double>(r.bytes) / 1e6, r.seconds,
      r.seconds > 0 ? static_cast<double>(r.bytes) / 1e6 / r.seconds : 0.0);
}

// A CLI ingest is one trace event: what was ingested and its tallies (not every document id: a
// bulk load can hold millions; the store's change feed has them).
Status recordIngest(CliContext& ctx, const ingest::IngestReport& r, const Json& what) {
  trace::TraceEvent ev;
  ev.context = trace::TraceContext::generate();
  ev.kind = "ingest";
  ev.tenant = ctx.tenant();
  const char* user = std::getenv("USER");
  ev.principal = "cli";
  ev.time_us = SystemClock::instance().nowMicros();
  ev.attributes = {{"via", "cli"},
                   {"os_user", user ? user : ""},
                   {"input", what},
                   {"created", r.created},
                   {"updated", r.updated},
                   {"acl_changed", r.acl_changed},
                   {"unchanged", r.unchanged},
                   {"skipped", r.skipped},
                   {"chunks", r.chunks},
                   {"bytes", r.bytes}};
  return ctx.traces().record(ev);
}

}  // namespace

void registerIngestCommands(CLI::App& app, CliContext& ctx, CommandSlot& slot) {
  auto* cmd = app.add_subcommand(
      "ingest", "Ingest files and folders (md, txt, html, pdf, csv, tsv, code) or a JSONL file");
  static std::vector<std::string> paths;
  static std::string source, acl_users, acl_groups, jsonl, root;
  static bool is_public = false, json = false, strict = false, snapshot = false;
  static std::string approve;
  cmd->add_option("PATH", paths, "Files or folders (recursive; hidden entries skipped)");
  cmd->add_option("--jsonl", jsonl, "A JSONL file of records with per-record ACLs");
  cmd->add_option("--source", source, "Source name (default: files, or records for --jsonl)");
  cmd->add_option("--root", root,
                  "Folder that document ids are relative to (default: each folder PATH, or a "
                  "file's folder); ids are SOURCE:RELATIVE/PATH");
  cmd->add_option("--acl-users", acl_users, "Comma-separated users who may read these files");
  cmd->add_option("--acl-groups", acl_groups, "Comma-separated groups who may read these files");
  cmd->add_flag("--public", is_public, "Readable by everyone in the tenant");
  cmd->add_flag("--json", json, "Print the report as JSON");
  cmd->add_flag("--strict", strict,
                "--jsonl: refuse records with fields outside the record format (default: put "
                "them into metadata)");
  cmd->add_flag("--snapshot", snapshot,
                "--jsonl: the file is the complete listing of --source: its records are synced "
                "and the source's documents absent from it are deleted, under the mass-deletion "
                "and exposure guards (`ward sync`'s runs; ingest.md \"Push snapshots\")");
  cmd->add_option("--approve", approve, "--snapshot: approve the source's held run (its id)");
  cmd->callback([&ctx, &slot] {
    slot.run = [&ctx] {
      if (snapshot) {
        if (jsonl.empty() || !paths.empty() || strict || is_public || !acl_users.empty() ||
            !acl_groups.empty() || !root.empty()) {
          return fail(Status::invalidArgument(
              "--snapshot takes --jsonl FILE and --source only (records carry their ACLs)"));
        }
        return runJsonlSnapshot(ctx, jsonl, source, approve, json);
      }
      if (!approve.empty()) return fail(Status::invalidArgument("--approve needs --snapshot"));
      if (paths.empty() && jsonl.empty()) {
        return fail(Status::invalidArgument("give PATH... or --jsonl FILE"));
      }
      if (!jsonl.empty() && (!acl_users.empty() || !acl_groups.empty() || is_public)) {
        return fail(Status::invalidArgument(
            "--jsonl records carry their own ACLs; --acl-users/--acl-groups/--public do not apply"));
      }
      Status s = ctx.open();
      if (!s.ok()) return fail(s);
      if (!jsonl.empty()) {
        ingest::JsonlIngestOptions jopts;
        if (!source.empty()) jopts.default_source = source;
        if (strict) jopts.unknown_fields = ingest::UnknownFields::kRefuse;
        auto r =
            ctx.ingest().ingestJsonlFile(ctx.tenant(), jsonl, jopts, terminalProgress("records"));
        if (!r.ok()) return fail(r.status());
        printReport(*r, json);
        Status t = recordIngest(ctx, *r, Json{{"jsonl", jsonl}, {"source", source}});
        if (!t.ok()) return fail(t);
        // A partial load is a failure: the good records are committed, but a script must not
        // go on as if the file had loaded (an eval would score a corpus with holes).
        if (r->skipped > 0) {
          return fail(Status::invalidArgument(std::to_string(r->skipped) + " of " +
                                              std::to_string(r->items_seen) + " records in " +
                                              jsonl + " were skipped (listed above)"));
        }
        if (paths.empty()) return 0;
      }
      ingest::PathIngestOptions opts;
      opts.source = source;
      opts.root = root;
      opts.refused_dirs = {ctx.data_dir};
      opts.acl.users = splitList(acl_users);
      opts.acl.groups = splitList(acl_groups);
      opts.acl.is_public = is_public;
      for (const auto& u : opts.acl.users) {
        Status v = identity::validateName("user", u);
        if (!v.ok()) return fail(v);
      }
      for (const auto& g : opts.acl.groups) {
        Status v = identity::validateName("group", g);
        if (!v.ok()) return fail(v);
      }
      auto r = ctx.ingest().ingestPaths(ctx.tenant(), paths, opts, terminalProgress("files"));
      if (!r.ok()) return fail(r.status());
      printReport(*r, json);
      Status t = recordIngest(ctx, *r,
                              Json{{"paths", paths},
                                   {"source", opts.source},
                                   {"acl",
                                    {{"users", opts.acl.users},
                                     {"groups", opts.acl.groups},
                                     {"public", opts.acl.is_public}}}});
      if (!t.ok()) return fail(t);
      return 0;
    };
  });
}

}  // namespace ward::cli
