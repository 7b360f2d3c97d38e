// ward eval retrieval --dataset DIR: BEIR-format retrieval quality (nDCG@10, Recall@100, MRR@10).
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <set>

#include "commands.h"
#include "ward/common/clock.h"

namespace ward::cli {

namespace fs = std::filesystem;

namespace {

struct EvalOptions {
  std::string dataset;
  std::string split = "test";
  double k1 = -1, b = -1, title_weight = -1, heading_weight = -1, body_weight = -1;
  bool json = false;
  bool keep = false;
};

Result<std::map<std::string, std::map<std::string, int>>> loadQrels(const std::string& path) {
  std::ifstream in(path);
  if (!in) return Status::notFound("cannot open " + path);
  std::map<std::string, std::map<std::string, int>> qrels;
  std::string line;
  bool first = true;
  while (std::getline(in, line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.empty()) continue;
    std::vector<std::string> cols;
    size_t p = 0;
    while (true) {
      size_t t = line.find('\t', p);
      cols.push_back(line.substr(p, t == std::string::npos ? std::string::npos : t - p));
      if (t == std::string::npos) break;
      p = t + 1;
    }
    if (first) {
      first = false;
      if (cols.size() >= 1 && cols[0] == "query-id") continue;
    }
    if (cols.size() < 3)
      return Status::invalidArgument(path + ": expected 3 tab-separated columns");
    int score = std::atoi(cols[2].c_str());
    if (score > 0) qrels[cols[0]][cols[1]] = score;
  }
  return qrels;
}

int runEval(const EvalOptions& o) {
  std::string queries_file =
      o.dataset + (o.split == "test" ? "/queries.jsonl" : "/queries-" + o.split + ".jsonl");
  std::string qrels_file =
      o.dataset + (o.split == "test" ? "/qrels.tsv" : "/qrels-" + o.split + ".tsv");
  if (!fs::exists(o.dataset + "/corpus.jsonl")) {
    return fail(Status::notFound(o.dataset + "/corpus.jsonl not found"));
  }
  auto qrels = loadQrels(qrels_file);
  if (!qrels.ok()) return fail(qrels.status());

  char tmpl[] = "/tmp/ward-eval-XXXXXX";
  char* dir = ::mkdtemp(tmpl);
  if (!dir) return fail(Status::unavailable("cannot create a scratch directory"));
  // Removed after `ctx` (declared below, so destroyed first) has closed the index and the audit
  // log, which write their last checkpoints into it.
  struct ScratchDir {
    std::string path;
    bool keep;
    ~ScratchDir() {
      std::error_code ec;
      if (!keep) fs::remove_all(path, ec);
    }
  } scratch{dir, o.keep};
  CliContext ctx;
  ctx.data_dir = dir;
  bool created;
  Status s = ctx.init(&created);
  if (s.ok()) s = ctx.open();
  if (!s.ok()) return fail(s);
  WardConfig cfg = ctx.config();
  if (o.k1 >= 0) cfg.search.k1 = o.k1;
  if (o.b >= 0) cfg.search.b = o.b;
  if (o.title_weight >= 0) cfg.search.title_weight = o.title_weight;
  if (o.heading_weight >= 0) cfg.search.heading_weight = o.heading_weight;
  if (o.body_weight >= 0) cfg.search.body_weight = o.body_weight;
  search::SearchService searcher(ctx.store(), ctx.index(), ctx.traces(), cfg.search);

  ingest::JsonlIngestOptions jsonl;
  jsonl.default_source = "corpus";
  auto report =
      ctx.ingest().ingestJsonlFile(ctx.tenant(), o.dataset + "/corpus.jsonl", jsonl, nullptr);
  if (!report.ok()) return fail(report.status());
  // A score over a corpus with holes would look like a ranking problem: refuse to give one.
  if (report->skipped > 0) {
    return fail(Status::failedPrecondition(
        o.dataset + "/corpus.jsonl did not load completely: " + std::to_string(report->skipped) +
        " of " + std::to_string(report->items_seen) + " records skipped (first: " +
        report->problems.front().item + ": " + report->problems.front().message + ")"));
  }
  auto admin = ctx.principal("admin");
  if (!admin.ok()) return fail(admin.status());

  std::ifstream in(queries_file);
  if (!in) return fail(Status::notFound("cannot open " + queries_file));
  double ndcg = 0, recall = 0, mrr = 0, total_ms = 0;
  int n = 0;
  std::string line;
  int64_t line_no = 0;
  while (std::getline(in, line)) {
    ++line_no;
    if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
    // Every query line must be usable: a query dropped or failed would lower the averages
    // without saying so. BEIR's query lines use `_id`, like its corpus.
    const std::string where = queries_file + ":" + std::to_string(line_no);
    auto j = parseJson(line);
    if (!j.ok() || !j->is_object()) {
      return fail(Status::invalidArgument(where + ": not a JSON object"));
    }
    const char* id_field = j->contains("_id") ? "_id" : "id";
    const Json& id_json = (*j)[id_field];
    if (!(id_json.is_string() || id_json.is_number_integer()) || !(*j)["text"].is_string()) {
      return fail(Status::invalidArgument(where + ": needs a string 'id' (or '_id') and 'text'"));
    }
    std::string id = id_json.is_string() ? id_json.get<std::string>() : id_json.dump();
    auto rel = qrels->find(id);
    if (rel == qrels->end()) continue;
    search::SearchRequest req;
    req.query = (*j)["text"].get<std::string>();
    req.k = cfg.search.max_k;
    auto r = searcher.search(*admin, req, trace::TraceContext::generate());
    if (!r.ok()) {
      return fail(
          Status::failedPrecondition("query " + id + " (" + where +
                                     ") failed, so no score is given: " + r.status().message()));
    }
    std::vector<std::string> docs;
    total_ms += r->took_ms;
    std::set<std::string> seen;
    for (const auto& h : r->hits) {
      if (seen.insert(h.doc_id).second) docs.push_back(h.doc_id);
    }
    double dcg = 0, idcg = 0;
    std::vector<int> gains;
    for (const auto& [d, g] : rel->second) gains.push_back(g);
    std::sort(gains.rbegin(), gains.rend());
    for (size_t i = 0; i < gains.size() && i < 10; ++i) idcg += gains[i] / std::log2(i + 2.0);
    int found100 = 0;
    double rr = 0;
    for (size_t i = 0; i < docs.size() && i < 100; ++i) {
      auto g = rel->second.find(docs[i]);
      if (g == rel->second.end()) continue;
      if (i < 10) {
        dcg += g->second / std::log2(i + 2.0);
        if (rr == 0) rr = 1.0 / static_cast<double>(i + 1);
      }
      ++found100;
    }
    ndcg += idcg > 0 ? dcg / idcg : 0;
    recall += static_cast<double>(found100) / static_cast<double>(rel->second.size());
    mrr += rr;
    ++n;
  }
  if (n == 0) return fail(Status::invalidArgument("no judged queries in " + queries_file));
  Json out = {{"dataset", o.dataset},
              {"split", o.split},
              {"queries", n},
              {"documents", report->created},
              {"ndcg@10", ndcg / n},
              {"recall@100", recall / n},
              {"mrr@10", mrr / n},
              {"mean_search_ms", total_ms / n},
              {"ingest_seconds", report->seconds}};
  if (o.json) {
    std::cout << dumpJson(out) << "\n";
  } else {
    std::printf("dataset %s (%s): %d queries, %lld documents\n", o.dataset.c_str(), o.split.c_str(),
                n, static_cast<long long>(report->created));
    std::printf("nDCG@10    %.4f\nRecall@100 %.4f\nMRR@10     %.4f\n", ndcg / n, recall / n,
                mrr / n);
  }
  return 0;
}

}  // namespace

// `eval run` and `eval diff` (eval_run_command.cc).
void registerEvalSuiteCommands(CLI::App* eval, CliContext& ctx, CommandSlot& slot);
void registerEvalCasesCommands(CLI::App* eval, CliContext& ctx, CommandSlot& slot);
void registerEvalStabilityCommand(CLI::App* eval, CliContext& ctx, CommandSlot& slot);

void registerEvalCommands(CLI::App& app, CliContext& ctx, CommandSlot& slot) {
  auto* eval = app.add_subcommand("eval", "Measure quality");
  eval->require_subcommand(1);
  auto* retrieval = eval->add_subcommand(
      "retrieval",
      "Load a BEIR dataset into a scratch data dir; print nDCG@10, Recall@100, MRR@10");
  static EvalOptions o;
  retrieval
      ->add_option("--dataset", o.dataset, "Folder with corpus.jsonl, queries.jsonl, qrels.tsv")
      ->required();
  retrieval->add_option("--split", o.split,
                        "test (queries.jsonl, qrels.tsv) or e.g. train "
                        "(queries-train.jsonl, qrels-train.tsv)");
  retrieval->add_option("--k1", o.k1, "Override search.k1");
  retrieval->add_option("--b", o.b, "Override search.b");
  retrieval->add_option("--title-weight", o.title_weight, "Override search.title_weight");
  retrieval->add_option("--heading-weight", o.heading_weight, "Override search.heading_weight");
  retrieval->add_option("--body-weight", o.body_weight, "Override search.body_weight");
  retrieval->add_flag("--json", o.json, "Print JSON");
  retrieval->add_flag("--keep", o.keep, "Keep the scratch data dir");
  retrieval->callback([&slot] { slot.run = [] { return runEval(o); }; });
  registerEvalSuiteCommands(eval, ctx, slot);
  registerEvalCasesCommands(eval, ctx, slot);
  registerEvalStabilityCommand(eval, ctx, slot);
}

}  // namespace ward::cli
