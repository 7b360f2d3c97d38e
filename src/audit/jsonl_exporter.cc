// JSONL for SIEMs (docs/formats/audit-jsonl-export.md): one object per line, appended and
// fsynced per batch, rotated by size to path.1 .. path.N.
#include "ward/audit/trace_export.h"
#include "ward/common/clock.h"
#include "ward/io/file_system.h"

namespace ward::audit {

namespace {

class JsonlFileExporter final : public TraceExporter {
 public:
  explicit JsonlFileExporter(JsonlOptions options) : options_(std::move(options)) {}

  std::string name() const override { return "jsonl"; }

  Status exportBatch(const std::vector<StoredTraceEvent>& batch) override {
    std::string data;
    for (const StoredTraceEvent& e : batch) {
      data += encodeJsonlLine(e);
      data += '\n';
    }
    WARD_RETURN_IF_ERROR(openIfNeeded());
    WARD_ASSIGN_OR_RETURN(uint64_t size, file_->size());
    if (size > 0 && size + data.size() > options_.max_bytes) {
      WARD_RETURN_IF_ERROR(rotate());
      WARD_RETURN_IF_ERROR(openIfNeeded());
    }
    Status s = file_->append(data);
    if (s.ok()) s = file_->sync();
    if (!s.ok()) {
      file_.reset();  // reopened on the next attempt
      return Status::unavailable("JSONL export to " + options_.path + ": " + s.message());
    }
    return Status();
  }

 private:
  Status openIfNeeded() {
    if (file_) return Status();
    io::OpenOptions o;
    o.mode = 0600;
    auto f = fs_.open(options_.path, o);
    if (!f.ok())
      return Status::unavailable("cannot open " + options_.path + ": " + f.status().message());
    file_ = std::move(f).value();
    return Status();
  }

  Status rotate() {
    file_.reset();
    const std::string& p = options_.path;
    std::string oldest = p + "." + std::to_string(options_.keep_files);
    if (fs_.exists(oldest)) WARD_RETURN_IF_ERROR(fs_.remove(oldest));
    for (int i = options_.keep_files - 1; i >= 1; --i) {
      std::string from = p + "." + std::to_string(i);
      if (fs_.exists(from)) WARD_RETURN_IF_ERROR(fs_.rename(from, p + "." + std::to_string(i + 1)));
    }
    if (options_.keep_files >= 1) {
      WARD_RETURN_IF_ERROR(fs_.rename(p, p + ".1"));
    } else {
      WARD_RETURN_IF_ERROR(fs_.remove(p));
    }
    return fs_.syncDir(io::parentDir(p));
  }

  const JsonlOptions options_;
  io::FileSystem& fs_ = io::posixFileSystem();
  std::unique_ptr<io::File> file_;
};

}  // namespace

std::string encodeJsonlLine(const StoredTraceEvent& s) {
  const trace::TraceEvent& e = s.event;
  return dumpJson(Json{{"schema", "ward.audit.event/v1"},
                       {"time", formatRfc3339(e.time_us)},
                       {"time_us", e.time_us},
                       {"record", s.index},
                       {"tenant", e.tenant},
                       {"kind", e.kind},
                       {"principal", e.principal},
                       {"trace_id", e.context.trace_id},
                       {"span_id", e.context.span_id},
                       {"parent_span_id", e.context.parent_span_id},
                       {"attributes", e.attributes}});
}

Result<std::unique_ptr<TraceExporter>> makeJsonlFileExporter(const JsonlOptions& options) {
  if (options.path.empty()) return Status::invalidArgument("audit.export.jsonl_path is empty");
  if (options.keep_files < 0) {
    return Status::invalidArgument("audit.export.jsonl_keep_files must be >= 0");
  }
  std::string dir = io::parentDir(options.path);
  if (!io::posixFileSystem().exists(dir)) {
    return Status::invalidArgument("audit.export.jsonl_path: directory '" + dir +
                                   "' does not exist");
  }
  return std::unique_ptr<TraceExporter>(new JsonlFileExporter(options));
}

}  // namespace ward::audit
