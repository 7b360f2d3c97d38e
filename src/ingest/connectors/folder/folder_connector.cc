// The folder connector (folder_connector.h; docs/design/ingest.md, "Folder connector").
#include "folder_connector.h"

#include <algorithm>
#include <cstdlib>

#include "folder_archive.h"
#include "ward/common/clock.h"
#include "ward/ingest/archive_reader.h"
#include "ward/ingest/folder_root.h"
#include "ward/ingest/parser.h"

namespace ward::ingest {

namespace {

// A page also ends once its files hold this many bytes (the runner keeps a page in memory).
constexpr uint64_t kMaxPageBytes = 64 << 20;
// A file changed this close to the start of the pass may change again within the same timestamp
// tick (the kernel's clock is coarse): its version is left empty, so the next pass reads it and
// compares content hashes ("racy" timestamps, as git handles them).
constexpr int64_t kRacyNanos = 2'000'000'000;
// Starts a checkpoint taken inside an archive (a path never starts with this control character).
constexpr char kInArchive = '\x1e';

class FolderConnector final : public Connector {
 public:
  FolderConnector(SourceConfig source, ConnectorEnv env, std::unique_ptr<FolderRoot> root)
      : source_(std::move(source)), env_(std::move(env)), root_(std::move(root)) {}

  ConnectorCapabilities capabilities() const override {
    return ConnectorCapabilities{true, false, false};
  }

