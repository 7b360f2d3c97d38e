#include "ward/http/http_message.h"

#include <cctype>

namespace ward::http {

namespace {

int hexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

}  // namespace

std::string HttpRequest::header(std::string_view name) const {
  auto it = headers.find(lower(name));
  return it == headers.end() ? "" : it->second;
}

std::string HttpRequest::queryParam(const std::string& name, const std::string& fallback) const {
  auto it = query.find(name);
  return it == query.end() ? fallback : it->second;
}

std::string HttpRequest::pathParam(const std::string& name) const {
  auto it = path_params.find(name);
  return it == path_params.end() ? "" : it->second;
}

Result<Json> HttpRequest::jsonBody() const {
  if (body.empty()) return Status::invalidArgument("request body must be a JSON document");
  return parseJson(body);
}

HttpResponse HttpResponse::json(const Json& j) {
  HttpResponse r;
  r.body = dumpJson(j);
  return r;
}

HttpResponse HttpResponse::created(const Json& j) {
  HttpResponse r = json(j);
  r.status = 201;
  return r;
}

HttpResponse HttpResponse::accepted(const Json& j) {
  HttpResponse r = json(j);
  r.status = 202;
  return r;
}

HttpResponse HttpResponse::accepted() {
  HttpResponse r;
  r.status = 202;
  return r;
}

HttpResponse HttpResponse::text(std::string body, std::string content_type) {
  HttpResponse r;
  r.body = std::move(body);
  r.content_type = std::move(content_type);
  return r;
}

HttpResponse HttpResponse::later(std::shared_ptr<DeferredResponse> deferred) {
  HttpResponse r;
  r.deferred = std::move(deferred);
  return r;
}

Result<std::string> percentDecode(std::string_view in, bool plus_as_space) {
  std::string out;
  out.reserve(in.size());
  for (size_t i = 0; i < in.size(); ++i) {
    char c = in[i];
    if (c == '%') {
      if (i + 2 >= in.size()) {
        return Status::invalidArgument("truncated percent-escape in '" + std::string(in) + "'");
      }
      int hi = hexValue(in[i + 1]);
      int lo = hexValue(in[i + 2]);
      if (hi < 0 || lo < 0) {
        return Status::invalidArgument("bad percent-escape in '" + std::string(in) + "'");
      }
      out += static_cast<char>(hi * 16 + lo);
      i += 2;
    } else if (c == '+' && plus_as_space) {
      out += ' ';
    } else {
      out += c;
    }
  }
  return out;
}

Result<std::map<std::string, std::string>> parseQueryString(std::string_view query) {
  std::map<std::string, std::string> out;
  size_t pos = 0;
  while (pos <= query.size()) {
    size_t amp = query.find('&', pos);
    if (amp == std::string_view::npos) amp = query.size();
    std::string_view part = query.substr(pos, amp - pos);
    if (!part.empty()) {
      size_t eq = part.find('=');
      std::string_view k = part.substr(0, eq);
      std::string_view v = eq == std::string_view::npos ? std::string_view() : part.substr(eq + 1);
      WARD_ASSIGN_OR_RETURN(std::string key, percentDecode(k, true));
      WARD_ASSIGN_OR_RETURN(std::string value, percentDecode(v, true));
      out[key] = std::move(value);
    }
    pos = amp + 1;
  }
  return out;
}

}  // namespace ward::http
