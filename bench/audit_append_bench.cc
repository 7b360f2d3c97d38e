// Audit-log append throughput and latency against SQLite, all in one run.
//
//   build/bench/audit_append_bench [--dir DIR] [--records N] [--threads T] [--record-bytes B]
//
// 1. AuditLog with group commit: T appender threads, each record ~B bytes (hashed, chained and
//    checksummed), one fsync per group. Prints records/s and per-append latency p50/p99.
//    Then 1 and 4 threads appending 64-record batches with appendBatch().
// 2. SQLite, WAL, synchronous=FULL, the same records in 64-record transactions.
// 3. SQLite, WAL, synchronous=FULL, one transaction (commit) per record.
// 4. The floor: one thread doing a raw write() + fdatasync() per record on a growing file in the
//    same folder, each write exactly as many bytes as the audit log wrote per record in (1)'s
//    one-thread run (its files' size over its record count). Prints the audit log's one-thread
//    latency over this floor (issue 22's target: <= 1.2x).
// Every variant is durable when it reports a record done. DIR defaults to a fresh folder under
// $TMPDIR (or /tmp), removed at the end.
#include <fcntl.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "ward/audit/audit_log.h"

namespace {

using Clock = std::chrono::steady_clock;

struct Args {
  std::string dir;
  size_t records = 200000;
  int threads = 32;
  size_t record_bytes = 1024;
};

std::vector<std::string> makeRecords(size_t n, size_t bytes) {
  std::mt19937_64 rng(42);
  static const char kAlphabet[] = "abcdefghijklmnopqrstuvwxyz0123456789 ";
  std::vector<std::string> out;
  out.reserve(n);
  for (size_t i = 0; i < n; ++i) {
    std::string s = "{\"attributes\":{\"i\":" + std::to_string(i) + ",\"query\":\"";
    while (s.size() + 3 < bytes) s.push_back(kAlphabet[rng() % (sizeof kAlphabet - 1)]);
    s += "\"}}";
    out.push_back(std::move(s));
  }
  return out;
}

double percentile(std::vector<double>& v, double p) {
  if (v.empty()) return 0;
  size_t k = static_cast<size_t>(p * static_cast<double>(v.size() - 1));
  std::nth_element(v.begin(), v.begin() + static_cast<long>(k), v.end());
  return v[k];
}

struct RunFigures {
  double p50 = 0, p99 = 0;
  double bytes_per_record = 0;  // what the log's segments (*.wal) grew by, per record
};

// T threads, each appending `batch` records per call (1: append(); more: appendBatch(), like a
// SQLite transaction of that many records).
RunFigures runAuditLog(const Args& a, const std::vector<std::string>& all_recs, int threads,
                       size_t batch) {
  // Few records in flight mean small groups and one fsync per few records: cap the run's length.
  std::vector<std::string> recs(
      all_recs.begin(),
      all_recs.begin() +
          static_cast<long>(
              std::min(all_recs.size(), size_t{2000} * static_cast<size_t>(threads) * batch)));
  std::string dir = a.dir + "/audit-" + std::to_string(threads) + "x" + std::to_string(batch);
  ward::audit::AuditLogOptions o;
  o.dir = dir;
  auto log = ward::audit::AuditLog::open(o);
  if (!log.ok()) {
    std::fprintf(stderr, "open: %s\n", log.status().toString().c_str());
    std::exit(1);
  }
  std::atomic<size_t> next{0};
  std::vector<std::vector<double>> lat(static_cast<size_t>(threads));
  auto start = Clock::now();
  std::vector<std::thread> pool;
  for (int t = 0; t < threads; ++t) {
    pool.emplace_back([&, t] {
      auto& mine = lat[static_cast<size_t>(t)];
      std::vector<std::string_view> views;
      for (size_t i; (i = next.fetch_add(batch)) < recs.size();) {
        views.clear();
        for (size_t j = i; j < std::min(recs.size(), i + batch); ++j) views.push_back(recs[j]);
        auto t0 = Clock::now();
        auto r = batch == 1 ? (*log)->append(views[0]) : (*log)->appendBatch(views);
        if (!r.ok()) {
          std::fprintf(stderr, "append: %s\n", r.status().toString().c_str());
          std::exit(1);
        }
        mine.push_back(std::chrono::duration<double, std::micro>(Clock::now() - t0).count());
      }
    });
  }
  for (auto& t : pool) t.join();
  double secs = std::chrono::duration<double>(Clock::now() - start).count();
  std::vector<double> merged;
  for (auto& v : lat) merged.insert(merged.end(), v.begin(), v.end());
  double p50 = percentile(merged, 0.50), p99 = percentile(merged, 0.99);
  std::string what = "audit log, " + std::to_string(threads) + " threads" +
                     (batch == 1 ? "" : " x " + std::to_string(batch) + "-record batches");
  std::printf("%-44s %10.0f records/s  p50 %8.1f us  p99 %8.1f us  (per append, %zu records)\n",
              what.c_str(), static_cast<double>(recs.size()) / secs, p50, p99, recs.size());
  log->reset();
  uintmax_t bytes = 0;
  for (const auto& e : std::filesystem::recursive_directory_iterator(dir)) {
    if (e.is_regular_file() && e.path().extension() == ".wal") bytes += e.file_size();
  }
  return {p50, p99, static_cast<double>(bytes) / static_cast<double>(recs.size())};
}

// The floor under a durable one-thread append: write() + fdatasync() of the same number of bytes
// per record on a file that grows, as the log's segment does. No hashing, framing or group commit.
RunFigures runRawFdatasync(const Args& a, size_t bytes_per_record, size_t n) {
  std::string path = a.dir + "/raw-fdatasync.bin";
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
  if (fd < 0) {
    std::perror("open");
    std::exit(1);
  }
  std::string block(bytes_per_record, 'x');
  std::vector<double> lat;
  lat.reserve(n);
  auto start = Clock::now();
  for (size_t i = 0; i < n; ++i) {
    auto t0 = Clock::now();
    if (::write(fd, block.data(), block.size()) != static_cast<ssize_t>(block.size()) ||
        ::fdatasync(fd) != 0) {
      std::perror("write/fdatasync");
      std::exit(1);
    }
    lat.push_back(std::chrono::duration<double, std::micro>(Clock::now() - t0).count());
  }
  double secs = std::chrono::duration<double>(Clock::now() - start).count();
  ::close(fd);
  double p50 = percentile(lat, 0.50), p99 = percentile(lat, 0.99);
  std::printf("%-44s %10.0f records/s  p50 %8.1f us  p99 %8.1f us  (per write, %zu bytes each)\n",
              "raw write + fdatasync, 1 thread", static_cast<double>(n) / secs, p50, p99,
              bytes_per_record);
  return {p50, p99, static_cast<double>(bytes_per_record)};
}

void check(int rc, sqlite3* db, const char* what) {
  if (rc != SQLITE_OK && rc != SQLITE_DONE && rc != SQLITE_ROW) {
    std::fprintf(stderr, "sqlite %s: %s\n", what, sqlite3_errmsg(db));
    std::exit(1);
  }
}

void runSqlite(const Args& a, const std::vector<std::string>& recs, size_t per_txn, size_t limit) {
  std::string path = a.dir + "/sqlite-" + std::to_string(per_txn) + ".db";
  sqlite3* db = nullptr;
  check(sqlite3_open(path.c_str(), &db), db, "open");
  check(sqlite3_exec(db,
                     "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;"
                     "CREATE TABLE log(id INTEGER PRIMARY KEY, body BLOB NOT NULL);",
                     nullptr, nullptr, nullptr),
        db, "setup");
  sqlite3_stmt* ins = nullptr;
  check(sqlite3_prepare_v2(db, "INSERT INTO log(body) VALUES(?)", -1, &ins, nullptr), db, "prep");
  size_t n = std::min(limit, recs.size());
  std::vector<double> lat;
  auto start = Clock::now();
  for (size_t i = 0; i < n; i += per_txn) {
    auto t0 = Clock::now();
    check(sqlite3_exec(db, "BEGIN", nullptr, nullptr, nullptr), db, "begin");
    for (size_t j = i; j < std::min(n, i + per_txn); ++j) {
      sqlite3_bind_blob(ins, 1, recs[j].data(), static_cast<int>(recs[j].size()), SQLITE_STATIC);
      check(sqlite3_step(ins), db, "insert");
      sqlite3_reset(ins);
    }
    check(sqlite3_exec(db, "COMMIT", nullptr, nullptr, nullptr), db, "commit");
    lat.push_back(std::chrono::duration<double, std::micro>(Clock::now() - t0).count());
  }
  double secs = std::chrono::duration<double>(Clock::now() - start).count();
  sqlite3_finalize(ins);
  sqlite3_close(db);
  double p50 = percentile(lat, 0.50), p99 = percentile(lat, 0.99);
  std::printf("%-44s %10.0f records/s  p50 %8.1f us  p99 %8.1f us  (per commit, %zu records)\n",
              ("sqlite WAL sync=FULL, " + std::to_string(per_txn) + " records/txn").c_str(),
              static_cast<double>(n) / secs, p50, p99, n);
}

}  // namespace

