// Ingest: files, folders and JSONL records -> parsed, chunked, committed, indexed.
#pragma once

#include <functional>
#include <map>
#include <string>
#include <vector>

#include "ward/common/config.h"
#include "ward/common/json.h"
#include "ward/common/status.h"
#include "ward/identity/principal.h"
#include "ward/store/records.h"
#include "ward/trace/trace.h"

namespace ward::store {
class Store;
}
namespace ward::index {
class Index;
}

namespace ward::ingest {

struct PathIngestOptions {
  std::string source;  // default: "files"
  store::Acl acl;      // applied to every file
  // Document ids are "<source>:<path relative to root>". Empty: each folder PATH is its own root,
  // and a file PATH's root is its folder. Every PATH must lie beneath a non-empty root.
  std::string root;
  // Folders never read, compared by device and inode (Ward's own data dir; the CLI sets it).
  std::vector<std::string> refused_dirs;
};

// What a record's top-level fields outside the record format become
// (docs/formats/jsonl-records.md, "Fields").
enum class UnknownFields {
  kRefuse,      // `unknown field 'x'`: the record is refused (HTTP; `ward ingest --jsonl --strict`)
  kToMetadata,  // moved into the record's `metadata` (`ward ingest --jsonl`), and counted
};

struct JsonlIngestOptions {
  std::string default_source = "records";  // for records without a `source`
  UnknownFields unknown_fields = UnknownFields::kToMetadata;
};

struct IngestProblem {
  std::string item;     // path or record id / line number
  std::string message;  // one line
};

struct IngestReport {
  int64_t items_seen = 0;
  int64_t created = 0;
  int64_t updated = 0;
  int64_t acl_changed = 0;
  int64_t unchanged = 0;
  int64_t skipped = 0;  // malformed, unsupported or too large; see problems
  int64_t bytes = 0;
  int64_t chunks = 0;
  int64_t flagged = 0;  // new versions the injection scanner flagged (injection_scanner.h)
  double seconds = 0;
  std::vector<IngestProblem> problems;
  // Top-level fields outside the record format moved into `metadata`, with how many records
  // had each (UnknownFields::kToMetadata).
  std::map<std::string, int64_t> moved_to_metadata;
  std::vector<store::WriteResult> results;  // per accepted item, in order
  Json toJson() const;
};

// Called now and then during long ingests: (items done, items total or -1, bytes done, bytes total).
using ProgressFn = std::function<void(int64_t, int64_t, int64_t, int64_t)>;

// Thread-safe.
class IngestService {
 public:
  IngestService(store::Store& store, index::Index& index, trace::TraceSink& traces,
                const IngestConfig& config);

  // Files and folders (recursively; hidden entries skipped), read beneath their root without
  // following symbolic links (ingest/folder_root.h). Unsupported, malformed or oversized files,
  // links, devices, FIFOs and sockets are reported in the report and skipped; the rest is
  // committed. A document's id is "<source>:<relative path>" and its url is empty: the server's
  // absolute paths never reach a client.
  Result<IngestReport> ingestPaths(const std::string& tenant, const std::vector<std::string>& paths,
                                   const PathIngestOptions& options, const ProgressFn& progress);
  // A JSONL file of records (format in docs/formats/jsonl-records.md; BEIR's `_id` is taken for
  // `id`). Bad lines are reported with their line number and skipped (counted in `skipped`);
  // fields outside the format are moved into metadata or refused as `options` says.
  Result<IngestReport> ingestJsonlFile(const std::string& tenant, const std::string& path,
                                       const JsonlIngestOptions& options,
                                       const ProgressFn& progress);
  // Records pushed over HTTP: all-or-nothing validation (any invalid record fails the request
  // with InvalidArgument naming its index and field), then one transaction.
  Result<IngestReport> ingestRecords(const std::string& tenant, const Json& records,
                                     const std::string& default_source,
                                     const trace::TraceContext& trace,
                                     const std::string& principal);
  // Tombstones a document and removes it from search before returning.
  Status removeDocument(const std::string& tenant, const std::string& ext_id,
                        const trace::TraceContext& trace, const std::string& principal);

  // Parses one record; InvalidArgument names the field. Top-level fields outside the format are
  // refused, or moved into `metadata` with kToMetadata (a field that is also a metadata key is
  // refused).
  static Result<store::DocumentWrite> recordToWrite(
      const Json& record, const std::string& tenant, const std::string& default_source,
      const IngestConfig& config, UnknownFields unknown_fields = UnknownFields::kRefuse);
  // The record's top-level fields outside the record format, in order.
  static std::vector<std::string> unknownRecordFields(const Json& record);

 private:
  class CommitPipeline;
  // Commits `writes` and records their injection flags as `principal` in `trace` (empty: a fresh
  // trace per event).
  Result<IngestReport> commitBatch(std::vector<store::DocumentWrite>& writes, IngestReport report,
                                   const trace::TraceContext& trace = {},
                                   const std::string& principal = {});

  store::Store& store_;
  index::Index& index_;
  trace::TraceSink& traces_;
  IngestConfig config_;
};

}  // namespace ward::ingest
