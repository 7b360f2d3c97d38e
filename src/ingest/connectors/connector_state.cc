// What connectors' state files and checkpoint texts share (connector_state.h).
#include "connector_state.h"

#include "ward/io/file_system.h"

namespace ward::ingest {

std::optional<Json> loadConnectorState(const std::string& path) {
  Result<std::string> text = io::readFile(io::posixFileSystem(), path);
  if (!text.ok()) return std::nullopt;
  Result<Json> j = parseJson(*text);
  if (!j.ok()) return std::nullopt;
  return std::move(*j);
}

Status saveConnectorState(const std::string& path, std::string_view text) {
  return io::writeFileAtomic(io::posixFileSystem(), path, text);
}

std::vector<std::string> splitCursorFields(const std::string& text) {
  std::vector<std::string> out;
  size_t from = 0;
  for (size_t at = text.find('\t'); at != std::string::npos; at = text.find('\t', from)) {
    out.push_back(text.substr(from, at - from));
    from = at + 1;
  }
  out.push_back(text.substr(from));
  return out;
}

bool parseCursorSeconds(const std::string& text, int64_t* out) {
  if (text.empty() || text.size() > 12) return false;
  int64_t v = 0;
  for (char c : text) {
    if (c < '0' || c > '9') return false;
    v = v * 10 + (c - '0');
  }
  *out = v;
  return true;
}

}  // namespace ward::ingest