int main(int argc, char** argv) {
  Args a;
  std::vector<int> thread_counts;
  for (int i = 1; i < argc; ++i) {
    std::string k = argv[i];
    auto val = [&]() -> std::string {
      if (i + 1 >= argc) {
        std::fprintf(stderr, "%s needs a value\n", k.c_str());
        std::exit(2);
      }
      return argv[++i];
    };
    if (k == "--dir") {
      a.dir = val();
    } else if (k == "--records") {
      a.records = std::stoul(val());
    } else if (k == "--threads") {
      thread_counts.push_back(std::stoi(val()));
    } else if (k == "--record-bytes") {
      a.record_bytes = std::stoul(val());
    } else {
      std::fprintf(stderr,
                   "usage: %s [--dir DIR] [--records N] [--threads T]... [--record-bytes B]\n",
                   argv[0]);
      return 2;
    }
  }
  if (thread_counts.empty()) thread_counts = {1, 8, 64, 256};
  const std::vector<int> batch_threads = {1, 4};
  bool own_dir = a.dir.empty();
  if (own_dir) {
    const char* base = std::getenv("TMPDIR");
    std::string tmpl = std::string(base && *base ? base : "/tmp") + "/ward_audit_bench_XXXXXX";
    if (::mkdtemp(tmpl.data()) == nullptr) return 1;
    a.dir = tmpl;
  }
  std::filesystem::create_directories(a.dir);
  auto recs = makeRecords(a.records, a.record_bytes);
  std::printf("%zu records of %zu bytes in %s\n", recs.size(), a.record_bytes, a.dir.c_str());
  RunFigures one_thread;
  bool have_one_thread = false;
  for (int t : thread_counts) {
    RunFigures f = runAuditLog(a, recs, t, 1);
    if (t == 1) one_thread = f, have_one_thread = true;
  }
  for (int t : batch_threads) runAuditLog(a, recs, t, 64);
  runSqlite(a, recs, 64, recs.size());
  runSqlite(a, recs, 1, std::min<size_t>(recs.size(), 5000));
  if (have_one_thread) {
    // Same count as the log's one-thread run (min(N, 2000)), so both see the same file growth.
    RunFigures raw = runRawFdatasync(a, static_cast<size_t>(one_thread.bytes_per_record + 0.5),
                                     std::min<size_t>(recs.size(), 2000));
    std::printf("audit log 1 thread over raw fdatasync: p50 %.2fx  p99 %.2fx  (target <= 1.2x)\n",
                one_thread.p50 / raw.p50, one_thread.p99 / raw.p99);
  }
  if (own_dir) std::filesystem::remove_all(a.dir);
  return 0;
}