  // The checkpoint is the last path of the committed page: a resumed pass lists again (the
  // directory may have changed) and starts after it, in byte order of the paths. A page that ends
  // inside an archive (folder_archive.h) also names the entries handled, which a resumed pass
  // skips in that archive.
  Status pass(const std::string& checkpoint, EventSink& sink, bool* exhausted) override {
    *exhausted = false;
    const int64_t pass_start_ns = SystemClock::instance().nowMicros() * 1000;
    WalkLimits limits;
    if (source_.max_depth > 0) limits.max_depth = source_.max_depth;
    if (source_.max_entries > 0) limits.max_entries = source_.max_entries;
    WalkOutput out;
    root_->walk("", limits, out);
    for (const auto& p : out.problems) {
      // Links, devices, FIFOs, sockets and too-deep folders are never documents (refused); a
      // folder or file that could not be read is an error: what it holds is not deleted.
      const bool error =
          p.message.rfind("cannot ", 0) == 0 || p.message.rfind("changed while", 0) == 0;
      WARD_RETURN_IF_ERROR(
          sink.emit(FailureEvent{p.relative_path.empty() ? source_.root : p.relative_path,
                                 p.message, error ? FailureKind::kError : FailureKind::kRefused}));
    }
    std::sort(out.files.begin(), out.files.end(), [](const WalkedFile& a, const WalkedFile& b) {
      return a.relative_path < b.relative_path;
    });
    const uint64_t max_bytes =
        source_.max_file_bytes > 0 ? source_.max_file_bytes : env_.max_file_bytes;
    // A checkpoint inside an archive is "\x1e<entries handled>\x1e<identity>\x1e<archive path>",
    // the identity "<size>:<mtime ns>:<inode>": a changed archive is read from its first entry.
    std::string after = checkpoint;
    size_t after_entries = 0;
    std::string after_identity;
    if (!checkpoint.empty() && checkpoint.front() == kInArchive) {
      const size_t sep = checkpoint.find(kInArchive, 1);
      const size_t sep2 = sep == std::string::npos ? sep : checkpoint.find(kInArchive, sep + 1);
      after_entries = static_cast<size_t>(std::strtoull(checkpoint.c_str() + 1, nullptr, 10));
      after = sep2 == std::string::npos ? "" : checkpoint.substr(sep2 + 1);
      if (sep2 != std::string::npos) after_identity = checkpoint.substr(sep + 1, sep2 - sep - 1);
    }
    size_t in_page = 0;
    uint64_t page_bytes = 0;
    std::string last;
    for (const WalkedFile& f : out.files) {
      const std::string& rel = f.relative_path;
      const bool resumed_archive = after_entries > 0 && rel == after;
      if (!after.empty() && rel <= after && !resumed_archive) continue;
      std::string name = rel.substr(rel.rfind('/') + 1);
      const bool archive = isArchiveName(name);
      if (!archive && !detectFormat(name)) continue;  // not a document type: not listed
      if (f.size > max_bytes) {
        WARD_RETURN_IF_ERROR(sink.emit(FailureEvent{source_.name + ":" + rel,
                                                    "larger than the source's max_file_bytes (" +
                                                        std::to_string(f.size) + " > " +
                                                        std::to_string(max_bytes) + ")",
                                                    FailureKind::kError}));
      } else if (archive) {
        // Read (not extracted) on every pass: its entries are compared by content hash.
        auto bytes = root_->read(rel, max_bytes);
        if (!bytes.ok()) {
          WARD_RETURN_IF_ERROR(sink.emit(FailureEvent{
              source_.name + ":" + rel, bytes.status().message(), FailureKind::kError}));
        } else {
          const std::string identity = std::to_string(f.size) + ":" + std::to_string(f.mtime_ns) +
                                       ":" + std::to_string(f.inode);
          const bool same = resumed_archive && identity == after_identity;
          FolderArchive a{&source_, rel, max_bytes, same ? after_entries : 0, f.mtime_us};
          WARD_RETURN_IF_ERROR(emitFolderArchive(a, *bytes, sink, [&](size_t handled) -> Status {
            if (++in_page < source_.page_items) return Status();
            in_page = 0;
            page_bytes = 0;
            return sink.emit(CheckpointEvent{std::string(1, kInArchive) + std::to_string(handled) +
                                             kInArchive + identity + kInArchive + rel});
          }));
          page_bytes += f.size;
        }
      } else {
        UpsertEvent e;
        e.id = source_.name + ":" + rel;
        const bool racy = std::max(f.mtime_ns, f.ctime_ns) >= pass_start_ns - kRacyNanos;
        if (!racy) {
          e.version = std::to_string(f.mtime_ns) + ":" + std::to_string(f.ctime_ns) + ":" +
                      std::to_string(f.inode) + ":" + std::to_string(f.size);
        }
        e.name = name;
        e.acl = source_.aclFor(rel);
        e.updated_at = f.mtime_us;
        const FolderRoot* root = root_.get();
        e.fetch = [root, rel, max_bytes]() { return root->read(rel, max_bytes); };
        WARD_RETURN_IF_ERROR(sink.emit(std::move(e)));
        page_bytes += f.size;
      }
      last = rel;
      if (++in_page >= source_.page_items || page_bytes >= kMaxPageBytes) {
        WARD_RETURN_IF_ERROR(sink.emit(CheckpointEvent{last}));
        in_page = 0;
        page_bytes = 0;
      }
    }
    if (in_page > 0) WARD_RETURN_IF_ERROR(sink.emit(CheckpointEvent{last}));
    // A walk stopped at max_entries did not see the whole folder.
    *exhausted = !out.truncated;
    return Status();
  }

 private:
  SourceConfig source_;
  ConnectorEnv env_;
  std::unique_ptr<FolderRoot> root_;
};

}  // namespace

Result<std::unique_ptr<Connector>> makeFolderConnector(const SourceConfig& source,
                                                       const ConnectorEnv& env) {
  auto root = FolderRoot::open(source.root, env.refused_dirs);
  if (!root.ok()) {
    return Status(root.status().code(), "source '" + source.name + "': root " + source.root + ": " +
                                            root.status().message());
  }
  return std::unique_ptr<Connector>(
      std::make_unique<FolderConnector>(source, env, std::move(root).value()));
}

}  // namespace ward::ingest
