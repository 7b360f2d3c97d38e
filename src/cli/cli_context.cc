// The CLI's error printing; the data dir itself is server::ServerContext.
#include "cli_context.h"

#include <iostream>

namespace ward::cli {

int fail(const Status& status) {
  std::cerr << "error: " << status.message() << "\n";
  switch (status.code()) {
    case StatusCode::kInvalidArgument:
      return 2;
    case StatusCode::kNotFound:
      return 3;
    case StatusCode::kPermissionDenied:
    case StatusCode::kUnauthenticated:
      return 4;
    default:
      return 1;
  }
}

std::vector<std::string> splitList(const std::string& s) {
  std::vector<std::string> out;
  size_t p = 0;
  while (p <= s.size()) {
    size_t c = s.find(',', p);
    if (c == std::string::npos) c = s.size();
    std::string part = s.substr(p, c - p);
    while (!part.empty() && part.front() == ' ') part.erase(part.begin());
    while (!part.empty() && part.back() == ' ') part.pop_back();
    if (!part.empty()) out.push_back(part);
    p = c + 1;
  }
  return out;
}

}  // namespace ward::cli
