// Collecting the files of an ingest of paths (ingest_files.h).
#include "ingest_files.h"

#include <limits.h>
#include <stdlib.h>
#include <sys/stat.h>

#include <optional>

namespace ward::ingest {

namespace {

std::string realPathOf(const std::string& path) {
  char buf[PATH_MAX];
  if (::realpath(path.c_str(), buf) == nullptr) return std::string();
  return std::string(buf);
}

std::string joinDisplay(const std::string& root, const std::string& relative) {
  if (relative.empty()) return root;
  return root == "/" ? "/" + relative : root + "/" + relative;
}

// `path` relative to `root` (both resolved), or nullopt when it is not beneath it.
std::optional<std::string> relativeTo(const std::string& path, const std::string& root) {
  if (path == root) return std::string();
  std::string prefix = root == "/" ? root : root + "/";
  if (path.compare(0, prefix.size(), prefix) != 0) return std::nullopt;
  return path.substr(prefix.size());
}

}  // namespace

Status collectFiles(const std::vector<std::string>& paths, const PathIngestOptions& options,
                    std::vector<std::unique_ptr<FolderRoot>>& roots, std::vector<FileItem>& items,
                    IngestReport& report) {
  auto problem = [&](std::string item, std::string message) {
    report.problems.push_back({std::move(item), std::move(message)});
    ++report.skipped;
  };
  const FolderRoot* fixed = nullptr;
  if (!options.root.empty()) {
    WARD_ASSIGN_OR_RETURN(std::unique_ptr<FolderRoot> r,
                          FolderRoot::open(options.root, options.refused_dirs));
    fixed = r.get();
    roots.push_back(std::move(r));
  }
  WalkOutput out;  // one for every PATH, so that the entry limit is for the whole call
  for (const auto& p : paths) {
    std::string real = realPathOf(p);
    struct stat st;
    if (real.empty() || ::stat(real.c_str(), &st) != 0) {
      problem(p, "no such file or directory");
      continue;
    }
    const bool is_dir = S_ISDIR(st.st_mode);
    const FolderRoot* root = fixed;
    std::string rel;
    if (fixed != nullptr) {
      auto r = relativeTo(real, fixed->realPath());
      if (!r) {
        problem(p, "not beneath the ingest root " + fixed->realPath());
        continue;
      }
      rel = *r;
    } else {
      size_t slash = real.rfind('/');
      std::string dir = is_dir ? real : (slash == 0 ? "/" : real.substr(0, slash));
      auto r = FolderRoot::open(dir, options.refused_dirs);
      if (!r.ok()) {
        problem(p, r.status().message());
        continue;
      }
      root = r->get();
      roots.push_back(std::move(r).value());
      rel = is_dir ? std::string() : real.substr(slash + 1);
    }
    if (is_dir) {
      size_t first_file = out.files.size();
      size_t first_problem = out.problems.size();
      root->walk(rel, WalkLimits{}, out);
      for (size_t i = first_file; i < out.files.size(); ++i) {
        items.push_back(
            {root, out.files[i], joinDisplay(root->realPath(), out.files[i].relative_path)});
      }
      for (size_t i = first_problem; i < out.problems.size(); ++i) {
        problem(joinDisplay(root->realPath(), out.problems[i].relative_path),
                out.problems[i].message);
      }
      continue;
    }
    auto file = rel.empty() ? Result<WalkedFile>(Status::invalidArgument("is the ingest root"))
                            : root->stat(rel);
    if (!file.ok()) {
      problem(p, file.status().message());
      continue;
    }
    items.push_back({root, std::move(file).value(), real});
  }
  return Status();
}

}  // namespace ward::ingest
