// The route table: method + path pattern -> handler, with the authentication each route needs.
//
// Patterns are literal segments and {params}: "/v1/documents/{id}". A parameter matches one path
// segment; its value is percent-decoded after matching, so "a%2Fb.md" yields "a/b.md". A final
// parameter written {name*} matches the rest of the path, slashes included. Literal segments win
// over parameters when both match. Not thread-safe to modify; match() is safe concurrently once
// built.
#pragma once

#include <functional>
#include <map>
#include <string>
#include <vector>

#include "ward/common/status.h"
#include "ward/http/http_message.h"

namespace ward::http {

enum class AuthPolicy {
  kNone,       // open (healthz, metrics)
  kPrincipal,  // any authenticated principal
  kAdmin,      // an authenticated principal with admin=true
};

using Handler = std::function<Result<HttpResponse>(const HttpRequest&)>;

struct Route {
  std::string method;   // "GET"
  std::string pattern;  // "/v1/documents/{id}"; also the metrics label
  AuthPolicy auth = AuthPolicy::kPrincipal;
  Handler handler;
};

struct RouteMatch {
  const Route* route = nullptr;               // null when nothing matched
  bool path_matched = false;                  // some route has this path, with another method
  std::map<std::string, std::string> params;  // decoded
  Status status;                              // InvalidArgument if a param had a bad escape
};

class Router {
 public:
  // InvalidArgument for a malformed pattern or a duplicate method + pattern.
  Status add(Route route);
  // Matches a raw (percent-encoded) path, without the query string.
  RouteMatch match(const std::string& method, const std::string& raw_path) const;
  const std::vector<Route>& routes() const { return routes_; }

 private:
  struct Compiled {
    std::vector<std::string> segments;  // literal text, or the param name when is_param
    std::vector<bool> is_param;
    bool greedy_tail = false;
    int literal_count = 0;
  };
  std::vector<Route> routes_;
  std::vector<Compiled> compiled_;
};

// Splits a raw path on '/' ("/a//b/" -> {"a", "", "b", ""}); exposed for tests.
std::vector<std::string> splitPath(const std::string& raw_path);

}  // namespace ward::http
