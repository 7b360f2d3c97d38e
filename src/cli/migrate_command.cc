// ward migrate [--check] [--new-epoch]: applies the schema migrations the store lacks and prints
// its schema version, or with --check only reports them, exiting 1 when some are pending. With
// --new-epoch (PostgreSQL, after a logical restore) it also starts a new store epoch: every
// node's index rebuilds from the store instead of following a feed whose positions went back
// (docs/design/store.md, "The store epoch"). The store is the
// one ward.toml [store] url / WARD_STORE_URL names (PostgreSQL), and ward.db in the data dir,
// which holds the sync and SCIM state either way (docs/design/store.md, "Migrations").
#include <iostream>

#include "commands.h"
#include "ward/store/cluster.h"
#include "ward/store/pg_store.h"
#include "ward/store/schema_versions.h"
#include "ward/store/store_url.h"

namespace ward::cli {

namespace {

// Exit code of `ward migrate --check` when migrations are pending.
constexpr int kPendingExitCode = 1;

struct SchemaState {
  std::string name;  // "postgresql" or "ward.db"
  int stored = 0;
  int current = 0;
};

Result<std::vector<SchemaState>> readStates(const std::string& url, const std::string& db_path) {
  std::vector<SchemaState> out;
  if (!url.empty()) {
    WARD_ASSIGN_OR_RETURN(int stored, store::pgStoredSchemaVersion(url));
    out.push_back({"postgresql", stored, store::pgSchemaVersion()});
  }
  WARD_ASSIGN_OR_RETURN(int stored, store::sqliteStoredSchemaVersion(db_path));
  out.push_back({"ward.db", stored, store::sqliteSchemaVersion()});
  return out;
}

std::string plural(int n, const std::string& what) {
  return std::to_string(n) + " " + what + (n == 1 ? "" : "s");
}

int runMigrate(CliContext& ctx, bool check, bool new_epoch) {
  Status s = ctx.loadConfig();
  if (!s.ok()) return fail(s);
  auto url = store::loadStoreUrl(ctx.configPath());
  if (!url.ok()) return fail(url.status());
  auto before = readStates(*url, ctx.dbPath());
  if (!before.ok()) return fail(before.status());
  for (const SchemaState& st : *before) {
    if (st.stored > st.current) {
      return fail(Status::failedPrecondition(
          st.name + " has schema version " + std::to_string(st.stored) +
          ", newer than this ward (" + std::to_string(st.current) + ")"));
    }
  }
  if (new_epoch && (check || url->empty())) {
    return fail(Status::invalidArgument(
        check ? "--new-epoch changes the store: it cannot go with --check"
              : "--new-epoch needs a PostgreSQL store ([store] url or WARD_STORE_URL): a SQLite "
                "store has one node and no epoch"));
  }
  if (check) {
    bool pending = false;
    for (const SchemaState& st : *before) {
      const int missing = st.current - st.stored;
      pending = pending || missing > 0;
      std::cout << st.name << ": schema version " << st.stored
                << (missing > 0 ? ", " + plural(missing, "migration") +
                                      " pending (this ward: " + std::to_string(st.current) + ")"
                                : ": up to date")
                << "\n";
    }
    return pending ? kPendingExitCode : 0;
  }
  // Opening a store applies its pending migrations (each in one transaction).
  if (!url->empty()) {
    auto pg = store::openPgStore(*url);
    if (!pg.ok()) return fail(pg.status());
    if (new_epoch) {
      auto epoch = dynamic_cast<store::ClusterStore&>(**pg).newEpoch();
      if (!epoch.ok()) return fail(epoch.status());
      std::cout << "postgresql: store epoch " << *epoch << " (every node's index rebuilds)\n";
    }
  }
  auto sqlite = store::openSqliteStore(ctx.dbPath());
  if (!sqlite.ok()) return fail(sqlite.status());
  for (const SchemaState& st : *before) {
    const int applied = st.current - st.stored;
    std::cout << st.name << ": schema version " << st.current << " ("
              << (applied > 0 ? plural(applied, "migration") + " applied" : "up to date") << ")\n";
  }
  return 0;
}

}  // namespace

void registerMigrateCommand(CLI::App& app, CliContext& ctx, CommandSlot& slot) {
  static bool check = false;
  static bool new_epoch = false;
  auto* cmd = app.add_subcommand(
      "migrate", "Apply pending schema migrations to the store and print its schema version");
  cmd->add_flag("--check", check, "Only report; exit 1 when migrations are pending");
  cmd->add_flag("--new-epoch", new_epoch,
                "After a logical restore (PostgreSQL): start a new store epoch, so every node's "
                "index rebuilds from the store");
  cmd->callback([&ctx, &slot] { slot.run = [&ctx] { return runMigrate(ctx, check, new_epoch); }; });
}

}  // namespace ward::cli
