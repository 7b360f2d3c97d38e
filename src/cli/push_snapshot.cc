// HTTP push snapshots (push_snapshot.h).
#include "push_snapshot.h"

#include <sys/stat.h>
#include <unistd.h>

#include <fstream>

#include "runtime_sources.h"
#include "ward/identity/principal.h"

namespace ward::cli {

Result<SnapshotPage> parseSnapshotPage(const std::string& text) {
  if (text.empty()) return SnapshotPage::kWhole;
  if (text == "begin") return SnapshotPage::kBegin;
  if (text == "append") return SnapshotPage::kAppend;
  if (text == "commit") return SnapshotPage::kCommit;
  return Status::invalidArgument("query 'page' must be begin, append or commit");
}

Result<ingest::SourceConfig> pushSourceConfig(SyncWiring& wiring, const std::string& tenant,
                                              const std::string& name, const std::string& file) {
  WARD_RETURN_IF_ERROR(identity::validateName("source", name));
  ingest::SourceConfig src;
  const char* origin = "in ward.toml";
  if (const ingest::SourceConfig* configured = wiring.find(name)) {
    src = *configured;
  } else {
    // A runtime source (POST /v1/sources) keeps its stored settings too.
    WARD_ASSIGN_OR_RETURN(std::vector<SourceEntry> entries,
                          listSourceEntries(wiring, tenant, true));
    for (auto& e : entries) {
      if (!e.runtime || e.config.name != name) continue;
      if (e.record.removing) {
        return Status::failedPrecondition("source '" + name + "' is being removed");
      }
      src = std::move(e.config);
      origin = "(a runtime source)";
    }
  }
  if (!src.connector.empty() && src.connector != "jsonl") {
    return Status::invalidArgument("source '" + name + "' is a " + src.connector + " source " +
                                   origin + ", not a jsonl one");
  }
  src.name = name;
  src.connector = "jsonl";
  src.root = file;
  return src;
}

Result<std::vector<std::string>> snapshotLines(const std::string& body) {
  std::vector<std::string> out;
  auto add = [&](const Json& r, size_t i) -> Status {
    if (!r.is_object()) {
      return Status::invalidArgument("records[" + std::to_string(i) + "] must be a JSON object");
    }
    out.push_back(dumpJson(r));
    return Status();
  };
  size_t first = body.find_first_not_of(" \t\r\n");
  if (first != std::string::npos && (body[first] == '[' || body[first] == '{')) {
    auto whole = parseJson(body);
    if (whole.ok() && (whole->is_array() || whole->contains("records"))) {
      const Json& list = whole->is_array() ? *whole : (*whole)["records"];
      if (!list.is_array()) return Status::invalidArgument("'records' must be an array");
      for (size_t i = 0; i < list.size(); ++i) WARD_RETURN_IF_ERROR(add(list[i], i));
      return out;
    }
  }
  // JSON lines.
  size_t start = 0, i = 0;
  while (start < body.size()) {
    size_t end = body.find('\n', start);
    if (end == std::string::npos) end = body.size();
    std::string line = body.substr(start, end - start);
    start = end + 1;
    if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
    auto j = parseJson(line);
    if (!j.ok()) {
      return Status::invalidArgument("records[" + std::to_string(i) +
                                     "]: not JSON: " + j.status().message());
    }
    WARD_RETURN_IF_ERROR(add(*j, i));
    ++i;
  }
  return out;
}

Result<SnapshotOutcome> PushSnapshots::push(const std::string& tenant, const std::string& source,
                                            SnapshotPage page,
                                            const std::vector<std::string>& lines,
                                            const ingest::SyncRequest& request) {
  std::lock_guard<std::mutex> lock(mu_);
  const std::string path = dir_ + "/" + tenant + "." + source + ".snapshot.jsonl";
  WARD_ASSIGN_OR_RETURN(ingest::SourceConfig src, pushSourceConfig(wiring_, tenant, source, path));
  struct stat st {};
  const bool staged = ::stat(path.c_str(), &st) == 0;
  if ((page == SnapshotPage::kAppend || page == SnapshotPage::kCommit) && !staged) {
    return Status::failedPrecondition("no snapshot of source '" + source +
                                      "' is begun: send its first page with ?page=begin");
  }
  uint64_t size = staged && page != SnapshotPage::kBegin && page != SnapshotPage::kWhole
                      ? static_cast<uint64_t>(st.st_size)
                      : 0;
  for (const auto& l : lines) size += l.size() + 1;
  if (size > kMaxStagedSnapshotBytes) {
    return Status::resourceExhausted("the staged snapshot of source '" + source + "' would pass " +
                                     std::to_string(kMaxStagedSnapshotBytes) + " bytes");
  }
  {
    const bool fresh = page == SnapshotPage::kBegin || page == SnapshotPage::kWhole;
    std::ofstream out(path, fresh ? std::ios::trunc : std::ios::app);
    for (const auto& l : lines) out << l << '\n';
    out.close();
    if (!out) return Status::unavailable("cannot write the staged snapshot of '" + source + "'");
  }
  SnapshotOutcome o;
  std::ifstream in(path);
  for (std::string l; std::getline(in, l);) ++o.staged_records;
  if (page == SnapshotPage::kBegin || page == SnapshotPage::kAppend) return o;
  auto r = wiring_.runner->run(tenant, src, request);
  // A run that cannot start (another run of the source, an approval that does not fit) keeps the
  // staged pages, so the commit can be sent again.
  if (!r.ok()) return r.status();
  ::unlink(path.c_str());
  o.committed = true;
  o.result = std::move(r).value();
  return o;
}

}  // namespace ward::cli
