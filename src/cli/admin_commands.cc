// init, user, group, key, status, rm.
#include <cstdio>
#include <iostream>

#include "commands.h"
#include "runtime_sources.h"
#include "sync_wiring.h"
#include "ward/common/clock.h"
#include "ward/identity/directory.h"

namespace ward::cli {

namespace {

std::string formatLag(double seconds) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f s", seconds);
  return buf;
}

}  // namespace

void registerAdminCommands(CLI::App& app, CliContext& ctx, CommandSlot& slot) {
  auto* init =
      app.add_subcommand("init", "Create the data directory, ward.toml and the admin user");
  init->callback([&ctx, &slot] {
    slot.run = [&ctx] {
      bool created = false;
      Status s = ctx.init(&created);
      if (!s.ok()) return fail(s);
      // Opening the gateway registers the built-in search and fetch for the tenant.
      s = ctx.open();
      if (!s.ok()) return fail(s);
      auto gw = ctx.gateway();
      if (!gw.ok()) return fail(gw.status());
      std::cout << (created ? "initialised " : "already initialised ") << ctx.data_dir << "\n";
      return 0;
    };
  });

  // --- users ---
  auto* user = app.add_subcommand("user", "Manage users");
  user->require_subcommand(1);
  auto* user_add = user->add_subcommand("add", "Add a user");
  static std::string u_name, u_groups;
  static bool u_admin = false, u_service = false, u_agent = false;
  user_add->add_option("NAME", u_name, "User name")->required();
  user_add->add_option("--groups", u_groups, "Comma-separated groups to join (must exist)");
  user_add->add_flag("--admin", u_admin, "Administrator: reads every document of the tenant");
  user_add->add_flag("--service-account", u_service, "Create a service account instead of a user");
  user_add->add_flag("--agent", u_agent, "Create an agent (acts for users; starts read-only)");
  user_add->callback([&ctx, &slot] {
    slot.run = [&ctx] {
      Status s = ctx.open();
      if (!s.ok()) return fail(s);
      auto kind = u_agent     ? identity::PrincipalKind::kAgent
                  : u_service ? identity::PrincipalKind::kServiceAccount
                              : identity::PrincipalKind::kUser;
      auto rec = ctx.store().createPrincipal(ctx.tenant(), u_name, kind, u_admin);
      if (!rec.ok()) return fail(rec.status());
      for (const auto& g : splitList(u_groups)) {
        Status m = ctx.store().addMembership(ctx.tenant(), u_name, g);
        if (!m.ok()) return fail(m);
      }
      Status rec_st = ctx.recordAdminChange(
          "principal_add", {{"subject", u_name},
                            {"principal_kind", std::string(identity::principalKindName(kind))},
                            {"admin", u_admin},
                            {"groups", splitList(u_groups)}});
      if (!rec_st.ok()) return fail(rec_st);
      std::cout << "added " << identity::principalKindName(kind) << " " << u_name << "\n";
      return 0;
    };
  });
  auto* user_list = user->add_subcommand("list", "List users, groups and service accounts");
  user_list->callback([&ctx, &slot] {
    slot.run = [&ctx] {
      Status s = ctx.open();
      if (!s.ok()) return fail(s);
      auto all = ctx.store().listPrincipals(ctx.tenant());
      if (!all.ok()) return fail(all.status());
      for (const auto& p : *all) {
        auto resolved = identity::resolvePrincipalById(ctx.store(), p.id);
        std::string groups;
        if (resolved.ok()) {
          for (const auto& g : resolved->groups) groups += (groups.empty() ? "" : ",") + g;
        }
        std::cout << p.name << "\t" << identity::principalKindName(p.kind)
                  << (p.admin ? "\tadmin" : "\t-") << "\t" << (groups.empty() ? "-" : groups)
                  << "\n";
      }
      return 0;
    };
  });

  // --- groups ---
  auto* group = app.add_subcommand("group", "Manage groups");
  group->require_subcommand(1);
  auto* group_add = group->add_subcommand("add", "Add a group");
  static std::string g_name, g_parent;
  group_add->add_option("NAME", g_name, "Group name")->required();
  group_add->add_option("--member-of", g_parent, "Comma-separated parent groups (must exist)");
  group_add->callback([&ctx, &slot] {
    slot.run = [&ctx] {
      Status s = ctx.open();
      if (!s.ok()) return fail(s);
      auto rec =
          ctx.store().createPrincipal(ctx.tenant(), g_name, identity::PrincipalKind::kGroup, false);
      if (!rec.ok()) return fail(rec.status());
      for (const auto& p : splitList(g_parent)) {
        Status m = ctx.store().addMembership(ctx.tenant(), g_name, p);
        if (!m.ok()) return fail(m);
      }
      Status rec_st = ctx.recordAdminChange(
          "group_add", {{"subject", g_name}, {"member_of", splitList(g_parent)}});
      if (!rec_st.ok()) return fail(rec_st);
      std::cout << "added group " << g_name << "\n";
      return 0;
    };
  });
  auto* group_join = group->add_subcommand("join", "Add a member (user or group) to a group");
  static std::string j_member, j_group;
  group_join->add_option("MEMBER", j_member, "User or group")->required();
  group_join->add_option("GROUP", j_group, "Group to join")->required();
  group_join->callback([&ctx, &slot] {
    slot.run = [&ctx] {
      Status s = ctx.open();
      if (!s.ok()) return fail(s);
      Status m = ctx.store().addMembership(ctx.tenant(), j_member, j_group);
      if (!m.ok()) return fail(m);
      m = ctx.recordAdminChange("membership_add", {{"subject", j_member}, {"group", j_group}});
      if (!m.ok()) return fail(m);
      std::cout << j_member << " joined " << j_group << "\n";
      return 0;
    };
  });
  auto* group_leave = group->add_subcommand("leave", "Remove a member from a group");
  group_leave->add_option("MEMBER", j_member, "User or group")->required();
  group_leave->add_option("GROUP", j_group, "Group to leave")->required();
  group_leave->callback([&ctx, &slot] {
    slot.run = [&ctx] {
      Status s = ctx.open();
      if (!s.ok()) return fail(s);
      Status m = ctx.store().removeMembership(ctx.tenant(), j_member, j_group);
      if (!m.ok()) return fail(m);
      m = ctx.recordAdminChange("membership_remove", {{"subject", j_member}, {"group", j_group}});
      if (!m.ok()) return fail(m);
      std::cout << j_member << " left " << j_group << "\n";
      return 0;
    };
  });

  // --- keys ---
  auto* key = app.add_subcommand("key", "Manage API keys");
  key->require_subcommand(1);
  auto* key_create = key->add_subcommand("create", "Create an API key; prints it once");
  static std::string k_principal;
  key_create->add_option("PRINCIPAL", k_principal, "User or service account")->required();
  key_create->callback([&ctx, &slot] {
    slot.run = [&ctx] {
      Status s = ctx.open();
      if (!s.ok()) return fail(s);
      auto p = ctx.store().findPrincipal(ctx.tenant(), k_principal);
      if (!p.ok()) return fail(p.status());
      if (p->kind == identity::PrincipalKind::kGroup) {
        return fail(Status::invalidArgument("groups cannot hold API keys"));
      }
      identity::NewApiKey k = identity::generateApiKey();
      identity::ApiKeyRecord rec{k.key_id, p->id, k.secret_hash,
                                 SystemClock::instance().nowMicros(), false};
      Status st = ctx.store().storeApiKey(rec);
      if (!st.ok()) return fail(st);
      // The key id names the key; the secret never reaches the log.
      st = ctx.recordAdminChange("key_create", {{"subject", k_principal}, {"key_id", k.key_id}});
      if (!st.ok()) return fail(st);
      std::cout << k.plaintext << "\n";
      return 0;
    };
  });
  auto* key_revoke = key->add_subcommand("revoke", "Revoke an API key by its id");
  static std::string k_id;
  key_revoke->add_option("KEY_ID", k_id, "The 16-hex key id (the part after wk_)")->required();
  key_revoke->callback([&ctx, &slot] {
    slot.run = [&ctx] {
      Status s = ctx.open();
      if (!s.ok()) return fail(s);
      Status r = ctx.store().revokeApiKey(k_id);
      if (!r.ok()) return fail(r);
      r = ctx.recordAdminChange("key_revoke", {{"key_id", k_id}});
      if (!r.ok()) return fail(r);
      std::cout << "revoked " << k_id << "\n";
      return 0;
    };
  });

  // --- rm ---
  auto* rm =
      app.add_subcommand("rm", "Delete a document: removed from search at once, text purged");
  static std::string rm_id;
  rm->add_option("DOC_ID", rm_id, "Document id (a record id, or a file's absolute path)")
      ->required();
  rm->callback([&ctx, &slot] {
    slot.run = [&ctx] {
      Status s = ctx.open();
      if (!s.ok()) return fail(s);
      Status r =
          ctx.ingest().removeDocument(ctx.tenant(), rm_id, trace::TraceContext::generate(), "cli");
      if (!r.ok()) return fail(r);
      std::cout << "deleted " << rm_id << "\n";
      return 0;
    };
  });

  // --- status ---
  auto* status = app.add_subcommand("status", "Documents, chunks, sources and index lag");
  static bool status_json = false;
  status->add_flag("--json", status_json, "Print JSON");
  status->callback([&ctx, &slot] {
    slot.run = [&ctx] {
      Status s = ctx.open();
      if (!s.ok()) return fail(s);
      auto st = ctx.store().stats();
      if (!st.ok()) return fail(st.status());
      auto sources = ctx.store().listSources(ctx.tenant());
      if (!sources.ok()) return fail(sources.status());
      index::IndexStats is = ctx.index().stats();
      Json j = {{"data_dir", ctx.data_dir},
                {"documents", st->documents},
                {"tombstones", st->tombstones},
                {"chunks", st->chunks},
                {"text_bytes", st->text_bytes},
                {"principals", st->principals},
                {"index",
                 {{"chunks", is.chunks},
                  {"segments", is.segments},
                  {"terms", is.terms},
                  {"memory_bytes", is.memory_bytes},
                  {"applied_seq", is.applied_seq},
                  {"lag_changes", st->last_change_seq - is.applied_seq},
                  {"persisted_seq", is.persisted_seq},
                  {"loaded", is.loaded},
                  {"writer", is.writer}}}};
      Json src = Json::array();
      for (const auto& r : *sources) {
        src.push_back(
            {{"name", r.name},
             {"documents", r.documents},
             {"last_updated_at", r.last_updated_at ? formatRfc3339(r.last_updated_at) : ""},
             {"last_indexed_at", formatRfc3339(r.last_indexed_at)}});
      }
      j["sources"] = src;
      // The [[sources]] of ward.toml: state and freshness lags, as `ward sources` shows them.
      Json synced = Json::array();
      if (auto wiring = openSyncWiring(ctx); !wiring.ok()) {
        j["sync_error"] = wiring.status().toString();
      } else {  // ward.toml's and the runtime sources
        auto listed = allSourcesJson(**wiring, ctx.tenant(), SystemClock::instance().nowMicros());
        if (!listed.ok()) return fail(listed.status());
        synced = std::move(*listed);
      }
      j["synced_sources"] = synced;
      if (status_json) {
        std::cout << dumpJson(j, 2) << "\n";
        return 0;
      }
      std::cout << "data dir:   " << ctx.data_dir << "\n"
                << "documents:  " << st->documents << " (" << st->tombstones << " deleted)\n"
                << "chunks:     " << st->chunks << " (" << st->text_bytes << " bytes of text)\n"
                << "principals: " << st->principals << "\n"
                << "index:      " << is.chunks << " chunks, " << is.terms << " terms, "
                << is.segments << " segments, " << is.memory_bytes / 1024 << " KiB, lag "
                << (st->last_change_seq - is.applied_seq) << " changes\n"
                << "sources:\n";
      for (const auto& r : *sources) {
        std::cout << "  " << r.name << ": " << r.documents << " documents, last indexed "
                  << formatRfc3339(r.last_indexed_at) << "\n";
      }
      if (j.contains("sync_error")) {
        std::cout << "[[sources]]: " << j["sync_error"].get<std::string>() << "\n";
      }
      if (!synced.empty()) std::cout << "[[sources]] (lags from the last complete pass):\n";
      for (const auto& x : synced) {
        std::cout << "  " << x["name"].get<std::string>() << " ("
                  << x["connector"].get<std::string>() << "): " << x.value("state", "ok");
        for (const char* kind : {"content", "deletion", "acl", "membership"}) {
          const Json& v = x["lag_s"].value(kind, Json());
          std::cout << ", " << kind << " " << (v.is_number() ? formatLag(v.get<double>()) : "-");
        }
        std::cout << "\n";
      }
      return 0;
    };
  });
}

}  // namespace ward::cli
