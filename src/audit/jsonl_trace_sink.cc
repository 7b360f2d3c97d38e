// The interim trace sink: one JSON object per line, prefixed by its CRC-32C; fdatasync'd by a
// background flusher at most 100 ms after each write.
// Format: docs/formats/trace-log.md.
#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <thread>
#include <cstdlib>
#include <fstream>
#include <mutex>
#include <sstream>

#include "ward/audit/trace.h"
#include "ward/common/hash.h"

namespace ward::audit {

namespace {

Json eventToJson(const TraceEvent& e) {
  return Json{{"trace_id", e.context.trace_id},
              {"span_id", e.context.span_id},
              {"parent_span_id", e.context.parent_span_id},
              {"kind", e.kind},
              {"tenant", e.tenant},
              {"principal", e.principal},
              {"time_us", e.time_us},
              {"attributes", e.attributes}};
}

// Records are written with one write(2) each and fsync'd by a background flusher every 100 ms
// (and on close): a search never waits for a disk flush. The tamper-evident audit log with group
// commit (issue 4) replaces this sink.
class JsonlTraceSink final : public TraceSink {
 public:
  explicit JsonlTraceSink(int fd) : fd_(fd) {
    flusher_ = std::thread([this] {
      std::unique_lock<std::mutex> lock(flush_mu_);
      while (!stop_) {
        flush_cv_.wait_for(lock, std::chrono::milliseconds(100));
        if (dirty_.exchange(false)) ::fdatasync(fd_);
      }
    });
  }
  ~JsonlTraceSink() override {
    {
      std::lock_guard<std::mutex> lock(flush_mu_);
      stop_ = true;
    }
    flush_cv_.notify_all();
    flusher_.join();
    ::fdatasync(fd_);
    ::close(fd_);
  }

  Status record(const TraceEvent& event) override {
    std::string body = dumpJson(eventToJson(event));
    char crc[16];
    std::snprintf(crc, sizeof crc, "%08x ", crc32c(body));
    std::string line = std::string(crc) + body + "\n";
    std::lock_guard<std::mutex> lock(mu_);
    size_t off = 0;
    while (off < line.size()) {
      ssize_t n = ::write(fd_, line.data() + off, line.size() - off);
      if (n < 0) {
        if (errno == EINTR) continue;
        return Status::unavailable("trace log write failed");
      }
      off += static_cast<size_t>(n);
    }
    dirty_ = true;
    return Status();
  }

 private:
  std::mutex mu_;
  int fd_;
  std::atomic<bool> dirty_{false};
  std::mutex flush_mu_;
  std::condition_variable flush_cv_;
  bool stop_ = false;
  std::thread flusher_;
};

}  // namespace

Result<std::unique_ptr<TraceSink>> openJsonlTraceSink(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
  if (fd < 0) return Status::unavailable("cannot open trace log " + path);
  // A crash can leave a torn last line: cut it off so the next record starts on a fresh line.
  off_t size = ::lseek(fd, 0, SEEK_END);
  if (size > 0) {
    std::string tail(static_cast<size_t>(std::min<off_t>(size, 1 << 20)), '\0');
    off_t from = size - static_cast<off_t>(tail.size());
    if (::pread(fd, tail.data(), tail.size(), from) == static_cast<ssize_t>(tail.size()) &&
        tail.back() != '\n') {
      size_t nl = tail.rfind('\n');
      off_t keep = nl == std::string::npos ? from : from + static_cast<off_t>(nl) + 1;
      if (::ftruncate(fd, keep) != 0) {
        ::close(fd);
        return Status::unavailable("cannot repair torn trace log " + path);
      }
    }
  }
  return std::unique_ptr<TraceSink>(new JsonlTraceSink(fd));
}

Result<std::vector<TraceEvent>> readJsonlTraceLog(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::vector<TraceEvent> out;
  if (!in) return out;
  std::string content((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  size_t pos = 0;
  int64_t line_no = 0;
  while (pos < content.size()) {
    size_t nl = content.find('\n', pos);
    if (nl == std::string::npos) break;  // torn last record: ignored
    ++line_no;
    std::string line = content.substr(pos, nl - pos);
    pos = nl + 1;
    if (line.size() < 10 || line[8] != ' ') {
      return Status::corruption("trace log line " + std::to_string(line_no) + " is malformed");
    }
    std::string body = line.substr(9);
    std::string hex = line.substr(0, 8);
    char* end = nullptr;
    uint32_t want = static_cast<uint32_t>(std::strtoul(hex.c_str(), &end, 16));
    if (end != hex.c_str() + 8) {
      return Status::corruption("trace log line " + std::to_string(line_no) + " is malformed");
    }
    if (crc32c(body) != want) {
      return Status::corruption("trace log line " + std::to_string(line_no) +
                                " fails its checksum");
    }
    auto j = parseJson(body);
    if (!j.ok()) return Status::corruption("trace log line " + std::to_string(line_no));
    TraceEvent e;
    e.context.trace_id = j->value("trace_id", "");
    e.context.span_id = j->value("span_id", "");
    e.context.parent_span_id = j->value("parent_span_id", "");
    e.kind = j->value("kind", "");
    e.tenant = j->value("tenant", "");
    e.principal = j->value("principal", "");
    e.time_us = j->value("time_us", int64_t{0});
    e.attributes = (*j)["attributes"];
    out.push_back(std::move(e));
  }
  return out;
}

}  // namespace ward::audit
