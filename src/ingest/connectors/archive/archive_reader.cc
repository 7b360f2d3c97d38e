// Reading archives in memory through libarchive (ward/ingest/archive_reader.h).
#include "ward/ingest/archive_reader.h"

#include <archive.h>
#include <archive_entry.h>

#include <memory>
#include <set>

namespace ward::ingest {

namespace {

bool endsWith(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

struct Totals {
  size_t entries = 0;    // entries read (refused and nested archives included): the cap
  size_t delivered = 0;  // regular files handed to on_entry (ArchiveOutcome::entries)
  uint64_t inflated = 0;
  uint64_t root_bytes = 0;  // the outermost archive's size: the ratio's denominator
  bool stopped = false;     // a cap stopped the whole reading
};

class Reader {
 public:
  Reader(const ArchiveLimits& limits, const ArchiveEntryFn& on_entry,
         const ArchiveRefusalFn& on_refused)
      : limits_(limits), on_entry_(on_entry), on_refused_(on_refused) {}

  Totals totals;

  // Reads one archive (depth 1 = the outermost) whose entries are named "<prefix><name>".
  Status read(std::string_view bytes, const std::string& prefix, size_t depth) {
    std::unique_ptr<archive, int (*)(archive*)> a(archive_read_new(), archive_read_free);
    if (!a) return Status::resourceExhausted("archive: out of memory");
    archive_read_support_filter_gzip(a.get());
    archive_read_support_format_zip(a.get());
    archive_read_support_format_tar(a.get());
    archive_read_support_format_gnutar(a.get());
    if (archive_read_open_memory(a.get(), bytes.data(), bytes.size()) != ARCHIVE_OK) {
      return Status::invalidArgument("not a zip or tar.gz archive (" +
                                     std::string(archive_error_string(a.get())
                                                     ? archive_error_string(a.get())
                                                     : "unreadable") +
                                     ")");
    }
    std::set<std::string> names;
    archive_entry* entry = nullptr;
    while (!totals.stopped) {
      int r = archive_read_next_header(a.get(), &entry);
      if (r == ARCHIVE_EOF) break;
      if (r < ARCHIVE_WARN) {
        const char* why = archive_error_string(a.get());
        if (names.empty() && totals.entries == 0) {
          return Status::invalidArgument(std::string("not a readable zip or tar.gz archive (") +
                                         (why ? why : "a bad header") + ")");
        }
        WARD_RETURN_IF_ERROR(on_refused_(prefix, std::string("unreadable archive: ") +
                                                     (why ? why : "a bad header") +
                                                     "; the rest is not read"));
        if (depth == 1) totals.stopped = true;
        break;
      }
      const char* raw = archive_entry_pathname(entry);
      std::string name = raw ? raw : "";
      const mode_t type = archive_entry_filetype(entry);
      if (type == AE_IFDIR) continue;
      if (++totals.entries > limits_.max_entries) {
        WARD_RETURN_IF_ERROR(on_refused_(
            prefix,
            "more than " + std::to_string(limits_.max_entries) + " entries; the rest is not read"));
        totals.stopped = true;
        break;
      }
      const std::string full = prefix + name;
      if (std::string why = archiveNameProblem(name); !why.empty()) {
        WARD_RETURN_IF_ERROR(on_refused_(full, "entry name refused (zip slip): " + why));
        continue;
      }
      if (!names.insert(name).second) {
        WARD_RETURN_IF_ERROR(
            on_refused_(full, "entry name refused: a duplicate of an earlier entry"));
        continue;
      }
      if (type != AE_IFREG || archive_entry_hardlink(entry) != nullptr) {
        WARD_RETURN_IF_ERROR(on_refused_(full, "not a regular file (a link or a device entry)"));
        continue;
      }
      const bool nested = isArchiveName(name);
      if (nested && depth >= limits_.max_depth) {
        WARD_RETURN_IF_ERROR(on_refused_(full, "an archive nested deeper than " +
                                                   std::to_string(limits_.max_depth) +
                                                   " levels; not read"));
        continue;
      }
      std::string data;
      WARD_ASSIGN_OR_RETURN(bool whole, readData(a.get(), full, &data));
      if (!whole) continue;
      if (nested) {
        Status inner = read(data, full + "!/", depth + 1);
        if (!inner.ok()) {
          WARD_RETURN_IF_ERROR(on_refused_(full, inner.message()));
        }
        continue;
      }
      WARD_RETURN_IF_ERROR(on_entry_(ArchiveEntry{full, std::move(data)}));
      ++totals.delivered;
    }
    return Status();
  }

 private:
  // Inflates the current entry, counting every cap per chunk. False (and a refusal) when the
  // entry was refused; a cap on the whole archive also sets totals.stopped.
  Result<bool> readData(archive* a, const std::string& full, std::string* data) {
    char buf[65536];
    for (;;) {
      la_ssize_t n = archive_read_data(a, buf, sizeof buf);
      if (n == 0) return true;
      if (n < 0) {
        const char* why = archive_error_string(a);
        WARD_RETURN_IF_ERROR(
            on_refused_(full, std::string("cannot inflate: ") + (why ? why : "a bad entry")));
        return false;
      }
      totals.inflated += static_cast<uint64_t>(n);
      if (totals.inflated > limits_.max_total_bytes) {
        WARD_RETURN_IF_ERROR(on_refused_(full, "the archive inflates past " +
                                                   std::to_string(limits_.max_total_bytes) +
                                                   " bytes; the rest is not read"));
        totals.stopped = true;
        return false;
      }
      if (totals.inflated > kArchiveRatioFloorBytes &&
          totals.inflated > limits_.max_ratio * std::max<uint64_t>(totals.root_bytes, 1)) {
        WARD_RETURN_IF_ERROR(
            on_refused_(full, "the archive inflates past " + std::to_string(limits_.max_ratio) +
                                  " times its size (a zip bomb?); the rest is not read"));
        totals.stopped = true;
        return false;
      }
      if (data->size() + static_cast<size_t>(n) > limits_.max_entry_bytes) {
        WARD_RETURN_IF_ERROR(on_refused_(full, "the entry inflates past " +
                                                   std::to_string(limits_.max_entry_bytes) +
                                                   " bytes; not read"));
        return false;
      }
      data->append(buf, static_cast<size_t>(n));
    }
  }

  const ArchiveLimits& limits_;
  const ArchiveEntryFn& on_entry_;
  const ArchiveRefusalFn& on_refused_;
};

}  // namespace

std::string archiveNameProblem(std::string_view name) {
  if (name.empty()) return "an empty name";
  if (name.front() == '/' || name.front() == '\\') return "an absolute path";
  if (name.size() >= 2 && name[1] == ':') return "a drive letter";
  for (char c : name) {
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) return "a control character";
    if (c == '\\') return "a backslash";
  }
  size_t start = 0;
  while (start <= name.size()) {
    size_t slash = name.find('/', start);
    if (slash == std::string_view::npos) slash = name.size();
    if (name.substr(start, slash - start) == "..") return "a '..' component";
    start = slash + 1;
  }
  return "";
}

bool isArchiveName(std::string_view name) {
  return endsWith(name, ".zip") || endsWith(name, ".tar.gz") || endsWith(name, ".tgz");
}

Result<ArchiveOutcome> readArchive(std::string_view archive, const ArchiveLimits& limits,
                                   const ArchiveEntryFn& on_entry,
                                   const ArchiveRefusalFn& on_refused) {
  Reader reader(limits, on_entry, on_refused);
  reader.totals.root_bytes = archive.size();
  WARD_RETURN_IF_ERROR(reader.read(archive, "", 1));
  ArchiveOutcome out;
  out.entries = reader.totals.delivered;
  out.inflated = reader.totals.inflated;
  out.exhausted = !reader.totals.stopped;
  return out;
}

}  // namespace ward::ingest
