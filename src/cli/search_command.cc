// ward search "QUERY" --as USER | ward search --batch QUERIES.jsonl --as USER --json
#include <fstream>
#include <iostream>

#include "commands.h"

namespace ward::cli {

namespace {

void printHuman(const search::SearchResponse& r, const identity::Principal& who) {
  std::cout << r.total_matches << " matching passages readable by " << who.name << " (" << r.took_ms
            << " ms)\n";
  int i = 0;
  for (const auto& h : r.hits) {
    std::cout << "\n"
              << ++i << ". " << h.title << "  [" << h.doc_id << "]  score " << h.score << "\n   "
              << h.snippet << "\n   " << h.citation << "\n";
  }
}

}  // namespace

void registerSearchCommands(CLI::App& app, CliContext& ctx, CommandSlot& slot) {
  auto* cmd = app.add_subcommand("search", "Search as a user: only what they may read");
  static std::string query, as, batch;
  static std::vector<std::string> sources;
  static int k = 0;
  static bool json = false;
  cmd->add_option("QUERY", query, "Words, \"quoted phrases\", identifiers like INV-2024-0042");
  cmd->add_option("--as", as, "The user (or service account) searching")->required();
  cmd->add_option("--k", k, "Number of passages, 1..search.max_k (default search.default_k)");
  cmd->add_option("--source", sources, "Only these sources (repeatable)");
  cmd->add_option("--batch", batch,
                  "JSONL file of {\"id\",\"text\"[,\"as\"]} queries; one JSON line out per query");
  cmd->add_flag("--json", json, "Print JSON");
  cmd->callback([&ctx, &slot, cmd] {
    const bool k_given = cmd->count("--k") > 0;
    slot.run = [&ctx, k_given] {
      if (query.empty() == batch.empty()) {
        return fail(Status::invalidArgument("give either QUERY or --batch FILE"));
      }
      Status s = ctx.open();
      if (!s.ok()) return fail(s);
      auto who = ctx.principal(as);
      if (!who.ok()) return fail(who.status());
      if (k_given && (k < 1 || k > ctx.config().search.max_k)) {
        return fail(Status::invalidArgument("--k must be between 1 and " +
                                            std::to_string(ctx.config().search.max_k)));
      }
      int kk = k_given ? k : ctx.config().search.default_k;
      if (!batch.empty()) {
        std::ifstream in(batch);
        if (!in) return fail(Status::notFound("cannot open " + batch));
        std::string line;
        int line_no = 0;
        int failures = 0;
        while (std::getline(in, line)) {
          ++line_no;
          if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
          auto j = parseJson(line);
          if (!j.ok() || !j->is_object()) {
            std::cerr << "line " << line_no << ": not a JSON object\n";
            ++failures;
            continue;
          }
          Json id = j->contains("id") ? (*j)["id"] : Json(line_no);
          search::SearchRequest req;
          req.k = kk;
          auto parsed = search::SearchService::requestFromJson(*j, ctx.config().search);
          if (!parsed.ok()) {
            std::cout << dumpJson({{"id", id}, {"error", parsed.status().message()}}) << "\n";
            ++failures;
            continue;
          }
          req = *parsed;
          if (!j->contains("k")) req.k = kk;
          identity::Principal p = *who;
          if (j->contains("as") && (*j)["as"].is_string()) {
            auto other = ctx.principal((*j)["as"].get<std::string>());
            if (!other.ok()) {
              std::cout << dumpJson({{"id", id}, {"error", other.status().message()}}) << "\n";
              ++failures;
              continue;
            }
            p = *other;
          }
          auto r = ctx.search().search(p, req, trace::TraceContext::generate());
          if (!r.ok()) {
            std::cout << dumpJson({{"id", id}, {"error", r.status().message()}}) << "\n";
            ++failures;
            continue;
          }
          Json hits = Json::array();
          for (const auto& h : r->hits) hits.push_back(h.toJson());
          std::cout << dumpJson({{"id", id}, {"hits", hits}, {"took_ms", r->took_ms}}) << "\n";
        }
        return failures ? 1 : 0;
      }
      search::SearchRequest req;
      req.query = query;
      req.k = kk;
      req.filters.sources = sources;
      auto r = ctx.search().search(*who, req, trace::TraceContext::generate());
      if (!r.ok()) return fail(r.status());
      if (json) {
        Json hits = Json::array();
        for (const auto& h : r->hits) hits.push_back(h.toJson());
        std::cout << dumpJson({{"hits", hits},
                               {"total_matches", r->total_matches},
                               {"took_ms", r->took_ms},
                               {"trace_id", r->trace_id}},
                              2)
                  << "\n";
      } else {
        printHuman(*r, *who);
      }
      return 0;
    };
  });
}

}  // namespace ward::cli
