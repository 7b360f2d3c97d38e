#include "schema_uri.h"

#include <vector>

namespace ward::gateway {
namespace {

struct UriParts {
  std::string scheme, authority, path, query, fragment;
  bool has_scheme = false, has_authority = false, has_query = false, has_fragment = false;
};

UriParts parseUri(std::string_view s) {
  UriParts u;
  size_t hash = s.find('#');
  if (hash != std::string_view::npos) {
    u.has_fragment = true;
    u.fragment = std::string(s.substr(hash + 1));
    s = s.substr(0, hash);
  }
  size_t q = s.find('?');
  if (q != std::string_view::npos) {
    u.has_query = true;
    u.query = std::string(s.substr(q + 1));
    s = s.substr(0, q);
  }
  size_t colon = s.find(':');
  size_t slash = s.find('/');
  if (colon != std::string_view::npos && colon > 0 &&
      (slash == std::string_view::npos || colon < slash)) {
    bool scheme_ok = true;
    for (size_t i = 0; i < colon; ++i) {
      char c = s[i];
      bool alpha = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
      if (!alpha && (i == 0 || !((c >= '0' && c <= '9') || c == '+' || c == '-' || c == '.'))) {
        scheme_ok = false;
      }
    }
    if (scheme_ok) {
      u.has_scheme = true;
      u.scheme = std::string(s.substr(0, colon));
      s = s.substr(colon + 1);
    }
  }
  if (s.substr(0, 2) == "//") {
    u.has_authority = true;
    size_t end = s.find('/', 2);
    if (end == std::string_view::npos) end = s.size();
    u.authority = std::string(s.substr(2, end - 2));
    s = s.substr(end);
  }
  u.path = std::string(s);
  return u;
}

std::string removeDotSegments(const std::string& path) {
  std::vector<std::string> out;
  bool absolute = !path.empty() && path[0] == '/';
  size_t i = absolute ? 1 : 0;
  bool trailing = false;
  while (i <= path.size()) {
    size_t end = path.find('/', i);
    if (end == std::string::npos) end = path.size();
    std::string seg = path.substr(i, end - i);
    trailing = false;
    if (seg == ".") {
      trailing = true;
    } else if (seg == "..") {
      if (!out.empty()) out.pop_back();
      trailing = true;
    } else {
      out.push_back(seg);
    }
    i = end + 1;
  }
  std::string r = absolute ? "/" : "";
  for (size_t k = 0; k < out.size(); ++k) {
    if (k > 0) r += "/";
    r += out[k];
  }
  if (trailing && !r.empty() && r.back() != '/') r += "/";
  return r;
}

std::string compose(const UriParts& u) {
  std::string r;
  if (u.has_scheme) r += u.scheme + ":";
  if (u.has_authority) r += "//" + u.authority;
  r += u.path;
  if (u.has_query) r += "?" + u.query;
  if (u.has_fragment) r += "#" + u.fragment;
  return r;
}

int hexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

std::string resolveUri(std::string_view base, std::string_view ref) {
  UriParts r = parseUri(ref);
  UriParts b = parseUri(base);
  UriParts t;
  if (r.has_scheme) {
    t = r;
    t.path = removeDotSegments(r.path);
  } else {
    if (r.has_authority) {
      t.authority = r.authority;
      t.has_authority = true;
      t.path = removeDotSegments(r.path);
      t.query = r.query;
      t.has_query = r.has_query;
    } else {
      if (r.path.empty()) {
        t.path = b.path;
        t.query = r.has_query ? r.query : b.query;
        t.has_query = r.has_query || b.has_query;
      } else {
        if (r.path[0] == '/') {
          t.path = removeDotSegments(r.path);
        } else {
          std::string merged;
          if (b.has_authority && b.path.empty()) {
            merged = "/" + r.path;
          } else {
            size_t last = b.path.rfind('/');
            merged = (last == std::string::npos ? "" : b.path.substr(0, last + 1)) + r.path;
          }
          t.path = removeDotSegments(merged);
        }
        t.query = r.query;
        t.has_query = r.has_query;
      }
      t.authority = b.authority;
      t.has_authority = b.has_authority;
    }
    t.scheme = b.scheme;
    t.has_scheme = b.has_scheme;
  }
  t.fragment = r.fragment;
  t.has_fragment = r.has_fragment;
  return compose(t);
}

std::string splitFragment(std::string_view uri, std::string* fragment) {
  size_t hash = uri.find('#');
  fragment->clear();
  if (hash == std::string_view::npos) return std::string(uri);
  std::string_view f = uri.substr(hash + 1);
  for (size_t i = 0; i < f.size(); ++i) {
    if (f[i] == '%' && i + 2 < f.size() + 0 && hexValue(f[i + 1]) >= 0 && hexValue(f[i + 2]) >= 0) {
      *fragment += static_cast<char>(hexValue(f[i + 1]) * 16 + hexValue(f[i + 2]));
      i += 2;
    } else {
      *fragment += f[i];
    }
  }
  return std::string(uri.substr(0, hash));
}

}  // namespace ward::gateway
