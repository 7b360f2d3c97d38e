#include "ward/ingest/ingest_service.h"

#include <algorithm>
#include <deque>
#include <filesystem>
#include <fstream>
#include <future>
#include <unordered_map>

#include "ward/common/clock.h"
#include "ward/common/hash.h"
#include "ward/identity/principal.h"
#include "ward/index/index.h"
#include "ward/index/written_docs.h"
#include "document_write.h"
#include "ingest_files.h"
#include "injection_audit.h"
#include "parse_pool.h"
#include "ward/ingest/chunker.h"
#include "ward/ingest/folder_root.h"
#include "ward/ingest/injection_scanner.h"
#include "ward/ingest/parser.h"
#include "ward/store/store.h"

namespace ward::ingest {

namespace fs = std::filesystem;

namespace {

constexpr size_t kBatchDocs = 512;
constexpr size_t kBatchBytes = 16 << 20;
constexpr size_t kMaxIdBytes = 1024;

Result<std::vector<std::string>> stringArray(const Json& j, const std::string& field) {
  if (!j.is_array()) return Status::invalidArgument("field '" + field + "' must be an array");
  std::vector<std::string> out;
  for (const auto& e : j) {
    if (!e.is_string()) {
      return Status::invalidArgument("field '" + field + "' must contain only strings");
    }
    WARD_RETURN_IF_ERROR(identity::validateName(field, e.get<std::string>()));
    out.push_back(e.get<std::string>());
  }
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

}  // namespace

Json IngestReport::toJson() const {
  Json problems_json = Json::array();
  for (const auto& p : problems)
    problems_json.push_back({{"item", p.item}, {"message", p.message}});
  Json docs = Json::array();
  for (const auto& r : results) {
    docs.push_back({{"doc_id", r.doc_id},
                    {"version", r.version},
                    {"outcome", store::writeOutcomeName(r.outcome)}});
  }
  return Json{{"items", items_seen},
              {"created", created},
              {"updated", updated},
              {"acl_changed", acl_changed},
              {"unchanged", unchanged},
              {"skipped", skipped},
              {"bytes", bytes},
              {"chunks", chunks},
              {"seconds", seconds},
              {"flagged", flagged},
              {"problems", problems_json},
              {"moved_to_metadata", moved_to_metadata},
              {"documents", docs}};
}

IngestService::IngestService(store::Store& store, index::Index& index, trace::TraceSink& traces,
                             const IngestConfig& config)
    : store_(store), index_(index), traces_(traces), config_(config) {}

std::vector<std::string> IngestService::unknownRecordFields(const Json& record) {
  static const char* const kKnown[] = {"id",  "title",    "text",   "url",   "updated_at",
                                       "acl", "metadata", "source", "format"};
  std::vector<std::string> unknown;
  if (!record.is_object()) return unknown;
  for (auto it = record.begin(); it != record.end(); ++it) {
    if (std::find_if(std::begin(kKnown), std::end(kKnown),
                     [&](const char* k) { return it.key() == k; }) == std::end(kKnown)) {
      unknown.push_back(it.key());
    }
  }
  return unknown;
}

Result<store::DocumentWrite> IngestService::recordToWrite(const Json& record,
                                                          const std::string& tenant,
                                                          const std::string& default_source,
                                                          const IngestConfig& config,
                                                          UnknownFields unknown_fields) {
  if (!record.is_object()) return Status::invalidArgument("record must be a JSON object");
  const std::vector<std::string> unknown = unknownRecordFields(record);
  if (!unknown.empty() && unknown_fields == UnknownFields::kRefuse) {
    return Status::invalidArgument("unknown field '" + unknown.front() + "'");
  }
  store::DocumentWrite w;
  w.tenant = tenant;
  if (!record.contains("id") || !(record["id"].is_string() || record["id"].is_number_integer())) {
    return Status::invalidArgument("field 'id' is required and must be a string");
  }
  w.ext_id = record["id"].is_string() ? record["id"].get<std::string>() : record["id"].dump();
  if (w.ext_id.empty() || w.ext_id.size() > kMaxIdBytes) {
    return Status::invalidArgument("field 'id' must be 1-" + std::to_string(kMaxIdBytes) +
                                   " bytes");
  }
  if (!record.contains("text") || !record["text"].is_string()) {
    return Status::invalidArgument("field 'text' is required and must be a string");
  }
  const std::string& text = record["text"].get_ref<const std::string&>();
  if (text.size() > config.max_record_bytes) {
    return Status::invalidArgument("field 'text' is larger than " +
                                   std::to_string(config.max_record_bytes) + " bytes");
  }
  auto optString = [&](const char* name, std::string* out) -> Status {
    if (!record.contains(name) || record[name].is_null()) return Status();
    if (!record[name].is_string()) {
      return Status::invalidArgument(std::string("field '") + name + "' must be a string");
    }
    *out = record[name].get<std::string>();
    return Status();
  };
  WARD_RETURN_IF_ERROR(optString("title", &w.title));
  WARD_RETURN_IF_ERROR(optString("url", &w.url));
  w.source = default_source;
  WARD_RETURN_IF_ERROR(optString("source", &w.source));
  if (w.source.empty()) w.source = "records";
  WARD_RETURN_IF_ERROR(identity::validateName("source", w.source));
  std::string format = "text";
  WARD_RETURN_IF_ERROR(optString("format", &format));
  if (format != "text" && format != "markdown" && format != "html") {
    return Status::invalidArgument("field 'format' must be one of text, markdown, html");
  }
  w.format = format;
  std::string updated;
  WARD_RETURN_IF_ERROR(optString("updated_at", &updated));
  if (!updated.empty() && !parseRfc3339(updated, &w.updated_at)) {
    return Status::invalidArgument("field 'updated_at' is not an RFC 3339 date: '" + updated + "'");
  }
  if (record.contains("acl") && !record["acl"].is_null()) {
    const Json& acl = record["acl"];
    if (!acl.is_object()) return Status::invalidArgument("field 'acl' must be an object");
    for (auto it = acl.begin(); it != acl.end(); ++it) {
      if (it.key() == "users") {
        WARD_ASSIGN_OR_RETURN(w.acl.users, stringArray(it.value(), "acl.users"));
      } else if (it.key() == "groups") {
        WARD_ASSIGN_OR_RETURN(w.acl.groups, stringArray(it.value(), "acl.groups"));
      } else if (it.key() == "public") {
        if (!it.value().is_boolean()) {
          return Status::invalidArgument("field 'acl.public' must be a boolean");
        }
        w.acl.is_public = it.value().get<bool>();
      } else {
        return Status::invalidArgument("unknown field 'acl." + it.key() + "'");
      }
    }
  }
  if (record.contains("metadata") && !record["metadata"].is_null()) {
    if (!record["metadata"].is_object()) {
      return Status::invalidArgument("field 'metadata' must be an object");
    }
    w.metadata = record["metadata"];
    if (w.metadata.contains(std::string(kInjectionFlagsKey))) {
      return Status::invalidArgument("field 'metadata." + std::string(kInjectionFlagsKey) +
                                     "' is reserved (the injection scanner's flags)");
    }
  }
  for (const std::string& key : unknown) {  // UnknownFields::kToMetadata
    if (key == kInjectionFlagsKey) {
      return Status::invalidArgument("field '" + key +
                                     "' is reserved (the injection scanner's flags)");
    }
    if (w.metadata.is_object() && w.metadata.contains(key)) {
      return Status::invalidArgument("field '" + key + "' is also a key of 'metadata'");
    }
    w.metadata[key] = record[key];
  }
  w.content_hash = contentHash(format, w.title, text, config);
  WARD_RETURN_IF_ERROR(fillChunks(w, format, text, w.title.empty() ? w.ext_id : w.title, config));
  return w;
}

Result<IngestReport> IngestService::commitBatch(std::vector<store::DocumentWrite>& writes,
                                                IngestReport report,
                                                const trace::TraceContext& trace,
                                                const std::string& principal) {
  if (writes.empty()) return report;
  WARD_ASSIGN_OR_RETURN(std::vector<store::WriteResult> results, store_.writeDocuments(writes));
  report.flagged +=
      recordInjectionFlags(&traces_, FlagRequester{trace, principal}, writes, results);
  for (size_t i = 0; i < results.size(); ++i) {
    const auto& r = results[i];
    switch (r.outcome) {
      case store::WriteOutcome::kCreated:
        ++report.created;
        break;
      case store::WriteOutcome::kUpdated:
        ++report.updated;
        break;
      case store::WriteOutcome::kAclChanged:
        ++report.acl_changed;
        break;
      case store::WriteOutcome::kUnchanged:
        ++report.unchanged;
        break;
    }
    if (r.outcome == store::WriteOutcome::kCreated || r.outcome == store::WriteOutcome::kUpdated) {
      report.chunks += static_cast<int64_t>(writes[i].chunks.size());
    }
    report.results.push_back(r);
  }
  // Acknowledge only once the index has applied the batch: searchable on return. The index
  // takes the new versions from `writes` rather than reading them back.
  WARD_ASSIGN_OR_RETURN(int64_t applied,
                        index::catchUpWritten(index_, index::writtenDocs(results, writes)));
  (void)applied;
  writes.clear();
  return report;
}

// Commits batches on a background thread, one at a time and in order, so that the caller parses
// and chunks the next batch while the previous one is written and indexed (the two halves of an
// ingest take about as long as each other, and the machines Ward targets have two cores). The
// tallies of committed batches are merged into the caller's report on its own thread.
class IngestService::CommitPipeline {
 public:
  CommitPipeline(IngestService& service, IngestReport& report)
      : service_(service), report_(report) {}
  ~CommitPipeline() {
    if (inflight_.valid()) inflight_.wait();
  }

