// AuditLog: group commit over hash-chained segment files, a Merkle tree over the records and
// signed checkpoints (concurrency design in audit_log_impl.h; segments and recovery in
// audit_log_recovery.cc). The layout is in docs/formats/audit-log.md.
#include "audit_log_impl.h"
#include "ward/common/json.h"
#include "ward/common/log.h"
#include "ward/common/mutex.h"

namespace ward::audit {

std::string auditLogSegmentsDir(const std::string& dir) { return dir + "/log"; }
std::string auditCheckpointsPath(const std::string& dir) { return dir + "/checkpoints.jsonl"; }
std::string auditSigningKeyPath(const std::string& dir) { return dir + "/signing.key"; }

Status AuditLog::Impl::writeCheckpointLocked(Checkpoint* out) {
  Checkpoint c;
  {
    MutexLock l(state_mu_);
    c.tree_size = frontier_.size();
    c.root = frontier_.root();
  }
  c.time_us = opts_.clock->nowMicros();
  WARD_RETURN_IF_ERROR(signer_->sign(c));
  // Another process may have crashed mid-line: start on a fresh line.
  WARD_ASSIGN_OR_RETURN(uint64_t size, checkpoints_->size());
  if (size > 0) {
    uint64_t from = size > 65536 ? size - 65536 : 0;
    WARD_ASSIGN_OR_RETURN(std::string tail, checkpoints_->readAt(from, size - from));
    if (!tail.empty() && tail.back() != '\n') {
      size_t nl = tail.rfind('\n');
      WARD_RETURN_IF_ERROR(checkpoints_->truncate(nl == std::string::npos ? from : from + nl + 1));
    }
  }
  WARD_RETURN_IF_ERROR(checkpoints_->append(dumpJson(c.toJson()) + "\n"));
  WARD_RETURN_IF_ERROR(checkpoints_->sync());
  last_cp_size_ = c.tree_size;
  last_cp_time_us_ = c.time_us;
  if (out) *out = c;
  return Status();
}

Status AuditLog::Impl::leadGroup(const std::vector<WriterPtr>& group) {
  WARD_ASSIGN_OR_RETURN(auto lock, lock_file_->lock());
  WARD_RETURN_IF_ERROR(catchUpLocked());
  bool records = false;
  for (const WriterPtr& w : group) records |= !w->is_checkpoint;
  if (records) {
    if (active_size_ >= opts_.segment_bytes || active_sealed_) {
      WARD_RETURN_IF_ERROR(newSegmentLocked());
    }
    size_t bytes = 0, count = 0;
    for (const WriterPtr& w : group) {
      bytes += kRecordHeaderBytes * w->bodies.size() + w->bytes;
      count += w->bodies.size();
    }
    std::string buf;
    buf.reserve(bytes);
    std::vector<Hash> leaves;
    leaves.reserve(count);
    ChainPosition p = pos_;
    for (const WriterPtr& w : group) {
      w->index = p.next_index;
      for (size_t i = 0; i < w->bodies.size(); ++i) {
        p.prev = appendRecordHeader(buf, p.next_index, p.prev,
                                    static_cast<uint32_t>(w->bodies[i].size()), w->digests[i]);
        buf.append(w->bodies[i]);
        leaves.push_back(p.prev);
        ++p.next_index;
      }
    }
    WARD_RETURN_IF_ERROR(active_->append(buf));
    WARD_RETURN_IF_ERROR(active_->sync());
    active_size_ += buf.size();
    pos_ = p;
    publish(leaves);
  }
  bool requested = false;
  for (const WriterPtr& w : group) requested |= w->is_checkpoint;
  uint64_t n = pos_.next_index;
  int64_t now = opts_.clock->nowMicros();
  bool due = n > last_cp_size_ && (n - last_cp_size_ >= opts_.checkpoint_records ||
                                   now - last_cp_time_us_ >= opts_.checkpoint_seconds * 1'000'000);
  if (requested || due) {
    Checkpoint c;
    Status s = writeCheckpointLocked(&c);
    if (!s.ok()) logError("audit log: cannot write a checkpoint: " + s.message());
    for (const WriterPtr& w : group) {
      if (!w->is_checkpoint) continue;
      w->status = s;
      w->checkpoint = c;
    }
  }
  return Status();
}

Status AuditLog::Impl::submit(const WriterPtr& w) {
  {
    MutexLock l(mu_);
    if (!failed_.ok()) return failed_;
    queue_.push_back(w);
    if (queue_.size() == 1) {
      MutexLock wl(w->m);  // uncontended: nobody else can see it yet (mu_ before m, never after)
      w->state = GroupWriter::State::kLeader;
    }
  }
  if (w->await() == GroupWriter::State::kDone) return w->status;

  // Leader: take the front of the queue (this writer first), up to max_group_bytes.
  std::vector<WriterPtr> group;
  Status failed;
  {
    MutexLock l(mu_);
    failed = failed_;
    size_t bytes = 0;
    for (const WriterPtr& x : queue_) {
      if (!group.empty() && bytes + x->bytes > opts_.max_group_bytes) break;
      group.push_back(x);
      bytes += x->bytes;
    }
  }
  Status s = failed.ok() ? leadGroup(group) : failed;
  WriterPtr next;
  {
    MutexLock l(mu_);
    if (!s.ok() && failed_.ok()) {
      // The files' state is unknown now: refuse further appends until the log is reopened.
      failed_ = Status(s.code() == StatusCode::kCorruption ? s.code() : StatusCode::kUnavailable,
                       "audit log unusable after a failed write: " + s.message());
    }
    for (size_t i = 0; i < group.size(); ++i) queue_.pop_front();
    if (!queue_.empty()) next = queue_.front();
  }
  for (const WriterPtr& x : group) {
    if (!s.ok()) x->status = s;
    if (x != w) x->wake(GroupWriter::State::kDone);
  }
  // Woken last, so that the writers just released can queue up again and join its group.
  if (next) next->wake(GroupWriter::State::kLeader);
  return w->status;
}

Result<uint64_t> AuditLog::Impl::append(std::span<const std::string_view> bodies) {
  if (bodies.empty()) return Status::invalidArgument("an audit append needs at least one record");
  auto w = std::make_shared<GroupWriter>();
  w->bodies.assign(bodies.begin(), bodies.end());
  w->digests.reserve(bodies.size());
  for (std::string_view body : bodies) {
    if (body.empty()) return Status::invalidArgument("an audit record must not be empty");
    if (body.size() > opts_.max_record_bytes) {
      return Status::resourceExhausted("audit record of " + std::to_string(body.size()) +
                                       " bytes exceeds audit.max_record_bytes (" +
                                       std::to_string(opts_.max_record_bytes) + ")");
    }
    w->digests.push_back(digestBody(body));  // on the caller's thread, outside the serial section
    w->bytes += body.size();
  }
  if (w->bytes > opts_.max_group_bytes) {
    return Status::resourceExhausted("an audit batch of " + std::to_string(w->bytes) +
                                     " bytes exceeds audit.max_group_bytes (" +
                                     std::to_string(opts_.max_group_bytes) + ")");
  }
  Status s = submit(w);
  if (!s.ok()) return s;
  return w->index;
}

Result<Checkpoint> AuditLog::Impl::checkpoint() {
  auto w = std::make_shared<GroupWriter>();
  w->is_checkpoint = true;
  Status s = submit(w);
  if (!s.ok()) return s;
  return w->checkpoint;
}

void AuditLog::Impl::closeCheckpoint() {
  {
    MutexLock l(mu_);
    if (!failed_.ok() || !signer_ || !active_) return;
  }
  if (pos_.next_index <= last_cp_size_) return;
  auto c = checkpoint();
  if (!c.ok()) logError("audit log: closing checkpoint failed: " + c.status().message());
}

AuditLog::AuditLog(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

AuditLog::~AuditLog() { impl_->closeCheckpoint(); }

Result<std::unique_ptr<AuditLog>> AuditLog::open(const AuditLogOptions& options) {
  if (options.dir.empty()) return Status::invalidArgument("audit log directory is empty");
  auto impl = std::make_unique<Impl>(options);
  WARD_RETURN_IF_ERROR(impl->open());
  return std::unique_ptr<AuditLog>(new AuditLog(std::move(impl)));
}

Result<uint64_t> AuditLog::append(std::string_view body) {
  return impl_->append(std::span<const std::string_view>(&body, 1));
}
Result<uint64_t> AuditLog::appendBatch(std::span<const std::string_view> bodies) {
  return impl_->append(bodies);
}
Result<Checkpoint> AuditLog::checkpoint() { return impl_->checkpoint(); }
uint64_t AuditLog::size() const { return impl_->size(); }
Result<Hash> AuditLog::rootAt(uint64_t n) { return impl_->rootAt(n); }
Result<std::vector<Hash>> AuditLog::inclusionProof(uint64_t index, uint64_t n) {
  return impl_->inclusion(index, n);
}
Result<std::vector<Hash>> AuditLog::consistencyProof(uint64_t m, uint64_t n) {
  return impl_->consistency(m, n);
}
Result<Hash> AuditLog::leafAt(uint64_t index) { return impl_->leafAt(index); }
const CheckpointVerifier& AuditLog::verifier() const { return impl_->verifier(); }

}  // namespace ward::audit
