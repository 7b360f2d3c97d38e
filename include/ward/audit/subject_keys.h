// Content keys for crypto-shredding (docs/formats/audit-keys.md): per-subject and per-tenant-day
// AES-256 keys in <data>/audit/keys/, sealing of trace-event content under a key derived from
// both, and destruction of keys (erasure by subject, retention by day).
//
// Thread-safe: every method may be called from any thread. Several processes may share one
// key directory; destructions by another process are noticed before the next seal.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <span>
#include <string>
#include <vector>

#include "ward/common/mutex.h"
#include "ward/common/status.h"
#include "ward/io/file_system.h"
#include "ward/trace/trace.h"

namespace ward::audit {

struct SubjectKey {
  std::string key_id;  // 32 hex
  std::string kind;    // "subject" or "day"
  std::string tenant;
  std::string subject;  // principal name (kind subject)
  std::string day;      // YYYY-MM-DD (kind day)
  std::string key;      // 32 raw bytes
  int64_t created_us = 0;
};

// What one destruction did (for the tombstone event and the CLI / REST answer).
struct KeyDestruction {
  std::vector<std::string> key_ids;
};

// "YYYY-MM-DD" (UTC) of a time in µs since the epoch.
std::string utcDay(int64_t time_us);

class SubjectKeyStore {
 public:
  static constexpr size_t kMaxKeys = 1000000;

  // Opens (read_only: without creating anything) the key store in `dir` (<data>/audit/keys).
  static Result<std::unique_ptr<SubjectKeyStore>> open(io::FileSystem& fs, const std::string& dir,
                                                       bool read_only);

  // The `sealed` object for event.principal and event.attributes (format doc, "Sealed event
  // body"), creating the subject and day keys on first use. FailedPrecondition when read-only.
  Result<Json> seal(const trace::TraceEvent& event);
  // seal() for events recorded together (one audit append): the erasure list is checked once
  // for the batch (one stat, not one per event) and each event's keys are looked up under one
  // lock. The `sealed` objects in the events' order; any failure fails the whole batch.
  Result<std::vector<Json>> sealAll(std::span<const trace::TraceEvent> events);
  // The content of a sealed body object back: true and event.principal / attributes filled in
  // when the keys exist; false (event marked erased) when one was destroyed; Corruption on a
  // bad tag or a malformed object.
  Result<bool> unseal(const Json& sealed, trace::TraceEvent& event);

  // Destroys every key of `subject` in `tenant`; NotFound if it has none.
  Result<KeyDestruction> destroySubject(const std::string& tenant, const std::string& subject);
  // Destroys the day keys of `tenant` for days before `first_kept_day` (YYYY-MM-DD).
  Result<KeyDestruction> destroyDaysBefore(const std::string& tenant,
                                           const std::string& first_kept_day);
  // Day keys currently held for `tenant`, sorted (for status and tests).
  std::vector<std::string> days(const std::string& tenant);
  // Tenants that hold day keys, sorted.
  std::vector<std::string> tenants();

 private:
  SubjectKeyStore(io::FileSystem& fs, std::string dir, bool read_only)
      : fs_(fs), dir_(std::move(dir)), read_only_(read_only) {}

  Status loadAllLocked() WARD_REQUIRES(mu_);
  Status refreshIfErasedLocked() WARD_REQUIRES(mu_);
  Result<const SubjectKey*> keyForLocked(const std::string& kind, const std::string& tenant,
                                         const std::string& name, int64_t now_us)
      WARD_REQUIRES(mu_);
  Status destroyLocked(const SubjectKey& key, int64_t now_us) WARD_REQUIRES(mu_);
  Result<std::string> contentKeyLocked(const std::string& subject_id, const std::string& day_id)
      WARD_REQUIRES(mu_);

  io::FileSystem& fs_;
  const std::string dir_;
  const bool read_only_;
  Mutex mu_;
  std::map<std::string, SubjectKey> by_id_ WARD_GUARDED_BY(mu_);
  std::map<std::string, std::string> by_name_;  // kind/tenant/name -> id; mu_
  std::set<std::string> erased_ WARD_GUARDED_BY(mu_);
  std::set<std::string> looked_for_ WARD_GUARDED_BY(mu_);  // ids missing after a reload (readers)
  uint64_t erased_size_ WARD_GUARDED_BY(mu_) = 0;
  std::map<std::string, std::string> content_keys_ WARD_GUARDED_BY(mu_);  // ids -> key
  // A writer's erased.jsonl, open from open() on (its size is the erasure check); null for readers.
  std::unique_ptr<io::File> erased_file_;
};

// The key store decodeTraceEvent() opens sealed bodies with. A process that works on one data
// dir (the CLI, `ward serve`) registers it: setProcessKeyStore() lends a writer's store (reset
// to null before it is destroyed); setProcessKeyDir() names the key dir, from which a read-only
// store is opened on first use. Thread-safe.
void setProcessKeyStore(SubjectKeyStore* keys);
void setProcessKeyDir(io::FileSystem* fs, const std::string& dir);
// The lent store, else the read-only one for the registered dir, else null.
SubjectKeyStore* processKeyStore();

// Erasure of a data subject: destroys its keys, then records an `erasure` tombstone (never
// naming the subject) through `sink` as `actor`. NotFound when the subject has no key.
Result<KeyDestruction> eraseSubject(SubjectKeyStore& keys, trace::TraceSink& sink,
                                    const std::string& tenant, const std::string& subject,
                                    const std::string& actor);
// Retention: destroys the tenant's day keys older than `retention_days` full days before
// now_us (0 = keep forever, nothing happens) and records one tombstone if any went.
Result<KeyDestruction> applyRetention(SubjectKeyStore& keys, trace::TraceSink& sink,
                                      const std::string& tenant, int64_t retention_days,
                                      int64_t now_us);

}  // namespace ward::audit