  // Waits for the batch in flight, then starts committing `writes` (which is left empty).
  Status submit(std::vector<store::DocumentWrite>& writes) {
    WARD_RETURN_IF_ERROR(wait());
    if (writes.empty()) return Status();
    auto batch = std::make_shared<std::vector<store::DocumentWrite>>(std::move(writes));
    writes.clear();
    inflight_ = std::async(std::launch::async, [this, batch]() {
      return service_.commitBatch(*batch, IngestReport{});
    });
    return Status();
  }

  // Waits for the batch in flight and merges its tally.
  Status wait() {
    if (!inflight_.valid()) return Status();
    Result<IngestReport> tally = inflight_.get();
    if (!tally.ok()) return tally.status();
    report_.created += tally->created;
    report_.updated += tally->updated;
    report_.acl_changed += tally->acl_changed;
    report_.unchanged += tally->unchanged;
    report_.chunks += tally->chunks;
    report_.flagged += tally->flagged;
    for (auto& r : tally->results) report_.results.push_back(std::move(r));
    return Status();
  }

 private:
  IngestService& service_;
  IngestReport& report_;
  std::future<Result<IngestReport>> inflight_;
};

Result<IngestReport> IngestService::ingestPaths(const std::string& tenant,
                                                const std::vector<std::string>& paths,
                                                const PathIngestOptions& options,
                                                const ProgressFn& progress) {
  const int64_t started = SystemClock::instance().monotonicNanos();
  IngestReport report;
  std::string source = options.source.empty() ? "files" : options.source;
  WARD_RETURN_IF_ERROR(identity::validateName("source", source));
  std::vector<std::unique_ptr<FolderRoot>> roots;
  std::vector<FileItem> files;
  WARD_RETURN_IF_ERROR(collectFiles(paths, options, roots, files, report));
  int64_t total_bytes = 0;
  for (const auto& f : files) total_bytes += static_cast<int64_t>(f.file.size);

  std::vector<store::DocumentWrite> batch;
  size_t batch_bytes = 0;
  std::unordered_map<std::string, std::string> seen_ids;  // id -> display path
  std::vector<std::string> legacy_ids;                    // absolute-path ids to remove
  CommitPipeline pipeline(*this, report);
  for (size_t i = 0; i < files.size(); ++i) {
    const FileItem& item = files[i];
    const std::string& rel = item.file.relative_path;
    std::string name = rel.substr(rel.rfind('/') + 1);
    std::string ext_id = source + ":" + rel;
    auto [seen, fresh] = seen_ids.emplace(ext_id, item.display);
    if (!fresh && seen->second == item.display) continue;  // the same file named twice
    ++report.items_seen;
    auto skip = [&](const std::string& why) {
      report.problems.push_back({item.display, why});
      ++report.skipped;
    };
    if (!fresh) {
      skip("same id '" + ext_id + "' as " + seen->second + " (use --root or --source)");
      continue;
    }
    if (ext_id.size() > kMaxIdBytes) {
      skip("id longer than " + std::to_string(kMaxIdBytes) + " bytes");
      continue;
    }
    auto format = detectFormat(name);
    if (!format) {
      skip("unsupported file type");
      continue;
    }
    if (item.file.size > config_.max_file_bytes) {
      skip("larger than ingest.max_file_bytes (" + std::to_string(item.file.size) + " > " +
           std::to_string(config_.max_file_bytes) + ")");
      continue;
    }
    auto read = item.root->read(rel, config_.max_file_bytes);
    if (!read.ok()) {
      skip(read.status().code() == StatusCode::kResourceExhausted
               ? "larger than ingest.max_file_bytes (" + std::to_string(config_.max_file_bytes) +
                     ")"
               : read.status().message());
      continue;
    }
    const std::string& bytes = *read;
    report.bytes += static_cast<int64_t>(bytes.size());
    store::DocumentWrite w;
    w.tenant = tenant;
    w.ext_id = std::move(ext_id);
    w.source = source;
    w.format = *format;
    w.acl = options.acl;
    w.updated_at = item.file.mtime_us;
    w.content_hash = contentHash(*format, "", bytes, config_);
    // Unchanged bytes: skip parsing; the store still sees ACL/metadata changes.
    auto existing = store_.getDocument(tenant, w.ext_id);
    if (existing.ok() && !existing->deleted && existing->content_hash == w.content_hash) {
      w.title = existing->title;
      keepInjectionFlags(existing->metadata, w.metadata);  // not scanned again: kept
    } else {
      Status s = fillChunks(w, *format, bytes, name, config_);
      if (!s.ok()) {
        skip(s.message());
        continue;
      }
    }
    // Before ids were relative, a file's id was its absolute path: that document is replaced.
    auto legacy = store_.getDocument(tenant, item.display);
    if (legacy.ok() && !legacy->deleted) legacy_ids.push_back(item.display);
    batch_bytes += bytes.size();
    batch.push_back(std::move(w));
    if (batch.size() >= kBatchDocs || batch_bytes >= kBatchBytes) {
      WARD_RETURN_IF_ERROR(pipeline.submit(batch));
      batch_bytes = 0;
    }
    if (progress)
      progress(static_cast<int64_t>(i + 1), static_cast<int64_t>(files.size()), report.bytes,
               total_bytes);
  }
  WARD_RETURN_IF_ERROR(pipeline.submit(batch));
  WARD_RETURN_IF_ERROR(pipeline.wait());
  if (!legacy_ids.empty()) {
    for (const auto& id : legacy_ids) WARD_RETURN_IF_ERROR(store_.deleteDocument(tenant, id));
    WARD_ASSIGN_OR_RETURN(int64_t applied, index_.catchUp());
    (void)applied;
  }
  report.seconds = static_cast<double>(SystemClock::instance().monotonicNanos() - started) / 1e9;
  return report;
}

namespace {

// One non-blank line of a JSONL file and what it became: a write, or the reason it is skipped.
struct JsonlLine {
  int64_t line_no = 0;
  std::string text;
  Result<store::DocumentWrite> write = Status::internal("not converted");
  std::vector<std::string> unknown;  // fields moved to metadata
};

// A line -> a document write (parsed and chunked), as ingestJsonlFile documents; thread-safe.
void convertLine(JsonlLine& line, const std::string& tenant, const JsonlIngestOptions& options,
                 const IngestConfig& config) {
  if (line.text.size() > config.max_record_bytes + 65536) {
    line.write = Status::invalidArgument("record larger than ingest.max_record_bytes");
    return;
  }
  auto j = parseJson(line.text);
  if (!j.ok()) {
    line.write = j.status();
    return;
  }
  // BEIR's corpus lines are {"_id", "title", "text", "metadata"}: `_id` is the file's name for
  // `id` (a JSONL file only; HTTP bodies have one documented shape).
  if (j->is_object() && j->contains("_id")) {
    if (j->contains("id")) {
      line.write =
          Status::invalidArgument("fields 'id' and '_id' both given (they are the same field)");
      return;
    }
    (*j)["id"] = std::move((*j)["_id"]);
    j->erase("_id");
  }
  line.write = IngestService::recordToWrite(*j, tenant, options.default_source, config,
                                            options.unknown_fields);
  if (line.write.ok()) line.unknown = IngestService::unknownRecordFields(*j);
  std::string().swap(line.text);  // the chunks hold the text now
}

}  // namespace

Result<IngestReport> IngestService::ingestJsonlFile(const std::string& tenant,
                                                    const std::string& path,
                                                    const JsonlIngestOptions& options,
                                                    const ProgressFn& progress) {
  const int64_t started = SystemClock::instance().monotonicNanos();
  IngestReport report;
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::notFound("cannot open " + path);
  std::error_code ec;
  int64_t total_bytes = static_cast<int64_t>(fs::file_size(path, ec));
  // A batch's lines are parsed and chunked on the pool while the previous batch is committed
  // (CommitPipeline); their writes and problems are then taken in line order.
  std::vector<store::DocumentWrite> batch;
  std::deque<JsonlLine> lines;  // the pool's tasks point into it: declared before the pool
  ParsePool pool(defaultParseWorkers());
  CommitPipeline pipeline(*this, report);
  size_t batch_bytes = 0;
  auto flush = [&]() -> Status {
    pool.wait();
    for (JsonlLine& l : lines) {
      if (!l.write.ok()) {
        report.problems.push_back(
            {path + ":" + std::to_string(l.line_no), l.write.status().message()});
        ++report.skipped;
        continue;
      }
      for (const std::string& field : l.unknown) ++report.moved_to_metadata[field];
      batch.push_back(std::move(l.write).value());
    }
    lines.clear();
    batch_bytes = 0;
    WARD_RETURN_IF_ERROR(pipeline.submit(batch));
    if (progress) progress(report.items_seen, -1, report.bytes, total_bytes);
    return Status();
  };
  std::string text;
  int64_t line_no = 0;
  while (std::getline(in, text)) {
    ++line_no;
    report.bytes += static_cast<int64_t>(text.size() + 1);
    if (text.find_first_not_of(" \t\r") == std::string::npos) continue;
    ++report.items_seen;
    batch_bytes += text.size();
    JsonlLine& l = lines.emplace_back();
    l.line_no = line_no;
    l.text = std::move(text);
    text = std::string();
    pool.submit([&l, &tenant, &options, this] {
      try {
        convertLine(l, tenant, options, config_);
      } catch (const std::exception& e) {  // a pool task must not throw (parse_pool.h)
        l.write = Status::resourceExhausted(std::string("cannot convert the record: ") + e.what());
      }
    });
    if (lines.size() >= kBatchDocs || batch_bytes >= kBatchBytes) WARD_RETURN_IF_ERROR(flush());
  }
  WARD_RETURN_IF_ERROR(flush());
  WARD_RETURN_IF_ERROR(pipeline.wait());
  if (progress) progress(report.items_seen, report.items_seen, report.bytes, total_bytes);
  report.seconds = static_cast<double>(SystemClock::instance().monotonicNanos() - started) / 1e9;
  return report;
}

Result<IngestReport> IngestService::ingestRecords(const std::string& tenant, const Json& records,
                                                  const std::string& default_source,
                                                  const trace::TraceContext& trace,
                                                  const std::string& principal) {
  const int64_t started = SystemClock::instance().monotonicNanos();
  if (!records.is_array()) return Status::invalidArgument("'records' must be an array");
  if (records.empty()) return Status::invalidArgument("'records' is empty");
  std::vector<store::DocumentWrite> writes;
  IngestReport report;
  // Records are parsed and chunked on the worker pool; the first bad one (in order) fails all.
  std::vector<Result<store::DocumentWrite>> converted(records.size(),
                                                      Status::internal("not converted"));
  auto convert = [&](size_t i) {
    try {
      converted[i] = recordToWrite(records[i], tenant, default_source, config_);
    } catch (const std::exception& e) {  // a pool task must not throw (parse_pool.h)
      converted[i] = Status::resourceExhausted(std::string("cannot convert: ") + e.what());
    }
  };
  if (records.size() == 1) {
    convert(0);
  } else {
    ParsePool pool(static_cast<unsigned>(std::min<size_t>(defaultParseWorkers(), records.size())));
    for (size_t i = 0; i < records.size(); ++i) pool.submit([&convert, i] { convert(i); });
    pool.wait();
  }
  for (size_t i = 0; i < records.size(); ++i) {
    auto& w = converted[i];
    if (!w.ok()) {
      return Status::invalidArgument("records[" + std::to_string(i) + "]: " + w.status().message());
    }
    report.bytes += static_cast<int64_t>(records[i].value("text", std::string()).size());
    writes.push_back(std::move(w).value());
  }
  report.items_seen = static_cast<int64_t>(writes.size());
  std::vector<std::string> ids;
  for (const auto& w : writes) ids.push_back(w.ext_id);
  WARD_ASSIGN_OR_RETURN(report, commitBatch(writes, std::move(report), trace, principal));
  report.seconds = static_cast<double>(SystemClock::instance().monotonicNanos() - started) / 1e9;
  trace::TraceEvent ev;
  ev.context = trace;
  ev.kind = "ingest";
  ev.tenant = tenant;
  ev.principal = principal;
  ev.time_us = SystemClock::instance().nowMicros();
  Json docs = Json::array();
  for (size_t i = 0; i < ids.size() && i < report.results.size(); ++i) {
    docs.push_back({{"doc_id", ids[i]},
                    {"version", report.results[i].version},
                    {"outcome", store::writeOutcomeName(report.results[i].outcome)}});
  }
  ev.attributes = {{"documents", docs}};
  WARD_RETURN_IF_ERROR(traces_.record(ev));
  return report;
}

Status IngestService::removeDocument(const std::string& tenant, const std::string& ext_id,
                                     const trace::TraceContext& trace,
                                     const std::string& principal) {
  WARD_RETURN_IF_ERROR(store_.deleteDocument(tenant, ext_id));
  WARD_ASSIGN_OR_RETURN(int64_t applied, index_.catchUp());
  (void)applied;
  trace::TraceEvent ev;
  ev.context = trace;
  ev.kind = "delete";
  ev.tenant = tenant;
  ev.principal = principal;
  ev.time_us = SystemClock::instance().nowMicros();
  ev.attributes = {{"doc_id", ext_id}};
  return traces_.record(ev);
}

}  // namespace ward::ingest
