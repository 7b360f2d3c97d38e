// Private to src/audit: the state behind AuditLog, shared by audit_log.cc (group commit,
// checkpoints) and audit_log_recovery.cc (segments, open, catch-up, recovery).
//
// Concurrency: appenders queue under mu_. The writer at the front of the queue is the leader: it
// takes the queue (up to max_group_bytes), drops mu_, and alone touches the "leader state"
// (files, chain position, checkpoint bookkeeping) while holding the cross-process flock. Leaf
// hashes become visible to readers (state_mu_) only once they are durable.
//
// Each writer sleeps on its own mutex and condition variable, and is shared-owned, so the leader
// can wake it after dropping mu_: a finished group wakes only its members, and none of them
// then queues on mu_ behind the others.
#pragma once

#include <condition_variable>
#include <deque>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "record_codec.h"
#include "segment_scanner.h"
#include "ward/audit/audit_log.h"
#include "ward/common/mutex.h"
#include "ward/io/file_system.h"
#include "ward/io/held_lock_file.h"

namespace ward::audit {

// One append of one or more records (or a checkpoint request) waiting for its group commit.
// A batch's records get consecutive indexes and are made durable together.
struct GroupWriter {
  enum class State { kWaiting, kLeader, kDone };
  std::vector<std::string_view> bodies;
  std::vector<BodyDigest> digests;
  size_t bytes = 0;  // sum of the bodies' sizes
  bool is_checkpoint = false;
  Status status;
  uint64_t index = 0;  // the first record's index
  Checkpoint checkpoint;

  Mutex m;
  CondVar cv;
  State state WARD_GUARDED_BY(m) = State::kWaiting;

  void wake(State to) {
    {
      MutexLock l(m);
      state = to;
    }
    cv.notifyOne();
  }
  State await() {
    MutexLock l(m);
    cv.wait(l, [&]() WARD_REQUIRES(m) { return state != State::kWaiting; });
    return state;
  }
};
using WriterPtr = std::shared_ptr<GroupWriter>;

// Cuts a torn tail off the active segment (rewriting the header if even that was torn).
Status repairTail(io::File& file, const SegmentScan& scan, const SegmentHeader& header);

class AuditLog::Impl {
 public:
  explicit Impl(const AuditLogOptions& o) : opts_(o) {
    if (opts_.fs == nullptr) opts_.fs = &io::posixFileSystem();
    if (opts_.clock == nullptr) opts_.clock = &SystemClock::instance();
  }

  Status open();
  Result<uint64_t> append(std::span<const std::string_view> bodies);
  Result<Checkpoint> checkpoint();
  void closeCheckpoint();

  uint64_t size() const {
    MutexLock l(state_mu_);
    return leaves_base_ + leaves_.size();
  }
  Result<Hash> rootAt(uint64_t n) {
    WARD_RETURN_IF_ERROR(loadAllLeaves());
    MutexLock l(state_mu_);
    WARD_RETURN_IF_ERROR(checkSize(n));
    return merkleRoot(std::span<const Hash>(leaves_.data(), n));
  }
  Result<std::vector<Hash>> inclusion(uint64_t index, uint64_t n) {
    WARD_RETURN_IF_ERROR(loadAllLeaves());
    MutexLock l(state_mu_);
    WARD_RETURN_IF_ERROR(checkSize(n));
    return audit::inclusionProof(std::span<const Hash>(leaves_.data(), n), index);
  }
  Result<std::vector<Hash>> consistency(uint64_t m, uint64_t n) {
    WARD_RETURN_IF_ERROR(loadAllLeaves());
    MutexLock l(state_mu_);
    WARD_RETURN_IF_ERROR(checkSize(n));
    return audit::consistencyProof(std::span<const Hash>(leaves_.data(), n), m);
  }
  Result<Hash> leafAt(uint64_t index) {
    WARD_RETURN_IF_ERROR(loadAllLeaves());
    MutexLock l(state_mu_);
    if (index >= leaves_.size()) {
      return Status::notFound("audit log has no record " + std::to_string(index));
    }
    return leaves_[index];
  }
  const CheckpointVerifier& verifier() const { return signer_->verifier(); }

 private:
  // Opening reads only the last segment; proofs need every leaf, read here once on demand.
  Status loadAllLeaves();
  // Full scan of every segment (when the last segment's header is torn).
  Status openFromFirstSegment(const std::vector<std::pair<uint64_t, std::string>>& segments);
  // Checks a segment header against the tree so far (all earlier leaves published).
  Status checkHeader(const std::string& name, const SegmentHeader& h);
  SegmentHeader currentHeader();
  Status checkSize(uint64_t n) const WARD_REQUIRES(state_mu_) {
    if (n > leaves_base_ + leaves_.size()) {
      return Status::invalidArgument("tree size " + std::to_string(n) + " is past the " +
                                     std::to_string(leaves_base_ + leaves_.size()) +
                                     " records of the log");
    }
    return Status();
  }
  std::string segPath(const std::string& name) const {
    return auditLogSegmentsDir(opts_.dir) + "/" + name;
  }
  // Queues `w` and returns its status once a leader (maybe this thread) has handled it.
  Status submit(const WriterPtr& w);
  // The leader's work for one group; returns the status of its records.
  Status leadGroup(const std::vector<WriterPtr>& group);
  Status catchUpLocked();
  Status scanInto(io::File& file, const std::string& name, uint64_t first, uint64_t start,
                  bool is_last, SegmentScan* scan);
  Status newSegmentLocked();
  Status writeCheckpointLocked(Checkpoint* out);
  void publish(std::vector<Hash>& leaves);

  AuditLogOptions opts_;
  std::optional<CheckpointSigner> signer_;

  Mutex mu_;
  std::deque<WriterPtr> queue_ WARD_GUARDED_BY(mu_);
  Status failed_ WARD_GUARDED_BY(mu_);  // sticky after an I/O failure

  // The cross-process lock file (audit/LOCK), opened once by open() and kept open: each group
  // takes its flock without opening the file again.
  std::unique_ptr<io::HeldLockFile> lock_file_;

  // Leader state: touched only by the current leader (or by open / the destructor).
  std::unique_ptr<io::File> active_;
  std::string active_name_;
  uint64_t active_first_ = 0;
  uint64_t active_size_ = 0;
  bool active_sealed_ = false;  // the active segment ended with the seal: roll before writing
  ChainPosition pos_;
  std::unique_ptr<io::File> checkpoints_;
  uint64_t last_cp_size_ = 0;
  int64_t last_cp_time_us_ = 0;

  Mutex load_mu_;  // serialises loadAllLeaves

  mutable Mutex state_mu_;
  uint64_t leaves_base_ WARD_GUARDED_BY(state_mu_) = 0;  // index of leaves_[0] (0 once all loaded)
  std::vector<Hash> leaves_ WARD_GUARDED_BY(state_mu_);  // durable records' leaf hashes
  MerkleFrontier frontier_ WARD_GUARDED_BY(state_mu_);
};

}  // namespace ward::audit
