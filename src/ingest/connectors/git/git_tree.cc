// Parsing git plumbing output (ward/ingest/git_tree.h).
#include "ward/ingest/git_tree.h"

#include <charconv>

namespace ward::ingest {

namespace {

bool isHexId(std::string_view s) {
  if (s.size() != 40 && s.size() != 64) return false;
  for (char c : s) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

Status bad(const std::string& what, std::string_view record) {
  std::string shown(record.substr(0, 120));
  for (char& c : shown) {
    if (c == '\0' || c == '\n' || c == '\t') c = ' ';
  }
  return Status::internal("git output: " + what + " in '" + shown + "'");
}

// Splits a NUL-terminated record list; the last record must end with NUL (git's -z output).
Result<std::vector<std::string_view>> records(std::string_view out) {
  std::vector<std::string_view> recs;
  size_t start = 0;
  while (start < out.size()) {
    size_t nul = out.find('\0', start);
    if (nul == std::string_view::npos) return bad("a record without its NUL", out.substr(start));
    recs.push_back(out.substr(start, nul - start));
    start = nul + 1;
  }
  return recs;
}

Status validPath(std::string_view path, std::string_view record) {
  if (path.empty()) return bad("an empty path", record);
  if (path.front() == '/') return bad("an absolute path", record);
  return Status();
}

}  // namespace

Result<std::vector<GitTreeEntry>> parseLsTree(std::string_view out) {
  WARD_ASSIGN_OR_RETURN(std::vector<std::string_view> recs, records(out));
  std::vector<GitTreeEntry> entries;
  entries.reserve(recs.size());
  for (std::string_view r : recs) {
    size_t tab = r.find('\t');
    if (tab == std::string_view::npos) return bad("no tab", r);
    std::string_view meta = r.substr(0, tab);
    GitTreeEntry e;
    e.path = std::string(r.substr(tab + 1));
    WARD_RETURN_IF_ERROR(validPath(e.path, r));
    // "<mode> <type> <oid> <size>" with the size right-aligned (several spaces).
    std::vector<std::string_view> f;
    size_t i = 0;
    while (i < meta.size()) {
      while (i < meta.size() && meta[i] == ' ') ++i;
      size_t j = meta.find(' ', i);
      if (j == std::string_view::npos) j = meta.size();
      if (j > i) f.push_back(meta.substr(i, j - i));
      i = j;
    }
    if (f.size() != 4) return bad("not four fields", r);
    e.mode = std::string(f[0]);
    if (!isHexId(f[2])) return bad("a bad object id", r);
    e.oid = std::string(f[2]);
    if (f[1] == "blob") {
      e.kind = e.mode == "120000" ? GitEntryKind::kSymlink : GitEntryKind::kBlob;
      if (e.mode != "100644" && e.mode != "100755" && e.mode != "120000" && e.mode != "100664") {
        return bad("an unknown blob mode", r);
      }
      auto [p, ec] = std::from_chars(f[3].data(), f[3].data() + f[3].size(), e.size);
      if (ec != std::errc() || p != f[3].data() + f[3].size()) return bad("a bad size", r);
    } else if (f[1] == "commit") {
      if (f[3] != "-") return bad("a submodule with a size", r);
      e.kind = GitEntryKind::kSubmodule;
    } else {
      return bad("an unknown object type", r);  // -r lists no trees
    }
    entries.push_back(std::move(e));
  }
  return entries;
}

Result<std::vector<GitDiffEntry>> parseDiffTree(std::string_view out) {
  WARD_ASSIGN_OR_RETURN(std::vector<std::string_view> recs, records(out));
  std::vector<GitDiffEntry> entries;
  size_t i = 0;
  // diff-tree given two trees prints no commit line; given one commit it prints the id first.
  if (i < recs.size() && isHexId(recs[i])) ++i;
  while (i < recs.size()) {
    std::string_view meta = recs[i++];
    if (meta.empty() || meta.front() != ':') return bad("a record not starting with ':'", meta);
    // ":<old mode> <new mode> <old oid> <new oid> <status>"
    std::vector<std::string_view> f;
    size_t p = 1;
    while (p <= meta.size()) {
      size_t q = meta.find(' ', p);
      if (q == std::string_view::npos) q = meta.size();
      f.push_back(meta.substr(p, q - p));
      p = q + 1;
    }
    if (f.size() != 5 || !isHexId(f[2]) || !isHexId(f[3]) || f[4].empty()) {
      return bad("a malformed raw record", meta);
    }
    const char status = f[4][0];
    if (i >= recs.size()) return bad("a record without its path", meta);
    GitDiffEntry e;
    e.old_oid = std::string(f[2]);
    e.new_oid = std::string(f[3]);
    e.new_mode = std::string(f[1]);
    if (status == 'R' || status == 'C') {
      if (i + 1 >= recs.size()) return bad("a rename without its new path", meta);
      std::string_view from = recs[i++];
      std::string_view to = recs[i++];
      WARD_RETURN_IF_ERROR(validPath(from, meta));
      WARD_RETURN_IF_ERROR(validPath(to, meta));
      if (status == 'R') {
        GitDiffEntry del = e;
        del.change = GitChange::kDeleted;
        del.path = std::string(from);
        del.new_oid = std::string(40, '0');
        entries.push_back(std::move(del));
      }
      e.change = GitChange::kAdded;
      e.path = std::string(to);
      entries.push_back(std::move(e));
      continue;
    }
    std::string_view path = recs[i++];
    WARD_RETURN_IF_ERROR(validPath(path, meta));
    e.path = std::string(path);
    switch (status) {
      case 'A':
        e.change = GitChange::kAdded;
        break;
      case 'M':
      case 'T':
        e.change = GitChange::kModified;
        break;
      case 'D':
        e.change = GitChange::kDeleted;
        break;
      default:
        return bad(std::string("an unknown status '") + status + "'", meta);
    }
    entries.push_back(std::move(e));
  }
  return entries;
}

size_t gitPathDepth(std::string_view path) {
  size_t n = 1;
  for (char c : path) n += c == '/' ? 1 : 0;
  return n;
}

}  // namespace ward::ingest
