// Reads the answer module's case files: blocks that start with "=== NAME" and hold "key: value"
// lines ('#' lines are comments). In values, \n is a line break and \u{XXXX} a code point.
#pragma once

#include <fstream>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

namespace ward::answer::testing {

struct CaseBlock {
  std::string name;
  std::vector<std::pair<std::string, std::string>> fields;  // in file order

  std::string get(const std::string& key) const {
    for (const auto& [k, v] : fields) {
      if (k == key) return v;
    }
    return "";
  }
  bool has(const std::string& key) const {
    for (const auto& f : fields) {
      if (f.first == key) return true;
    }
    return false;
  }
};

inline void appendUtf8(std::string& out, unsigned cp) {
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xC0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    out += static_cast<char>(0xE0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (cp >> 18));
    out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  }
}

inline std::string unescape(const std::string& s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '\\' && i + 1 < s.size() && s[i + 1] == 'n') {
      out += '\n';
      ++i;
    } else if (s.compare(i, 3, "\\u{") == 0) {
      size_t close = s.find('}', i);
      out.reserve(out.size() + 4);
      appendUtf8(out,
                 static_cast<unsigned>(std::stoul(s.substr(i + 3, close - i - 3), nullptr, 16)));
      i = close;
    } else {
      out += s[i];
    }
  }
  return out;
}

inline std::vector<CaseBlock> readCases(const std::string& path) {
  std::ifstream in(path);
  std::vector<CaseBlock> out;
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("=== ", 0) == 0) {
      out.push_back(CaseBlock{line.substr(4), {}});
      continue;
    }
    if (line.empty() || line[0] == '#' || out.empty()) continue;
    size_t colon = line.find(':');
    if (colon == std::string::npos) continue;
    std::string value = line.substr(colon + 1);
    if (!value.empty() && value[0] == ' ') value.erase(0, 1);
    out.back().fields.emplace_back(line.substr(0, colon), unescape(value));
  }
  return out;
}

}  // namespace ward::answer::testing
