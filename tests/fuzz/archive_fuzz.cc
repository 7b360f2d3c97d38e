// libFuzzer target for the archive reader (ingest/archive_reader.h: zip and tar.gz through
// libarchive, in memory) and the Slack export reader built on it. The first byte picks the entry
// point (bit 0: readSlackExport, else readArchive); the rest is the archive. The caps are small
// so an inflating input stops early. Checks that nothing crashes, that every delivered entry name
// passes archiveNameProblem and fits the entry cap, that no name is delivered twice, and that the
// counts stay within the caps.
// Seed corpus: tests/fuzz/corpus/archive (a zip, a tar.gz, a nested zip, a Slack export).
#include <cstdint>
#include <cstdlib>
#include <set>
#include <string>
#include <string_view>

#include "connectors/slack/slack_export.h"
#include "ward/ingest/archive_reader.h"

namespace {

ward::ingest::ArchiveLimits fuzzLimits() {
  ward::ingest::ArchiveLimits limits;
  limits.max_entries = 64;
  limits.max_total_bytes = 4 << 20;
  limits.max_entry_bytes = 1 << 20;
  return limits;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const std::string_view bytes(reinterpret_cast<const char*>(data) + 1, size - 1);
  const ward::ingest::ArchiveLimits limits = fuzzLimits();
  if ((data[0] & 1) != 0) {
    auto slack = ward::ingest::readSlackExport(bytes, limits);
    if (!slack.ok() && slack.status().message().empty()) std::abort();
    return 0;
  }
  std::set<std::string> names;
  auto outcome = ward::ingest::readArchive(
      bytes, limits,
      [&](ward::ingest::ArchiveEntry&& entry) {
        // A nested entry is "<inner archive>!/<name>": check the part inside the innermost one.
        std::string_view inner = entry.name;
        size_t bang = inner.rfind("!/");
        if (bang != std::string_view::npos) inner.remove_prefix(bang + 2);
        if (!ward::ingest::archiveNameProblem(inner).empty()) std::abort();
        if (entry.bytes.size() > limits.max_entry_bytes) std::abort();
        if (!names.insert(entry.name).second) std::abort();
        return ward::Status();
      },
      [](const std::string&, const std::string& why) {
        if (why.empty()) std::abort();
        return ward::Status();
      });
  if (!outcome.ok()) {
    if (outcome.status().message().empty()) std::abort();
    return 0;
  }
  if (outcome->entries != names.size() || outcome->entries > limits.max_entries) std::abort();
  return 0;
}
