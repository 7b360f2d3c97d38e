// libFuzzer target for the REST front door's request reading: the input is the raw bytes a
// client sends, read by the same Beast parser with the server's default header and body limits
// (http_server.h), then taken apart the way the server does (http_session.cc, http_server.cc):
// headers lowercased and merged, the traceparent header, the target split into path and query
// string (parseQueryString), the path matched against a router with the route table's pattern
// kinds (literal, {param}, {param*} tail), the body parsed as JSON and checked against a body
// shape. Checks that nothing crashes and that a matched route's path parameters decode.
// Seed corpus: tests/fuzz/corpus/http_request (requests curl and the SDKs send).
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/string_body.hpp>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "body_shape.h"
#include "ward/http/http_message.h"
#include "ward/http/http_server.h"
#include "ward/http/router.h"
#include "ward/trace/trace.h"

namespace bhttp = boost::beast::http;

namespace {

const ward::http::Router& router() {
  static const ward::http::Router* r = [] {
    auto* made = new ward::http::Router();
    const char* patterns[][2] = {
        {"GET", "/healthz"},
        {"GET", "/.well-known/oauth-protected-resource/{path*}"},
        {"POST", "/v1/search"},
        {"GET", "/v1/documents/{id*}"},
        {"DELETE", "/v1/principals/{name}/memberships/{group}"},
        {"DELETE", "/v1/principals/{name}/scope/{kind}/{value*}"},
        {"POST", "/v1/tools/{name}/call"},
        {"GET", "/v1/tools/{name}"},
        {"GET", "/v1/tools/calls"},
        {"POST", "/mcp"},
    };
    for (const auto& p : patterns) {
      ward::http::Route route;
      route.method = p[0];
      route.pattern = p[1];
      route.handler = [](const ward::http::HttpRequest&) -> ward::Result<ward::http::HttpResponse> {
        return ward::http::HttpResponse();
      };
      if (!made->add(std::move(route)).ok()) std::abort();
    }
    return made;
  }();
  return *r;
}

const ward::http::BodyShape& shape() {
  static const ward::http::BodyShape* s = [] {
    auto parsed = ward::http::BodyShape::parse("query,text,k,filters,prompt{template_id,rendered}");
    if (!parsed.ok()) std::abort();
    return new ward::http::BodyShape(std::move(parsed).value());
  }();
  return *s;
}

std::string lowercase(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const ward::http::ServerOptions defaults;
  bhttp::request_parser<bhttp::string_body> parser;
  parser.body_limit(defaults.max_body_bytes);
  parser.header_limit(static_cast<uint32_t>(defaults.max_header_bytes));
  parser.eager(true);
  boost::beast::error_code ec;
  parser.put(boost::asio::buffer(data, size), ec);
  if (!ec && !parser.is_done()) parser.put_eof(ec);
  if (ec || !parser.is_done()) return 0;
  auto& req = parser.get();

  ward::http::HttpRequest request;
  request.method = std::string(req.method_string());
  request.target = std::string(req.target());
  for (const auto& field : req) {
    auto [it, inserted] = request.headers.emplace(lowercase(std::string(field.name_string())),
                                                  std::string(field.value()));
    if (!inserted) it->second += ", " + std::string(field.value());
  }
  request.body = std::move(req.body());
  request.trace = ward::trace::TraceContext::fromTraceparent(request.header("traceparent"));
  if (request.trace.trace_id.size() != 32 || request.trace.span_id.size() != 16) std::abort();

  size_t q = request.target.find('?');
  request.path = request.target.substr(0, q);
  if (q != std::string::npos) {
    auto query = ward::http::parseQueryString(std::string_view(request.target).substr(q + 1));
    if (!query.ok()) return 0;
    request.query = std::move(query).value();
  }
  ward::http::RouteMatch match = router().match(request.method, request.path);
  if (match.route != nullptr && match.status.ok()) request.path_params = std::move(match.params);
  if (request.body.empty()) return 0;
  auto body = request.jsonBody();
  if (!body.ok()) {
    if (body.status().message().empty()) std::abort();
    return 0;
  }
  (void)shape().check(*body);
  return 0;
}
