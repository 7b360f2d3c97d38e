#include "ward/http/router.h"

namespace ward::http {

std::vector<std::string> splitPath(const std::string& raw_path) {
  std::vector<std::string> out;
  size_t start = raw_path.empty() || raw_path[0] != '/' ? 0 : 1;
  if (raw_path.size() <= start) return out;
  while (true) {
    size_t slash = raw_path.find('/', start);
    if (slash == std::string::npos) {
      out.push_back(raw_path.substr(start));
      break;
    }
    out.push_back(raw_path.substr(start, slash - start));
    start = slash + 1;
  }
  return out;
}

Status Router::add(Route route) {
  if (route.pattern.empty() || route.pattern[0] != '/') {
    return Status::invalidArgument("route pattern '" + route.pattern + "' must start with '/'");
  }
  if (!route.handler) {
    return Status::invalidArgument("route " + route.method + " " + route.pattern +
                                   " has no handler");
  }
  Compiled c;
  std::vector<std::string> segs = splitPath(route.pattern);
  for (size_t i = 0; i < segs.size(); ++i) {
    const std::string& s = segs[i];
    bool param = s.size() >= 2 && s.front() == '{' && s.back() == '}';
    if (!param) {
      if (s.find_first_of("{}") != std::string::npos) {
        return Status::invalidArgument("route pattern '" + route.pattern +
                                       "': a parameter must be a whole segment");
      }
      c.segments.push_back(s);
      c.is_param.push_back(false);
      ++c.literal_count;
      continue;
    }
    std::string name = s.substr(1, s.size() - 2);
    if (!name.empty() && name.back() == '*') {
      if (i + 1 != segs.size()) {
        return Status::invalidArgument("route pattern '" + route.pattern +
                                       "': {name*} must be the last segment");
      }
      name.pop_back();
      c.greedy_tail = true;
    }
    if (name.empty()) {
      return Status::invalidArgument("route pattern '" + route.pattern + "': empty parameter");
    }
    c.segments.push_back(name);
    c.is_param.push_back(true);
  }
  for (const Route& r : routes_) {
    if (r.method == route.method && r.pattern == route.pattern) {
      return Status::alreadyExists("duplicate route " + route.method + " " + route.pattern);
    }
  }
  routes_.push_back(std::move(route));
  compiled_.push_back(std::move(c));
  return Status();
}

RouteMatch Router::match(const std::string& method, const std::string& raw_path) const {
  RouteMatch best;
  int best_literals = -1;
  bool best_greedy = true;
  std::vector<std::string> segs = splitPath(raw_path);

  for (size_t r = 0; r < routes_.size(); ++r) {
    const Compiled& c = compiled_[r];
    size_t n = c.segments.size();
    if (c.greedy_tail ? segs.size() < n : segs.size() != n) continue;
    std::map<std::string, std::string> raw_params;
    bool ok = true;
    for (size_t i = 0; i < n && ok; ++i) {
      if (!c.is_param[i]) {
        ok = segs[i] == c.segments[i];
      } else if (c.greedy_tail && i + 1 == n) {
        std::string rest = segs[i];
        for (size_t j = i + 1; j < segs.size(); ++j) rest += "/" + segs[j];
        ok = !rest.empty();
        raw_params[c.segments[i]] = rest;
      } else {
        ok = !segs[i].empty();
        raw_params[c.segments[i]] = segs[i];
      }
    }
    if (!ok) continue;
    if (routes_[r].method != method) {
      best.path_matched = true;
      continue;
    }
    // Prefer more literal segments, then a non-greedy pattern.
    bool better = c.literal_count > best_literals ||
                  (c.literal_count == best_literals && best_greedy && !c.greedy_tail);
    if (!better) continue;
    best.route = &routes_[r];
    best_literals = c.literal_count;
    best_greedy = c.greedy_tail;
    best.params.clear();
    best.status = Status();
    for (const auto& [name, raw] : raw_params) {
      auto decoded = percentDecode(raw);
      if (!decoded.ok()) {
        best.status =
            Status::invalidArgument("path parameter '" + name + "': " + decoded.status().message());
        break;
      }
      best.params[name] = std::move(decoded).value();
    }
  }
  return best;
}

}  // namespace ward::http
