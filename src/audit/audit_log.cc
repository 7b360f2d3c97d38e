// AuditLog: group commit over hash-chained segment files, a Merkle tree over the records and
// signed checkpoints. The layout and recovery rules are in docs/formats/audit-log.md.
//
// Concurrency: appenders queue under mu_. The writer at the front of the queue is the leader: it
// takes the queue (up to max_group_bytes), drops mu_, and alone touches the "leader state"
// (files, chain position, checkpoint bookkeeping) while holding the cross-process flock. Leaf
// hashes become visible to readers (state_mu_) only once they are durable.
//
// Each writer sleeps on its own mutex and condition variable, and is shared-owned, so the leader
// can wake it after dropping mu_: a finished group wakes only its members, and none of them
// then queues on mu_ behind the others.
#include "ward/audit/audit_log.h"

#include <condition_variable>
#include <deque>
#include <memory>
#include <mutex>

#include "record_codec.h"
#include "segment_scanner.h"
#include "ward/common/json.h"
#include "ward/common/log.h"
#include "ward/io/file_system.h"

namespace ward::audit {

std::string auditLogSegmentsDir(const std::string& dir) { return dir + "/log"; }
std::string auditCheckpointsPath(const std::string& dir) { return dir + "/checkpoints.jsonl"; }
std::string auditSigningKeyPath(const std::string& dir) { return dir + "/signing.key"; }

namespace {

struct Writer {
  enum class State { kWaiting, kLeader, kDone };
  std::string_view body;
  BodyDigest digest;
  bool is_checkpoint = false;
  bool done = false;
  Status status;
  uint64_t index = 0;
  Checkpoint checkpoint;

  std::mutex m;
  std::condition_variable cv;
  State state = State::kWaiting;  // guarded by m

  void wake(State to) {
    {
      std::lock_guard<std::mutex> l(m);
      state = to;
    }
    cv.notify_one();
  }
  State await() {
    std::unique_lock<std::mutex> l(m);
    cv.wait(l, [&] { return state != State::kWaiting; });
    return state;
  }
};
using WriterPtr = std::shared_ptr<Writer>;

// Cuts a torn tail off the active segment (rewriting the header if even that was torn).
Status repairTail(io::File& file, const SegmentScan& scan, const SegmentHeader& header) {
  if (scan.torn_bytes == 0) return Status();
  WARD_RETURN_IF_ERROR(file.truncate(scan.valid_end));
  if (scan.header_torn) WARD_RETURN_IF_ERROR(file.append(encodeSegmentHeader(header)));
  return file.sync();
}

}  // namespace

class AuditLog::Impl {
 public:
  explicit Impl(const AuditLogOptions& o) : opts_(o) {
    if (opts_.fs == nullptr) opts_.fs = &io::posixFileSystem();
    if (opts_.clock == nullptr) opts_.clock = &SystemClock::instance();
  }

  Status open();
  Result<uint64_t> append(std::string_view body);
  Result<Checkpoint> checkpoint();
  void closeCheckpoint();

