// `ward ask` overhead benchmark (docs/design/answer.md): the answer loop without a model, on a
// synthetic ACL corpus (bench/gen_corpus.py), retrieval of --k passages (default 10).
//
// Ingests the corpus (or opens --data with --skip-ingest), gives one user 5 of the 100 groups,
// then for every query times, in one thread: the search alone (SearchService::search, trace
// record included) and the whole extractive answer (AnswerService::ask: the same search, the
// chunk reads, the extractive answerer, citation verification with the readable-now re-check
// against the store, link filtering, the `answer` trace record). Prints p50/p99 of both and of
// their difference per query (what answering adds to retrieval), in wall time and in this
// thread's CPU time. The first round warms caches and is not counted.
//
// --no-audit records the search and answer events into a sink that drops them, to show the
// compute without the durable (fsync'd) audit writes.
//
// Usage: answer_bench --corpus FILE.jsonl --queries QUERIES.jsonl [--data DIR] [--rounds 3]
//                     [--k 10] [--skip-ingest] [--no-audit]
#include <time.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "percentile.h"
#include "ward/answer/answer_service.h"
#include "ward/audit/audit_trace_sink.h"
#include "ward/common/config.h"
#include "ward/identity/directory.h"
#include "ward/index/index.h"
#include "ward/ingest/ingest_service.h"
#include "ward/search/search_service.h"
#include "ward/store/store.h"

using namespace ward;

namespace {

int die(const Status& s) {
  std::fprintf(stderr, "error: %s\n", s.toString().c_str());
  return 1;
}

// Accepts every event and keeps none (--no-audit).
class DroppingSink final : public trace::TraceSink {
 public:
  Status record(const trace::TraceEvent&) override { return Status(); }
};

// This thread's CPU time in ms: on a busy machine wall time mostly measures waiting for a core
// (samples cluster on scheduler ticks); CPU time is the work itself (fsync waits excluded).
double threadCpuMs() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) * 1e3 + static_cast<double>(ts.tv_nsec) / 1e6;
}

double msSince(std::chrono::steady_clock::time_point t) {
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t).count();
}

}  // namespace

int main(int argc, char** argv) {
  std::string corpus, queries, data = "bench/data/answer-ward";
  int rounds = 3, k = 10;
  bool skip_ingest = false, no_audit = false;
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
    else if (a == "--rounds")
      rounds = std::stoi(next());
    else if (a == "--k")
      k = std::stoi(next());
    else if (a == "--skip-ingest")
      skip_ingest = true;
  }
  if (queries.empty() || (corpus.empty() && !skip_ingest)) {
    std::fprintf(stderr, "usage: answer_bench --corpus FILE.jsonl --queries QUERIES.jsonl\n");
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
  auto index = index::openIndex(data + "/index", **store, config.index);
  if (!index.ok()) return die(index.status());
  if (!skip_ingest) {
    ingest::IngestService ingester(**store, **index, **traces, config.ingest);
    ingest::JsonlIngestOptions jsonl;
    jsonl.default_source = "synthetic";
    auto report = ingester.ingestJsonlFile("default", corpus, jsonl, nullptr);
    if (!report.ok()) return die(report.status());
    std::printf("ingest: %lld docs, %lld chunks in %.1f s\n",
                static_cast<long long>(report->created), static_cast<long long>(report->chunks),
                report->seconds);
    Status cp = (*index)->checkpoint();
    if (!cp.ok()) return die(cp);
  }
  const std::string user = "bench-user";
  if (!(*store)->findPrincipal("default", user).ok()) {
    auto made = (*store)->createPrincipal("default", user, identity::PrincipalKind::kUser, false);
    if (!made.ok()) return die(made.status());
    for (int g = 0; g < 5; ++g) {
      std::string name = "g" + std::to_string(g * 20);
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
  DroppingSink dropping;
  trace::TraceSink& sink = no_audit ? static_cast<trace::TraceSink&>(dropping) : **traces;
  search::SearchService searcher(**store, **index, sink, config.search);
  answer::AnswerServiceOptions options;
  options.store = store->get();
  options.search = &searcher;
  options.traces = &sink;
  options.config.max_k = answer::kAnswerMaxKCeiling;
  answer::AnswerService answers(options);

  std::vector<double> search_ms, ask_ms, added_ms, search_cpu, ask_cpu, added_cpu;
  int64_t passages = 0, answered = 0;
  for (int r = 0; r < rounds; ++r) {
    for (const auto& q : texts) {
      search::SearchRequest sreq;
      sreq.query = q.substr(0, answer::kMaxQuestionBytes);
      sreq.k = k;
      auto t0 = std::chrono::steady_clock::now();
      const double c0 = threadCpuMs();
      auto s = searcher.search(*who, sreq, trace::TraceContext::generate());
      const double s_cpu = threadCpuMs() - c0;
      const double s_ms = msSince(t0);
      answer::AnswerRequest areq;
      areq.question = sreq.query;
      areq.k = k;
      auto t1 = std::chrono::steady_clock::now();
      const double c1 = threadCpuMs();
      auto a = answers.ask(*who, areq, trace::TraceContext::generate());
      const double a_cpu = threadCpuMs() - c1;
      const double a_ms = msSince(t1);
      if (!s.ok() || !a.ok()) continue;
      if (r == 0) continue;  // warm-up
      search_ms.push_back(s_ms);
      ask_ms.push_back(a_ms);
      added_ms.push_back(a_ms - s_ms);
      search_cpu.push_back(s_cpu);
      ask_cpu.push_back(a_cpu);
      added_cpu.push_back(a_cpu - s_cpu);
      passages += static_cast<int64_t>(a->retrieved.size());
      answered += a->shownCitations().empty() ? 0 : 1;
    }
  }
  const size_t n = ask_ms.size();
  std::printf(
      "%zu questions x %d rounds as %s, k=%d, one thread; mean passages %.1f, "
      "%lld answers with citations\n",
      texts.size(), rounds - 1, user.c_str(), k,
      n ? static_cast<double>(passages) / static_cast<double>(n) : 0.0,
      static_cast<long long>(answered));
  std::printf("search alone:                p50 %.3f ms, p99 %.3f ms\n",
              bench::percentile(search_ms, 0.5), bench::percentile(search_ms, 0.99));
  std::printf("ward ask (extractive, whole): p50 %.3f ms, p99 %.3f ms\n",
              bench::percentile(ask_ms, 0.5), bench::percentile(ask_ms, 0.99));
  std::printf("added by answering:          p50 %.3f ms, p99 %.3f ms\n",
              bench::percentile(added_ms, 0.5), bench::percentile(added_ms, 0.99));
  std::printf(
      "thread CPU time: search p50 %.3f ms; ward ask p50 %.3f ms, p99 %.3f ms; added by "
      "answering p50 %.3f ms, p99 %.3f ms\n",
      bench::percentile(search_cpu, 0.5), bench::percentile(ask_cpu, 0.5),
      bench::percentile(ask_cpu, 0.99), bench::percentile(added_cpu, 0.5),
      bench::percentile(added_cpu, 0.99));
  return 0;
}
