// In-memory FileSystem: a map from path to shared byte buffers under one mutex.
#include "ward/io/mem_file_system.h"

#include <condition_variable>
#include <map>
#include <mutex>
#include <set>

namespace ward::io {

namespace {

struct MemState {
  std::mutex mu;
  std::condition_variable lock_cv;
  std::map<std::string, std::shared_ptr<std::string>> files;
  std::set<std::string> dirs{"/", "."};
  std::set<std::string> locked;
};

class MemFile final : public File {
 public:
  MemFile(std::shared_ptr<MemState> state, std::shared_ptr<std::string> data, bool read_only)
      : state_(std::move(state)), data_(std::move(data)), read_only_(read_only) {}

  Status append(std::string_view data) override {
    if (read_only_) return Status::failedPrecondition("file opened read-only");
    std::lock_guard<std::mutex> l(state_->mu);
    data_->append(data);
    return Status();
  }
  Result<std::string> readAt(uint64_t offset, size_t n) const override {
    std::lock_guard<std::mutex> l(state_->mu);
    if (offset >= data_->size()) return std::string();
    return data_->substr(static_cast<size_t>(offset), n);
  }
  Result<uint64_t> size() const override {
    std::lock_guard<std::mutex> l(state_->mu);
    return static_cast<uint64_t>(data_->size());
  }
  Status sync() override { return Status(); }
  Status truncate(uint64_t size) override {
    if (read_only_) return Status::failedPrecondition("file opened read-only");
    std::lock_guard<std::mutex> l(state_->mu);
    data_->resize(static_cast<size_t>(size), '\0');
    return Status();
  }

 private:
  std::shared_ptr<MemState> state_;
  std::shared_ptr<std::string> data_;
  bool read_only_;
};

class MemLock final : public FileLock {
 public:
  MemLock(std::shared_ptr<MemState> state, std::string path)
      : state_(std::move(state)), path_(std::move(path)) {}
  ~MemLock() override {
    {
      std::lock_guard<std::mutex> l(state_->mu);
      state_->locked.erase(path_);
    }
    state_->lock_cv.notify_all();
  }

 private:
  std::shared_ptr<MemState> state_;
  std::string path_;
};

class MemFileSystem final : public FileSystem {
 public:
  Status createDirs(const std::string& path) override {
    std::lock_guard<std::mutex> l(state_->mu);
    if (state_->files.count(path)) return Status::failedPrecondition(path + " is not a directory");
    std::string cur = path;
    while (!cur.empty() && cur != "." && cur != "/") {
      state_->dirs.insert(cur);
      cur = parentDir(cur);
    }
    return Status();
  }

  Result<std::vector<std::string>> list(const std::string& dir) const override {
    std::lock_guard<std::mutex> l(state_->mu);
    if (!state_->dirs.count(dir)) return Status::notFound("list " + dir + ": no such directory");
    std::set<std::string> names;
    for (const auto& [p, _] : state_->files) {
      if (parentDir(p) == dir) names.insert(p.substr(p.rfind('/') + 1));
    }
    for (const auto& d : state_->dirs) {
      if (d != dir && parentDir(d) == dir) names.insert(d.substr(d.rfind('/') + 1));
    }
    return std::vector<std::string>(names.begin(), names.end());
  }

  bool exists(const std::string& path) const override {
    std::lock_guard<std::mutex> l(state_->mu);
    return state_->files.count(path) > 0 || state_->dirs.count(path) > 0;
  }

  Result<std::unique_ptr<File>> open(const std::string& path, const OpenOptions& options) override {
    std::lock_guard<std::mutex> l(state_->mu);
    auto it = state_->files.find(path);
    if (it == state_->files.end()) {
      if (!options.create || options.read_only) {
        return Status::notFound("open " + path + ": no such file");
      }
      if (!state_->dirs.count(parentDir(path))) {
        return Status::notFound("open " + path + ": no such directory");
      }
      it = state_->files.emplace(path, std::make_shared<std::string>()).first;
    } else if (options.create && options.exclusive && !options.read_only) {
      return Status::alreadyExists("open " + path + ": file exists");
    }
    return std::unique_ptr<File>(new MemFile(state_, it->second, options.read_only));
  }

  Result<uint64_t> fileSize(const std::string& path) const override {
    std::lock_guard<std::mutex> l(state_->mu);
    auto it = state_->files.find(path);
    if (it == state_->files.end()) return Status::notFound("stat " + path + ": no such file");
    return static_cast<uint64_t>(it->second->size());
  }

  Status rename(const std::string& from, const std::string& to) override {
    std::lock_guard<std::mutex> l(state_->mu);
    auto it = state_->files.find(from);
    if (it == state_->files.end()) return Status::notFound("rename " + from + ": no such file");
    auto data = it->second;
    state_->files.erase(it);
    state_->files[to] = data;
    return Status();
  }

  Status remove(const std::string& path) override {
    std::lock_guard<std::mutex> l(state_->mu);
    if (state_->files.erase(path) == 0)
      return Status::notFound("remove " + path + ": no such file");
    return Status();
  }

  Status syncDir(const std::string& dir) override {
    std::lock_guard<std::mutex> l(state_->mu);
    if (!state_->dirs.count(dir)) return Status::notFound("fsync directory " + dir);
    return Status();
  }

  Result<std::unique_ptr<FileLock>> lock(const std::string& path) override {
    std::unique_lock<std::mutex> l(state_->mu);
    state_->lock_cv.wait(l, [&] { return state_->locked.count(path) == 0; });
    state_->locked.insert(path);
    if (!state_->files.count(path)) state_->files.emplace(path, std::make_shared<std::string>());
    return std::unique_ptr<FileLock>(new MemLock(state_, path));
  }

  Result<std::unique_ptr<FileLock>> tryLock(const std::string& path) override {
    std::unique_lock<std::mutex> l(state_->mu);
    if (state_->locked.count(path)) return std::unique_ptr<FileLock>();
    state_->locked.insert(path);
    if (!state_->files.count(path)) state_->files.emplace(path, std::make_shared<std::string>());
    return std::unique_ptr<FileLock>(new MemLock(state_, path));
  }

 private:
  std::shared_ptr<MemState> state_ = std::make_shared<MemState>();
};

}  // namespace

std::unique_ptr<FileSystem> newMemFileSystem() { return std::make_unique<MemFileSystem>(); }

}  // namespace ward::io