  uint64_t size() const {
    std::lock_guard<std::mutex> l(state_mu_);
    return leaves_base_ + leaves_.size();
  }
  Result<Hash> rootAt(uint64_t n) {
    WARD_RETURN_IF_ERROR(loadAllLeaves());
    std::lock_guard<std::mutex> l(state_mu_);
    WARD_RETURN_IF_ERROR(checkSize(n));
    return merkleRoot(std::span<const Hash>(leaves_.data(), n));
  }
  Result<std::vector<Hash>> inclusion(uint64_t index, uint64_t n) {
    WARD_RETURN_IF_ERROR(loadAllLeaves());
    std::lock_guard<std::mutex> l(state_mu_);
    WARD_RETURN_IF_ERROR(checkSize(n));
    return audit::inclusionProof(std::span<const Hash>(leaves_.data(), n), index);
  }
  Result<std::vector<Hash>> consistency(uint64_t m, uint64_t n) {
    WARD_RETURN_IF_ERROR(loadAllLeaves());
    std::lock_guard<std::mutex> l(state_mu_);
    WARD_RETURN_IF_ERROR(checkSize(n));
    return audit::consistencyProof(std::span<const Hash>(leaves_.data(), n), m);
  }
  Result<Hash> leafAt(uint64_t index) {
    WARD_RETURN_IF_ERROR(loadAllLeaves());
    std::lock_guard<std::mutex> l(state_mu_);
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
  Status checkSize(uint64_t n) const {
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

  std::mutex mu_;
  std::deque<WriterPtr> queue_;  // guarded by mu_
  Status failed_;                // guarded by mu_: sticky after an I/O failure

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

  std::mutex load_mu_;  // serialises loadAllLeaves

  mutable std::mutex state_mu_;
  uint64_t leaves_base_ = 0;  // guarded by state_mu_: index of leaves_[0] (0 once all loaded)
  std::vector<Hash> leaves_;  // guarded by state_mu_: durable records' leaf hashes
  MerkleFrontier frontier_;   // guarded by state_mu_
};

void AuditLog::Impl::publish(std::vector<Hash>& leaves) {
  std::lock_guard<std::mutex> l(state_mu_);
  for (const Hash& h : leaves) {
    leaves_.push_back(h);
    frontier_.append(h);
  }
  leaves.clear();
}

Status AuditLog::Impl::scanInto(io::File& file, const std::string& name, uint64_t first,
                                uint64_t start, bool is_last, SegmentScan* scan) {
  std::vector<Hash> found;
  ScanRequest req;
  req.file = &file;
  req.name = name;
  req.first_index = first;
  req.start_offset = start;
  req.is_last = is_last;
  req.on_record = [&](uint64_t, const Hash& leaf, std::string_view) {
    found.push_back(leaf);
    return Status();
  };
  req.on_header = [&](const SegmentHeader& h) { return checkHeader(name, h); };
  auto r = scanSegment(req, pos_);
  if (!r.ok()) return r.status();
  *scan = *r;
  if (scan->torn_bytes > 0) {
    logWarn("audit log: cutting a torn tail of " + std::to_string(scan->torn_bytes) +
            " bytes off " + name + " (" + scan->torn_reason + ")");
    SegmentHeader h = currentHeader();
    WARD_RETURN_IF_ERROR(repairTail(file, *scan, h));
    if (scan->header_torn) scan->valid_end = encodeSegmentHeader(h).size();
  }
  publish(found);
  return Status();
}

Status AuditLog::Impl::open() {
  io::FileSystem& fs = *opts_.fs;
  std::string log_dir = auditLogSegmentsDir(opts_.dir);
  WARD_RETURN_IF_ERROR(fs.createDirs(log_dir));
  WARD_ASSIGN_OR_RETURN(auto lock, fs.lock(opts_.dir + "/LOCK"));
  WARD_ASSIGN_OR_RETURN(auto signer,
                        CheckpointSigner::loadOrCreate(fs, auditSigningKeyPath(opts_.dir)));
  signer_.emplace(std::move(signer));

  WARD_ASSIGN_OR_RETURN(auto names, fs.list(log_dir));
  std::vector<std::pair<uint64_t, std::string>> segments;
  for (const auto& n : names) {
    uint64_t first;
    if (parseSegmentName(n, &first)) segments.emplace_back(first, n);
  }
  if (segments.empty()) {
    WARD_RETURN_IF_ERROR(newSegmentLocked());
  } else {
    // Fast path: the last segment's header says where the chain and the tree stand.
    const auto& [first, name] = segments.back();
    io::OpenOptions o;
    o.create = false;
    WARD_ASSIGN_OR_RETURN(auto file, fs.open(segPath(name), o));
    std::vector<Hash> found;
    ScanRequest req;
    req.file = file.get();
    req.name = name;
    req.first_index = first;
    req.is_last = true;
    req.adopt_header = true;
    req.on_header = [&](const SegmentHeader& h) -> Status {
      auto f = MerkleFrontier::fromStack(h.first_index, h.frontier);
      if (!f.ok())
        return Status::corruption("audit log segment " + name + ": " + f.status().message());
      std::lock_guard<std::mutex> l(state_mu_);
      frontier_ = std::move(f).value();
      leaves_base_ = h.first_index;
      return Status();
    };
    req.on_record = [&](uint64_t, const Hash& leaf, std::string_view) {
      found.push_back(leaf);
      return Status();
    };
    WARD_ASSIGN_OR_RETURN(SegmentScan scan, scanSegment(req, pos_));
    if (scan.header_torn) {
      WARD_RETURN_IF_ERROR(openFromFirstSegment(segments));
    } else {
      if (scan.torn_bytes > 0) {
        logWarn("audit log: cutting a torn tail of " + std::to_string(scan.torn_bytes) +
                " bytes off " + name + " (" + scan.torn_reason + ")");
        WARD_RETURN_IF_ERROR(repairTail(*file, scan, SegmentHeader{}));
      }
      publish(found);
      active_ = std::move(file);
      active_name_ = name;
      active_first_ = first;
      active_size_ = scan.valid_end;
      active_sealed_ = scan.sealed;
    }
  }

  // Checkpoints: cut a torn last line, remember the last one for the interval rules.
  std::string cp_path = auditCheckpointsPath(opts_.dir);
  bool existed = fs.exists(cp_path);
  WARD_ASSIGN_OR_RETURN(checkpoints_, fs.open(cp_path, io::OpenOptions{}));
  if (!existed) WARD_RETURN_IF_ERROR(fs.syncDir(opts_.dir));
  WARD_ASSIGN_OR_RETURN(auto cps, readCheckpointFile(fs, cp_path));
  last_cp_time_us_ = opts_.clock->nowMicros();
  if (!cps.empty()) {
    last_cp_size_ = cps.back().tree_size;
    last_cp_time_us_ = cps.back().time_us;
  }
  return Status();
}

Status AuditLog::Impl::openFromFirstSegment(
    const std::vector<std::pair<uint64_t, std::string>>& segments) {
  {
    std::lock_guard<std::mutex> l(state_mu_);
    leaves_.clear();
    leaves_base_ = 0;
    frontier_ = MerkleFrontier();
  }
  pos_ = ChainPosition();
  io::OpenOptions o;
  o.create = false;
  for (size_t i = 0; i < segments.size(); ++i) {
    const auto& [first, name] = segments[i];
    WARD_ASSIGN_OR_RETURN(auto file, opts_.fs->open(segPath(name), o));
    SegmentScan scan;
    WARD_RETURN_IF_ERROR(scanInto(*file, name, first, 0, i + 1 == segments.size(), &scan));
    if (i + 1 == segments.size()) {
      active_ = std::move(file);
      active_name_ = name;
      active_first_ = first;
      active_size_ = scan.valid_end;
      active_sealed_ = scan.sealed;
    }
  }
  return Status();
}

SegmentHeader AuditLog::Impl::currentHeader() {
  std::lock_guard<std::mutex> l(state_mu_);
  return SegmentHeader{pos_.next_index, pos_.prev, frontier_.stack()};
}

Status AuditLog::Impl::checkHeader(const std::string& name, const SegmentHeader& h) {
  std::lock_guard<std::mutex> l(state_mu_);
  if (frontier_.size() != h.first_index || frontier_.stack() != h.frontier) {
    return Status::corruption("audit log segment " + name +
                              ": the Merkle frontier in its header does not match the records "
                              "before it");
  }
  return Status();
}

Status AuditLog::Impl::loadAllLeaves() {
  std::lock_guard<std::mutex> load(load_mu_);
  uint64_t base;
  {
    std::lock_guard<std::mutex> l(state_mu_);
    base = leaves_base_;
  }
  if (base == 0) return Status();
  WARD_ASSIGN_OR_RETURN(auto names, opts_.fs->list(auditLogSegmentsDir(opts_.dir)));
  std::vector<Hash> prefix;
  MerkleFrontier frontier;
  ChainPosition pos;
  io::OpenOptions o;
  o.create = false;
  o.read_only = true;
  for (const auto& n : names) {
    uint64_t first;
    if (!parseSegmentName(n, &first) || first >= base) continue;
    WARD_ASSIGN_OR_RETURN(auto file, opts_.fs->open(segPath(n), o));
    ScanRequest req;
    req.file = file.get();
    req.name = n;
    req.first_index = first;
    req.on_header = [&](const SegmentHeader& h) -> Status {
      if (frontier.stack() != h.frontier) {
        return Status::corruption("audit log segment " + n +
                                  ": the Merkle frontier in its header does not match");
      }
      return Status();
    };
    req.on_record = [&](uint64_t, const Hash& leaf, std::string_view) {
      prefix.push_back(leaf);
      frontier.append(leaf);
      return Status();
    };
    WARD_ASSIGN_OR_RETURN(SegmentScan scan, scanSegment(req, pos));
    (void)scan;
  }
  if (prefix.size() != base) {
    return Status::corruption("audit log: the segments before record " + std::to_string(base) +
                              " hold " + std::to_string(prefix.size()) + " records");
  }
  std::lock_guard<std::mutex> l(state_mu_);
  // The frontier the log was opened with came from the header of the segment starting at base.
  if (leaves_base_ != base) return Status::internal("audit log leaves changed while loading");
  prefix.insert(prefix.end(), leaves_.begin(), leaves_.end());
  leaves_ = std::move(prefix);
  leaves_base_ = 0;
  return Status();
}

Status AuditLog::Impl::newSegmentLocked() {
  if (active_ && !active_sealed_) {
    WARD_RETURN_IF_ERROR(active_->append(kSegmentSeal));
    WARD_RETURN_IF_ERROR(active_->sync());
    active_size_ += kSegmentSeal.size();
    active_sealed_ = true;
  }
  std::string name = segmentName(pos_.next_index);
  io::OpenOptions o;
  o.exclusive = true;
  std::string header = encodeSegmentHeader(currentHeader());
  WARD_ASSIGN_OR_RETURN(auto file, opts_.fs->open(segPath(name), o));
  WARD_RETURN_IF_ERROR(file->append(header));
  WARD_RETURN_IF_ERROR(file->sync());
  WARD_RETURN_IF_ERROR(opts_.fs->syncDir(auditLogSegmentsDir(opts_.dir)));
  active_ = std::move(file);
  active_name_ = name;
  active_first_ = pos_.next_index;
  active_size_ = header.size();
  active_sealed_ = false;
  return Status();
}

Status AuditLog::Impl::catchUpLocked() {
  // Another process appended here if the size changed; it can only have started a new segment
  // after sealing this one, which changes the size too.
  WARD_ASSIGN_OR_RETURN(uint64_t on_disk, active_->size());
  if (on_disk == active_size_) return Status();
  SegmentScan scan;
  WARD_RETURN_IF_ERROR(scanInto(*active_, active_name_, active_first_, active_size_, true, &scan));
  active_size_ = scan.valid_end;
  active_sealed_ = scan.sealed;
  if (!active_sealed_) return Status();
  WARD_ASSIGN_OR_RETURN(auto names, opts_.fs->list(auditLogSegmentsDir(opts_.dir)));
  std::vector<std::pair<uint64_t, std::string>> later;
  for (const auto& n : names) {
    uint64_t first;
    if (parseSegmentName(n, &first) && first > active_first_) later.emplace_back(first, n);
  }
  io::OpenOptions o;
  o.create = false;
  for (size_t i = 0; i < later.size(); ++i) {
    const auto& [first, name] = later[i];
    WARD_ASSIGN_OR_RETURN(auto file, opts_.fs->open(segPath(name), o));
    WARD_RETURN_IF_ERROR(scanInto(*file, name, first, 0, i + 1 == later.size(), &scan));
    active_ = std::move(file);
    active_name_ = name;
    active_first_ = first;
    active_size_ = scan.valid_end;
    active_sealed_ = scan.sealed;
  }
  return Status();
}

Status AuditLog::Impl::writeCheckpointLocked(Checkpoint* out) {
  Checkpoint c;
  {
    std::lock_guard<std::mutex> l(state_mu_);
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
  WARD_ASSIGN_OR_RETURN(auto lock, opts_.fs->lock(opts_.dir + "/LOCK"));
  WARD_RETURN_IF_ERROR(catchUpLocked());
  bool records = false;
  for (const WriterPtr& w : group) records |= !w->is_checkpoint;
  if (records) {
    if (active_size_ >= opts_.segment_bytes || active_sealed_) {
      WARD_RETURN_IF_ERROR(newSegmentLocked());
    }
    size_t bytes = 0;
    for (const WriterPtr& w : group) bytes += kRecordHeaderBytes + w->body.size();
    std::string buf;
    buf.reserve(bytes);
    std::vector<Hash> leaves;
    leaves.reserve(group.size());
    ChainPosition p = pos_;
    for (const WriterPtr& w : group) {
      if (w->is_checkpoint) continue;
      w->index = p.next_index;
      p.prev = appendRecordHeader(buf, p.next_index, p.prev, static_cast<uint32_t>(w->body.size()),
                                  w->digest);
      buf.append(w->body);
      leaves.push_back(p.prev);
      ++p.next_index;
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
    std::lock_guard<std::mutex> l(mu_);
    if (!failed_.ok()) return failed_;
    queue_.push_back(w);
    if (queue_.size() == 1) w->state = Writer::State::kLeader;  // nobody else can see it yet
  }
  if (w->await() == Writer::State::kDone) return w->status;

  // Leader: take the front of the queue (this writer first), up to max_group_bytes.
  std::vector<WriterPtr> group;
  Status failed;
  {
    std::lock_guard<std::mutex> l(mu_);
    failed = failed_;
    size_t bytes = 0;
    for (const WriterPtr& x : queue_) {
      if (!group.empty() && bytes + x->body.size() > opts_.max_group_bytes) break;
      group.push_back(x);
      bytes += x->body.size();
    }
  }
  Status s = failed.ok() ? leadGroup(group) : failed;
  WriterPtr next;
  {
    std::lock_guard<std::mutex> l(mu_);
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
    if (x != w) x->wake(Writer::State::kDone);
  }
  // Woken last, so that the writers just released can queue up again and join its group.
  if (next) next->wake(Writer::State::kLeader);
  return w->status;
}

Result<uint64_t> AuditLog::Impl::append(std::string_view body) {
  if (body.empty()) return Status::invalidArgument("an audit record must not be empty");
  if (body.size() > opts_.max_record_bytes) {
    return Status::resourceExhausted("audit record of " + std::to_string(body.size()) +
                                     " bytes exceeds audit.max_record_bytes (" +
                                     std::to_string(opts_.max_record_bytes) + ")");
  }
  auto w = std::make_shared<Writer>();
  w->body = body;
  w->digest = digestBody(body);  // on the caller's thread, outside the serial section
  Status s = submit(w);
  if (!s.ok()) return s;
  return w->index;
}

Result<Checkpoint> AuditLog::Impl::checkpoint() {
  auto w = std::make_shared<Writer>();
  w->is_checkpoint = true;
  Status s = submit(w);
  if (!s.ok()) return s;
  return w->checkpoint;
}

void AuditLog::Impl::closeCheckpoint() {
  {
    std::lock_guard<std::mutex> l(mu_);
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

Result<uint64_t> AuditLog::append(std::string_view body) { return impl_->append(body); }
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
