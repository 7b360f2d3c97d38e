// End-to-end search and ingest benchmark on a synthetic ACL corpus (bench/gen_corpus.py).
//
// Ingests the corpus through IngestService (JSONL -> parse -> chunk -> SQLite -> index), reports
// MB/s and resident index memory vs raw text, then gives one user 5 of the 100 groups and runs
// the queries (BEIR queries.jsonl, OR semantics, top-10, one thread), printing p50/p99 of the
// full search as measured inside the process (took_ms: parse, ACL'd BM25F, snippets, citations,
// trace record). The first round warms caches and is not counted.
//
// The index is persisted under DIR/index as Ward does (docs/formats/index-segments.md): the
// ingest figure includes the automatic checkpoints (every --checkpoint-changes, default as in
// ward.toml), the final checkpoint is timed on its own, and --skip-ingest times opening the
// persisted index. --no-persist keeps the index in memory only, for comparison.
//
// Usage: search_bench --corpus FILE.jsonl --queries QUERIES.jsonl [--data DIR] [--groups 5]
//                     [--rounds 3] [--skip-ingest] [--checkpoint-changes N] [--no-persist]
//                     [--compare-pruning]
#include <sys/stat.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "ward/audit/audit_trace_sink.h"
#include "ward/common/clock.h"
#include "ward/common/config.h"
#include "ward/identity/directory.h"
#include "ward/index/index.h"
#include "ward/ingest/ingest_service.h"
#include "ward/search/search_service.h"
#include "ward/store/store.h"
#include "ward/text/analyzer.h"

using namespace ward;

namespace {

double percentile(std::vector<double> v, double p) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  size_t i = static_cast<size_t>(p * static_cast<double>(v.size() - 1) + 0.5);
  return v[std::min(i, v.size() - 1)];
}

long rssKiB() {
  std::ifstream in("/proc/self/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("VmRSS:", 0) == 0) return std::stol(line.substr(6));
  }
  return 0;
}

int die(const Status& s) {
  std::fprintf(stderr, "error: %s\n", s.toString().c_str());
  return 1;
}

}  // namespace

