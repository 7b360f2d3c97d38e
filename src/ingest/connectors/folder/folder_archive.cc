// The archives of a folder source (folder_archive.h).
#include "folder_archive.h"

#include <algorithm>
#include <memory>

#include "ward/common/hash.h"
#include "ward/ingest/archive_reader.h"
#include "ward/ingest/parser.h"

namespace ward::ingest {

Status emitFolderArchive(const FolderArchive& a, const std::string& bytes, EventSink& sink,
                         const std::function<Status(size_t handled)>& handled) {
  const SourceConfig& source = *a.source;
  const std::string archive_id = source.name + ":" + a.path;
  ArchiveLimits limits;
  limits.max_entry_bytes = std::min(limits.max_entry_bytes, a.max_bytes);
  const store::Acl acl = source.aclFor(a.path);
  size_t count = 0;   // entries delivered or refused, in archive order
  Status sink_error;  // a callback's error (the runner's): it stops the pass
  auto keep = [&](Status s) {
    if (!s.ok() && sink_error.ok()) sink_error = s;
    return s;
  };
  auto on_entry = [&](ArchiveEntry&& e) -> Status {
    if (++count <= a.skip) return Status();
    const std::string base = e.name.substr(e.name.rfind('/') + 1);
    if (!detectFormat(base)) return keep(handled(count));  // not a document type: not listed
    auto shared = std::make_shared<std::string>(std::move(e.bytes));
    UpsertEvent u;
    u.id = archive_id + "!/" + e.name;
    u.version = sha256Hex(*shared);
    u.name = base;
    u.acl = acl;
    u.parent = archive_id;
    u.updated_at = a.updated_at;
    u.metadata = Json{{"archive", a.path}, {"entry", e.name}};
    u.fetch = [shared]() -> Result<std::string> { return *shared; };
    WARD_RETURN_IF_ERROR(keep(sink.emit(std::move(u))));
    return keep(handled(count));
  };
  auto on_refused = [&](const std::string& name, const std::string& why) -> Status {
    if (++count <= a.skip) return Status();
    WARD_RETURN_IF_ERROR(keep(sink.emit(FailureEvent{
        name.empty() ? archive_id : archive_id + "!/" + name, why, FailureKind::kRefused})));
    return keep(handled(count));
  };
  auto outcome = readArchive(bytes, limits, on_entry, on_refused);
  if (!outcome.ok()) {
    // A callback's error (the runner's) stops the pass; an unreadable archive is refused.
    if (!sink_error.ok()) return sink_error;
    return sink.emit(
        FailureEvent{archive_id, "archive: " + outcome.status().message(), FailureKind::kRefused});
  }
  if (!outcome->exhausted) {
    return sink.emit(FailureEvent{archive_id,
                                  "archive: a cap stopped the reading; its later entries are "
                                  "not documents",
                                  FailureKind::kRefused});
  }
  return Status();
}

}  // namespace ward::ingest
