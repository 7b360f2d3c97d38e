// Whole-file helpers shared by every FileSystem implementation.
#include "ward/common/hash.h"
#include "ward/io/file_system.h"

namespace ward::io {

std::string parentDir(const std::string& path) {
  size_t slash = path.rfind('/');
  if (slash == std::string::npos) return ".";
  if (slash == 0) return "/";
  return path.substr(0, slash);
}

Result<std::string> readFile(FileSystem& fs, const std::string& path) {
  OpenOptions o;
  o.create = false;
  o.read_only = true;
  WARD_ASSIGN_OR_RETURN(auto file, fs.open(path, o));
  WARD_ASSIGN_OR_RETURN(uint64_t size, file->size());
  return file->readAt(0, static_cast<size_t>(size));
}

Status writeFileAtomic(FileSystem& fs, const std::string& path, std::string_view data,
                       unsigned mode) {
  std::string tmp = path + ".tmp-" + randomHex(4);
  {
    OpenOptions o;
    o.exclusive = true;
    o.mode = mode;
    WARD_ASSIGN_OR_RETURN(auto file, fs.open(tmp, o));
    Status s = file->append(data);
    if (s.ok()) s = file->sync();
    if (!s.ok()) {
      fs.remove(tmp).ignore("best effort: the write's error is the one to report");
      return s;
    }
  }
  Status s = fs.rename(tmp, path);
  if (!s.ok()) {
    fs.remove(tmp).ignore("best effort: the rename's error is the one to report");
    return s;
  }
  return fs.syncDir(parentDir(path));
}

}  // namespace ward::io
