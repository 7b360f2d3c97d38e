// AuditLog's segments: opening from the last segment, catching up with other processes,
// sealing and starting segments, cutting torn tails, and loading every leaf for proofs.
// Format and recovery rules: docs/formats/audit-log.md.
#include "audit_log_impl.h"
#include "ward/common/log.h"
#include "ward/common/mutex.h"

namespace ward::audit {

// Cuts a torn tail off the active segment (rewriting the header if even that was torn).
Status repairTail(io::File& file, const SegmentScan& scan, const SegmentHeader& header) {
  if (scan.torn_bytes == 0) return Status();
  WARD_RETURN_IF_ERROR(file.truncate(scan.valid_end));
  if (scan.header_torn) WARD_RETURN_IF_ERROR(file.append(encodeSegmentHeader(header)));
  return file.sync();
}

void AuditLog::Impl::publish(std::vector<Hash>& leaves) {
  MutexLock l(state_mu_);
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
  WARD_ASSIGN_OR_RETURN(lock_file_, io::HeldLockFile::open(fs, opts_.dir + "/LOCK"));
  WARD_ASSIGN_OR_RETURN(auto lock, lock_file_->lock());
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
    // Named references, not a structured binding: the lambdas below capture them (clang 14,
    // which the tidy gate parses with, cannot capture a structured binding).
    const uint64_t first = segments.back().first;
    const std::string& name = segments.back().second;
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
        return Status::corruption("audit log segment " + req.name + ": " + f.status().message());
      MutexLock l(state_mu_);
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
    MutexLock l(state_mu_);
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
  MutexLock l(state_mu_);
  return SegmentHeader{pos_.next_index, pos_.prev, frontier_.stack()};
}

Status AuditLog::Impl::checkHeader(const std::string& name, const SegmentHeader& h) {
  MutexLock l(state_mu_);
  if (frontier_.size() != h.first_index || frontier_.stack() != h.frontier) {
    return Status::corruption("audit log segment " + name +
                              ": the Merkle frontier in its header does not match the records "
                              "before it");
  }
  return Status();
}

Status AuditLog::Impl::loadAllLeaves() {
  MutexLock load(load_mu_);
  uint64_t base;
  {
    MutexLock l(state_mu_);
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
  MutexLock l(state_mu_);
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

}  // namespace ward::audit
