// The archive connector (archive_connector.h; docs/design/ingest.md, "Archives").
#include "archive_connector.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <climits>
#include <cstdlib>
#include <memory>

#include "ward/common/hash.h"
#include "ward/ingest/archive_reader.h"
#include "ward/ingest/parser.h"

namespace ward::ingest {

namespace {

// Reads the archive file: a regular file (never a FIFO, a device or a link) of at most
// `max_bytes`; `identity` is "<size>:<mtime ns>:<inode>".
Result<std::string> readArchiveFile(const std::string& path, uint64_t max_bytes,
                                    std::string* identity) {
  int fd = ::open(path.c_str(), O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
  if (fd < 0) {
    return Status::notFound("archive " + path + ": cannot be opened (" +
                            std::string(errno == ELOOP ? "a symbolic link" : "missing") + ")");
  }
  struct stat st {};
  if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    ::close(fd);
    return Status::invalidArgument("archive " + path + ": not a regular file");
  }
  if (static_cast<uint64_t>(st.st_size) > max_bytes) {
    ::close(fd);
    return Status::resourceExhausted("archive " + path + ": larger than max_file_bytes (" +
                                     std::to_string(st.st_size) + " > " +
                                     std::to_string(max_bytes) + "); not read");
  }
  *identity = std::to_string(st.st_size) + ":" +
              std::to_string(st.st_mtim.tv_sec * 1'000'000'000LL + st.st_mtim.tv_nsec) + ":" +
              std::to_string(st.st_ino);
  std::string bytes(static_cast<size_t>(st.st_size), '\0');
  size_t done = 0;
  while (done < bytes.size()) {
    ssize_t n = ::read(fd, bytes.data() + done, bytes.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    done += static_cast<size_t>(n);
  }
  ::close(fd);
  if (done != bytes.size()) return Status::unavailable("archive " + path + ": changed while read");
  return bytes;
}

class ArchiveConnector final : public Connector {
 public:
  ArchiveConnector(SourceConfig source, ConnectorEnv env)
      : source_(std::move(source)), env_(std::move(env)) {}

  ConnectorCapabilities capabilities() const override {
    return ConnectorCapabilities{true, false, false};
  }

  // The checkpoint is "<archive identity> TAB <entries handled>": a resumed pass reads the same
  // archive again and skips that many entries; a changed archive is read from the start.
  Status pass(const std::string& checkpoint, EventSink& sink, bool* exhausted) override {
    *exhausted = false;
    const uint64_t max_bytes =
        source_.max_file_bytes > 0 ? source_.max_file_bytes : env_.max_file_bytes;
    std::string identity;
    WARD_ASSIGN_OR_RETURN(std::string bytes, readArchiveFile(source_.root, max_bytes, &identity));
    size_t skip = 0;
    if (size_t tab = checkpoint.find('\t');
        tab != std::string::npos && checkpoint.substr(0, tab) == identity) {
      skip = static_cast<size_t>(std::strtoull(checkpoint.c_str() + tab + 1, nullptr, 10));
    }
    ArchiveLimits limits;
    if (source_.max_entries > 0) limits.max_entries = source_.max_entries;
    if (source_.max_depth > 0) limits.max_depth = source_.max_depth;
    limits.max_entry_bytes = std::min(limits.max_entry_bytes, max_bytes);
    size_t handled = 0;  // entries delivered or refused, in archive order
    size_t in_page = 0;
    auto checkpointIfFull = [&]() -> Status {
      if (++in_page >= source_.page_items) {
        in_page = 0;
        return sink.emit(CheckpointEvent{identity + "\t" + std::to_string(handled)});
      }
      return Status();
    };
    auto on_entry = [&](ArchiveEntry&& e) -> Status {
      if (++handled <= skip) return Status();
      const std::string base = e.name.substr(e.name.rfind('/') + 1);
      if (!detectFormat(base)) return Status();  // not a document type: not listed
      auto shared = std::make_shared<std::string>(std::move(e.bytes));
      UpsertEvent u;
      u.id = source_.name + ":" + e.name;
      u.version = sha256Hex(*shared);
      u.name = base;
      u.acl = source_.aclFor(e.name);
      u.metadata = Json{{"archive", source_.root}, {"entry", e.name}};
      u.fetch = [shared]() -> Result<std::string> { return *shared; };
      WARD_RETURN_IF_ERROR(sink.emit(std::move(u)));
      return checkpointIfFull();
    };
    auto on_refused = [&](const std::string& name, const std::string& why) -> Status {
      if (++handled <= skip) return Status();
      WARD_RETURN_IF_ERROR(sink.emit(FailureEvent{
          name.empty() ? source_.root : source_.name + ":" + name, why, FailureKind::kRefused}));
      return checkpointIfFull();
    };
    auto outcome = readArchive(bytes, limits, on_entry, on_refused);
    if (!outcome.ok()) {
      return Status(outcome.status().code(),
                    "archive " + source_.root + ": " + outcome.status().message());
    }
    if (in_page > 0) {
      WARD_RETURN_IF_ERROR(sink.emit(CheckpointEvent{identity + "\t" + std::to_string(handled)}));
    }
    *exhausted = outcome->exhausted;
    return Status();
  }

 private:
  SourceConfig source_;
  ConnectorEnv env_;
};

}  // namespace

Result<std::unique_ptr<Connector>> makeArchiveConnector(const SourceConfig& source,
                                                        const ConnectorEnv& env) {
  if (source.root.empty() || source.root.front() != '/') {
    return Status::invalidArgument("source '" + source.name + "': root " + source.root +
                                   ": the archive must be an absolute path");
  }
  for (const auto& dir : env.refused_dirs) {
    char d[PATH_MAX];
    char r[PATH_MAX];
    if (::realpath(dir.c_str(), d) == nullptr || ::realpath(source.root.c_str(), r) == nullptr) {
      continue;
    }
    std::string rd = d;
    std::string rr = r;
    if (rr.rfind(rd + "/", 0) == 0) {
      return Status::permissionDenied("source '" + source.name + "': root " + source.root +
                                      ": Ward's data directory: never ingested");
    }
  }
  return std::unique_ptr<Connector>(std::make_unique<ArchiveConnector>(source, env));
}

}  // namespace ward::ingest
