// Crash and fault simulation over any FileSystem.
#include "ward/common/mutex.h"
#include "ward/io/fault_injecting_file_system.h"

#include <thread>

namespace ward::io {

namespace {

Status crashed() { return Status::unavailable("file handle from before a simulated crash"); }

class FaultFile final : public File {
 public:
  FaultFile(FaultInjectingFileSystem& fs, std::unique_ptr<File> base, std::string path,
            uint64_t generation)
      : fs_(fs), base_(std::move(base)), path_(std::move(path)), generation_(generation) {}

  Status append(std::string_view data) override {
    if (fs_.generation() != generation_) return crashed();
    WARD_RETURN_IF_ERROR(fs_.beforeMutation());
    if (auto keep = fs_.takeTear()) {
      WARD_RETURN_IF_ERROR(base_->append(data.substr(0, std::min(*keep, data.size()))));
      return Status::unavailable("injected torn write to " + path_);
    }
    return base_->append(data);
  }
  Result<std::string> readAt(uint64_t offset, size_t n) const override {
    if (fs_.generation() != generation_) return crashed();
    return base_->readAt(offset, n);
  }
  Result<uint64_t> size() const override {
    if (fs_.generation() != generation_) return crashed();
    return base_->size();
  }
  Status sync() override {
    if (fs_.generation() != generation_) return crashed();
    WARD_RETURN_IF_ERROR(fs_.beforeMutation());
    if (auto d = fs_.syncDelay(); d.count() > 0) std::this_thread::sleep_for(d);
    WARD_RETURN_IF_ERROR(base_->sync());
    WARD_ASSIGN_OR_RETURN(uint64_t size, base_->size());
    fs_.recordSync(path_, size);
    return Status();
  }
  Status truncate(uint64_t size) override {
    if (fs_.generation() != generation_) return crashed();
    WARD_RETURN_IF_ERROR(fs_.beforeMutation());
    return base_->truncate(size);
  }

 private:
  FaultInjectingFileSystem& fs_;
  std::unique_ptr<File> base_;
  std::string path_;
  uint64_t generation_;
};

}  // namespace

FaultInjectingFileSystem::FaultInjectingFileSystem(FileSystem& base) : base_(base) {}

void FaultInjectingFileSystem::failAfter(int64_t ops) {
  MutexLock l(mu_);
  fail_after_ = ops_ + ops;
}

void FaultInjectingFileSystem::tearNextAppend(size_t keep_bytes) {
  MutexLock l(mu_);
  tear_ = keep_bytes;
}

void FaultInjectingFileSystem::clearFaults() {
  MutexLock l(mu_);
  fail_after_ = -1;
  tear_.reset();
}

void FaultInjectingFileSystem::setSyncDelay(std::chrono::microseconds delay) {
  MutexLock l(mu_);
  sync_delay_ = delay;
}

std::chrono::microseconds FaultInjectingFileSystem::syncDelay() const {
  MutexLock l(mu_);
  return sync_delay_;
}

int64_t FaultInjectingFileSystem::mutatingOps() const {
  MutexLock l(mu_);
  return ops_;
}

uint64_t FaultInjectingFileSystem::generation() const {
  MutexLock l(mu_);
  return generation_;
}

Status FaultInjectingFileSystem::beforeMutation() {
  MutexLock l(mu_);
  if (fail_after_ >= 0 && ops_ >= fail_after_) return Status::unavailable("injected I/O fault");
  ++ops_;
  return Status();
}

std::optional<size_t> FaultInjectingFileSystem::takeTear() {
  MutexLock l(mu_);
  auto t = tear_;
  tear_.reset();
  return t;
}

void FaultInjectingFileSystem::recordSync(const std::string& path, uint64_t size) {
  MutexLock l(mu_);
  tracked_[path].synced = size;
}

Status FaultInjectingFileSystem::crash(CrashMode mode) {
  MutexLock l(mu_);
  ++generation_;
  for (auto it = tracked_.begin(); it != tracked_.end();) {
    const auto& [path, t] = *it;
    if (t.created_unsynced && mode == CrashMode::kDropUnsynced) {
      Status s = base_.remove(path);
      if (!s.ok() && s.code() != StatusCode::kNotFound) return s;
      it = tracked_.erase(it);
      continue;
    }
    if (mode == CrashMode::kDropUnsynced && base_.exists(path)) {
      OpenOptions o;
      o.create = false;
      WARD_ASSIGN_OR_RETURN(auto f, base_.open(path, o));
      WARD_ASSIGN_OR_RETURN(uint64_t size, f->size());
      if (size > t.synced) WARD_RETURN_IF_ERROR(f->truncate(t.synced));
    }
    ++it;
  }
  // What survived is now the durable state.
  for (auto& [path, t] : tracked_) {
    auto size = base_.fileSize(path);
    t.synced = size.ok() ? *size : 0;
    t.created_unsynced = false;
  }
  return Status();
}

Status FaultInjectingFileSystem::createDirs(const std::string& path) {
  return base_.createDirs(path);
}
Result<std::vector<std::string>> FaultInjectingFileSystem::list(const std::string& dir) const {
  return base_.list(dir);
}
bool FaultInjectingFileSystem::exists(const std::string& path) const { return base_.exists(path); }

Result<std::unique_ptr<File>> FaultInjectingFileSystem::open(const std::string& path,
                                                             const OpenOptions& options) {
  bool existed = base_.exists(path);
  WARD_ASSIGN_OR_RETURN(auto file, base_.open(path, options));
  MutexLock l(mu_);
  auto [it, inserted] = tracked_.try_emplace(path);
  if (inserted) {
    if (existed) {
      auto size = file->size();
      it->second.synced = size.ok() ? *size : 0;
    } else {
      it->second.created_unsynced = true;
    }
  }
  return std::unique_ptr<File>(new FaultFile(*this, std::move(file), path, generation_));
}

Result<uint64_t> FaultInjectingFileSystem::fileSize(const std::string& path) const {
  return base_.fileSize(path);
}

Status FaultInjectingFileSystem::rename(const std::string& from, const std::string& to) {
  WARD_RETURN_IF_ERROR(base_.rename(from, to));
  MutexLock l(mu_);
  auto it = tracked_.find(from);
  if (it != tracked_.end()) {
    Tracked t = it->second;
    tracked_.erase(it);
    t.created_unsynced = true;  // the new name is durable only after syncDir
    tracked_[to] = t;
  }
  return Status();
}

Status FaultInjectingFileSystem::remove(const std::string& path) {
  WARD_RETURN_IF_ERROR(base_.remove(path));
  MutexLock l(mu_);
  tracked_.erase(path);
  return Status();
}

Status FaultInjectingFileSystem::syncDir(const std::string& dir) {
  WARD_RETURN_IF_ERROR(base_.syncDir(dir));
  MutexLock l(mu_);
  for (auto& [path, t] : tracked_) {
    if (parentDir(path) == dir) t.created_unsynced = false;
  }
  return Status();
}

Result<std::unique_ptr<FileLock>> FaultInjectingFileSystem::lock(const std::string& path) {
  return base_.lock(path);
}

Result<std::unique_ptr<FileLock>> FaultInjectingFileSystem::tryLock(const std::string& path) {
  return base_.tryLock(path);
}

}  // namespace ward::io
