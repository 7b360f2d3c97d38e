// Reading archives in memory under caps (ward/ingest/archive_reader.h): zip bombs, zip slip,
// nesting, entry and byte caps, counted while streaming.
#include "ward/ingest/archive_reader.h"

#include <archive.h>
#include <archive_entry.h>
#include <gtest/gtest.h>

#include <string>
#include <utility>
#include <vector>

namespace ward::ingest {
namespace {

using Entries = std::vector<std::pair<std::string, std::string>>;

// An archive made in memory with libarchive's writer: zip (deflated) or tar.gz.
std::string makeArchive(const Entries& entries, bool zip = true) {
  size_t cap = 1 << 20;
  for (const auto& [n, b] : entries) cap += b.size() + n.size() + 1024;
  std::string buf(cap, '\0');
  size_t used = 0;
  archive* a = archive_write_new();
  if (zip) {
    archive_write_set_format_zip(a);
  } else {
    archive_write_set_format_pax_restricted(a);
    archive_write_add_filter_gzip(a);
  }
  EXPECT_EQ(archive_write_open_memory(a, buf.data(), buf.size(), &used), ARCHIVE_OK);
  for (const auto& [name, bytes] : entries) {
    archive_entry* e = archive_entry_new();
    archive_entry_set_pathname(e, name.c_str());
    archive_entry_set_size(e, static_cast<la_int64_t>(bytes.size()));
    archive_entry_set_filetype(e, AE_IFREG);
    archive_entry_set_perm(e, 0644);
    EXPECT_EQ(archive_write_header(a, e), ARCHIVE_OK) << archive_error_string(a);
    EXPECT_EQ(archive_write_data(a, bytes.data(), bytes.size()),
              static_cast<la_ssize_t>(bytes.size()));
    archive_entry_free(e);
  }
  archive_write_close(a);
  archive_write_free(a);
  buf.resize(used);
  return buf;
}

struct Read {
  std::vector<std::string> names;  // delivered entries
  std::vector<std::pair<std::string, std::string>> refused;
  ArchiveOutcome outcome;
  Status status;
};

Read readAll(const std::string& bytes, const ArchiveLimits& limits = {}) {
  Read r;
  auto out = readArchive(
      bytes, limits,
      [&](ArchiveEntry&& e) {
        r.names.push_back(e.name);
        return Status();
      },
      [&](const std::string& name, const std::string& why) {
        r.refused.emplace_back(name, why);
        return Status();
      });
  r.status = out.status();
  if (out.ok()) r.outcome = *out;
  return r;
}

std::string text(size_t n) {
  std::string s;
  uint32_t x = 12345;
  while (s.size() < n) {
    x = x * 1103515245 + 12345;
    s += static_cast<char>('a' + (x >> 16) % 26);
    if (x % 7 == 0) s += ' ';
  }
  s.resize(n);
  return s;
}

TEST(ArchiveReaderTest, ReadsZipAndTarGzEntriesInMemory) {
  for (bool zip : {true, false}) {
    Read r = readAll(makeArchive({{"a.md", "# A\n"}, {"dir/b.txt", "b"}}, zip));
    ASSERT_TRUE(r.status.ok()) << r.status.toString();
    EXPECT_EQ(r.names, (std::vector<std::string>{"a.md", "dir/b.txt"}));
    EXPECT_TRUE(r.refused.empty());
    EXPECT_TRUE(r.outcome.exhausted);
  }
}

TEST(ArchiveReaderTest, NotAnArchiveIsAnError) {
  Read r = readAll("just some text, not an archive at all");
  EXPECT_EQ(r.status.code(), StatusCode::kInvalidArgument);
}

// The caps, one row each: what the archive holds, the limits, what is delivered, whether the
// reading stopped, and a word of the refusal.
TEST(ArchiveReaderTest, CapsAreCountedWhileStreaming) {
  struct Case {
    const char* what;
    Entries entries;
    ArchiveLimits limits;
    std::vector<std::string> delivered;
    bool exhausted;
    const char* refusal;
  };
  ArchiveLimits few_entries;
  few_entries.max_entries = 2;
  ArchiveLimits small_entry;
  small_entry.max_entry_bytes = 1000;
  ArchiveLimits small_total;
  small_total.max_total_bytes = 3000;
  const std::vector<Case> cases = {
      {"zip bomb: 10 MB of zeros",
       {{"ok.md", "fine"}, {"bomb.txt", std::string(10 << 20, '\0')}},
       {},
       {"ok.md"},
       false,
       "times its size"},
      {"entry count",
       {{"1.md", "1"}, {"2.md", "2"}, {"3.md", "3"}},
       few_entries,
       {"1.md", "2.md"},
       false,
       "entries"},
      {"entry bytes",
       {{"big.md", text(5000)}, {"small.md", "s"}},
       small_entry,
       {"small.md"},
       true,
       "the entry inflates past 1000"},
      {"total bytes",
       {{"a.md", text(2000)}, {"b.md", text(2000)}, {"c.md", "c"}},
       small_total,
       {"a.md"},
       false,
       "the archive inflates past 3000"},
  };
  for (const Case& c : cases) {
    Read r = readAll(makeArchive(c.entries), c.limits);
    ASSERT_TRUE(r.status.ok()) << c.what << ": " << r.status.toString();
    EXPECT_EQ(r.names, c.delivered) << c.what;
    EXPECT_EQ(r.outcome.exhausted, c.exhausted) << c.what;
    ASSERT_EQ(r.refused.size(), 1u) << c.what;
    EXPECT_NE(r.refused[0].second.find(c.refusal), std::string::npos)
        << c.what << ": " << r.refused[0].second;
  }
}

TEST(ArchiveReaderTest, TheBombStopsLongBeforeItIsInflated) {
  Read r = readAll(makeArchive({{"bomb.txt", std::string(10 << 20, '\0')}}));
  ASSERT_TRUE(r.status.ok());
  EXPECT_LT(r.outcome.inflated, uint64_t{3} << 20);  // the ratio floor (1 MiB) plus a chunk
}

TEST(ArchiveReaderTest, ZipSlipNamesAndDuplicatesAreRefusedTheRestIsRead) {
  for (bool zip : {true, false}) {
    Read r = readAll(makeArchive({{"ok.md", "ok"},
                                  {"../evil.md", "x"},
                                  {"a/../../evil2.md", "x"},
                                  {"/etc/evil3.md", "x"},
                                  {"ok.md", "again"},
                                  {"last.md", "last"}},
                                 zip));
    ASSERT_TRUE(r.status.ok()) << r.status.toString();
    EXPECT_EQ(r.names, (std::vector<std::string>{"ok.md", "last.md"})) << zip;
    ASSERT_EQ(r.refused.size(), 4u) << zip;
    EXPECT_NE(r.refused[0].second.find("'..'"), std::string::npos) << r.refused[0].second;
    EXPECT_NE(r.refused[3].second.find("duplicate"), std::string::npos) << r.refused[3].second;
    EXPECT_TRUE(r.outcome.exhausted);
    // Found by the archive fuzz target: entries counted the refused ones too.
    EXPECT_EQ(r.outcome.entries, r.names.size()) << zip;
  }
}

TEST(ArchiveReaderTest, NestedArchivesAreReadUpToTheDepth) {
  std::string inner2 = makeArchive({{"deep.md", "deep"}});
  std::string inner1 = makeArchive({{"mid.md", "mid"}, {"inner2.zip", inner2}}, false);
  std::string outer = makeArchive({{"top.md", "top"}, {"inner1.tar.gz", inner1}});
  Read r = readAll(outer);
  ASSERT_TRUE(r.status.ok());
  EXPECT_EQ(r.names, (std::vector<std::string>{"top.md", "inner1.tar.gz!/mid.md"}));
  ASSERT_EQ(r.refused.size(), 1u);
  EXPECT_EQ(r.refused[0].first, "inner1.tar.gz!/inner2.zip");
  EXPECT_NE(r.refused[0].second.find("nested deeper than 2"), std::string::npos);
  ArchiveLimits deeper;
  deeper.max_depth = 3;
  r = readAll(outer, deeper);
  EXPECT_EQ(r.names.size(), 3u);
  EXPECT_EQ(r.names[2], "inner1.tar.gz!/inner2.zip!/deep.md");
}

TEST(ArchiveReaderTest, NameProblems) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"a.md", ""},
      {"dir/a..b.md", ""},
      {"..", "a '..' component"},
      {"../x", "a '..' component"},
      {"a/../b", "a '..' component"},
      {"a/..", "a '..' component"},
      {"/x", "an absolute path"},
      {"\\x", "an absolute path"},
      {"C:x", "a drive letter"},
      {"a\\..\\b", "a backslash"},
      {std::string("a\x01"
                   "b"),
       "a control character"},
      {"", "an empty name"},
  };
  for (const auto& [name, problem] : cases) EXPECT_EQ(archiveNameProblem(name), problem) << name;
}

}  // namespace
}  // namespace ward::ingest