int main(int argc, char** argv) {
  std::string corpus, queries, data = "bench/data/bench-ward";
  int user_groups = 5, rounds = 3;
  bool skip_ingest = false, persist = true, compare_pruning = false;
  WardConfig config;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    auto next = [&]() -> std::string { return i + 1 < argc ? argv[++i] : ""; };
    if (a == "--corpus")
      corpus = next();
    else if (a == "--queries")
      queries = next();
    else if (a == "--data")
      data = next();
    else if (a == "--groups")
      user_groups = std::stoi(next());
    else if (a == "--rounds")
      rounds = std::stoi(next());
    else if (a == "--skip-ingest")
      skip_ingest = true;
    else if (a == "--no-persist")
      persist = false;
    else if (a == "--compare-pruning")
      compare_pruning = true;
    else if (a == "--checkpoint-changes")
      config.index.checkpoint_changes = std::stoll(next());
  }
  if (queries.empty() || (corpus.empty() && !skip_ingest)) {
    std::fprintf(stderr, "usage: search_bench --corpus FILE.jsonl --queries QUERIES.jsonl\n");
    return 2;
  }
  if (!skip_ingest) std::filesystem::remove_all(data);
  std::filesystem::create_directories(data);
  auto store = store::openSqliteStore(data + "/ward.db");
  if (!store.ok()) return die(store.status());
  audit::AuditSinkOptions audit_options;
  audit_options.log.dir = data + "/audit";
  auto traces = audit::openAuditLogSink(audit_options);
  if (!traces.ok()) return die(traces.status());
  if (Status s = (*store)->ensureTenant("default"); !s.ok()) return die(s);
  long rss_before = rssKiB();
  const auto open_start = std::chrono::steady_clock::now();
  auto index = index::openIndex(persist ? data + "/index" : "", **store, config.index);
  if (!index.ok()) return die(index.status());
  std::printf("index open: %.2f s (%s)\n",
              std::chrono::duration<double>(std::chrono::steady_clock::now() - open_start).count(),
              (*index)->stats().loaded ? "loaded from index/" : "built from the store");
  ingest::IngestService ingester(**store, **index, **traces, config.ingest);
  if (!skip_ingest) {
    ingest::JsonlIngestOptions jsonl;
    jsonl.default_source = "synthetic";
    auto report = ingester.ingestJsonlFile("default", corpus, jsonl, nullptr);
    if (!report.ok()) return die(report.status());
    std::printf("ingest: %lld docs, %lld chunks, %.1f MB in %.1f s = %.1f MB/s end to end\n",
                static_cast<long long>(report->created), static_cast<long long>(report->chunks),
                static_cast<double>(report->bytes) / 1e6, report->seconds,
                static_cast<double>(report->bytes) / 1e6 / report->seconds);
    const auto cp_start = std::chrono::steady_clock::now();
    Status cp = (*index)->checkpoint();
    if (!cp.ok()) return die(cp);
    const double cp_s =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - cp_start).count();
    uint64_t on_disk = 0;
    if (persist) {
      for (const auto& e : std::filesystem::directory_iterator(data + "/index")) {
        if (e.is_regular_file()) on_disk += e.file_size();
      }
    }
    std::printf(
        "final checkpoint: %.2f s, index/ holds %.1f MB; ingest + final checkpoint = "
        "%.1f MB/s\n",
        cp_s, static_cast<double>(on_disk) / 1e6,
        static_cast<double>(report->bytes) / 1e6 / (report->seconds + cp_s));
  }
  auto st = (*store)->stats();
  index::IndexStats is = (*index)->stats();
  std::printf(
      "index: %lld chunks, %lld terms, %lld segments; index memory %.1f MB vs raw chunk "
      "text %.1f MB (ratio %.2f); process RSS grew %.1f MB\n",
      static_cast<long long>(is.chunks), static_cast<long long>(is.terms),
      static_cast<long long>(is.segments), static_cast<double>(is.memory_bytes) / 1e6,
      static_cast<double>(st->text_bytes) / 1e6,
      static_cast<double>(is.memory_bytes) / static_cast<double>(st->text_bytes),
      static_cast<double>(rssKiB() - rss_before) / 1024.0);

  // A user holding `user_groups` of the groups g0..g99.
  std::string user = "bench-user";
  if (!(*store)->findPrincipal("default", user).ok()) {
    auto made = (*store)->createPrincipal("default", user, identity::PrincipalKind::kUser, false);
    if (!made.ok()) return die(made.status());
    for (int g = 0; g < user_groups; ++g) {
      std::string name = "g" + std::to_string(g * (100 / std::max(1, user_groups)));
      auto group =
          (*store)->createPrincipal("default", name, identity::PrincipalKind::kGroup, false);
      if (!group.ok()) return die(group.status());
      if (Status s = (*store)->addMembership("default", user, name); !s.ok()) return die(s);
    }
  }
  auto who = identity::resolvePrincipal(**store, "default", user);
  if (!who.ok()) return die(who.status());

  std::vector<std::string> texts;
  std::ifstream in(queries);
  std::string line;
  while (std::getline(in, line)) {
    auto j = parseJson(line);
    if (j.ok() && j->contains("text")) texts.push_back((*j)["text"].get<std::string>());
  }
  search::SearchService searcher(**store, **index, **traces, config.search);
  std::vector<double> full_ms;
  int64_t visible_hits = 0;
  for (int r = 0; r < rounds; ++r) {
    for (const auto& q : texts) {
      search::SearchRequest req;
      req.query = q;
      req.k = 10;
      auto res = searcher.search(*who, req, trace::TraceContext::generate());
      if (!res.ok()) continue;
      if (r > 0) full_ms.push_back(res->took_ms);
      visible_hits += static_cast<int64_t>(res->hits.size());
    }
  }
  std::printf(
      "search as %s (%d groups of 100, sees %.1f%%): %zu queries x %d rounds, top-10, "
      "one thread\n",
      user.c_str(), user_groups, 100.0 * user_groups / 100.0, texts.size(), rounds - 1);
  std::printf(
      "full search (parse, ACL'd BM25F, snippets, citations, trace): p50 %.3f ms, "
      "p99 %.3f ms, mean hits %.1f\n",
      percentile(full_ms, 0.5), percentile(full_ms, 0.99),
      static_cast<double>(visible_hits) / static_cast<double>(texts.size() * rounds));

  // --compare-pruning: the index alone, pruned (what a search does) against exhaustive scoring,
  // on each query's analyzed words with weight 1 (no long-query rules, phrases or identifiers):
  // the same top 10, and the postings whose contribution was computed.
  if (!compare_pruning) return 0;
  index::BM25Params params{config.search.k1, config.search.b, config.search.title_weight,
                           config.search.heading_weight, config.search.body_weight};
  std::vector<index::IndexQuery> plain;
  for (const auto& q : texts) {
    std::vector<text::Token> tokens;
    text::threadAnalyzer().analyze(q, tokens);
    index::IndexQuery iq;
    for (const auto& t : tokens) iq.terms.push_back(index::QueryTerm{t.term, 1.0});
    iq.any_of_tokens = who->acl_tokens;
    iq.k = 10;
    plain.push_back(std::move(iq));
  }
  for (bool exhaustive : {false, true}) {
    std::vector<double> ms;
    int64_t scored = 0, differing = 0;
    for (int r = 0; r < rounds; ++r) {
      for (auto& iq : plain) {
        iq.exhaustive = exhaustive;
        const auto t0 = std::chrono::steady_clock::now();
        auto res = (*index)->search(iq, params);
        const auto t1 = std::chrono::steady_clock::now();
        if (!res.ok()) return die(res.status());
        if (r == 0) {
          scored += res->postings_scored;
          index::IndexQuery other = iq;
          other.exhaustive = !exhaustive;
          auto check = (*index)->search(other, params);
          if (!check.ok()) return die(check.status());
          bool same = check->top.size() == res->top.size();
          for (size_t i = 0; same && i < res->top.size(); ++i) {
            same = check->top[i].chunk_id == res->top[i].chunk_id &&
                   check->top[i].score == res->top[i].score;
          }
          differing += same ? 0 : 1;
        } else {
          ms.push_back(std::chrono::duration<double, std::milli>(t1 - t0).count());
        }
      }
    }
    std::printf(
        "index only, %s: p50 %.3f ms, p99 %.3f ms, postings scored per query %.0f, top-10 "
        "differing from the other mode in %lld queries\n",
        exhaustive ? "exhaustive" : "pruned", percentile(ms, 0.5), percentile(ms, 0.99),
        static_cast<double>(scored) / static_cast<double>(std::max<size_t>(1, plain.size())),
        static_cast<long long>(differing));
  }
  return 0;
}
