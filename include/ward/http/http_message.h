// The HTTP request and response as handlers see them: plain values, no Beast types, so handlers
// (and other front doors such as MCP over HTTP) stay independent of the transport.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "ward/trace/trace.h"
#include "ward/common/json.h"
#include "ward/common/status.h"
#include "ward/identity/principal.h"
#include "ward/http/response_stream.h"

namespace ward::http {

class DeferredResponse;  // deferred_response.h

// One parsed request. Filled by the server before routing; immutable once a handler runs.
struct HttpRequest {
  std::string method;                        // "GET", "POST", ...
  std::string target;                        // raw request target ("/v1/search?q=x")
  std::string path;                          // raw (still percent-encoded) path part of the target
  std::map<std::string, std::string> query;  // percent-decoded; a repeated key keeps the last
  std::map<std::string, std::string> headers;      // lowercase names
  std::map<std::string, std::string> path_params;  // percent-decoded {params} of the route
  std::string body;
  std::string remote_address;  // "127.0.0.1:53422"
  trace::TraceContext trace;
  std::optional<identity::Principal> principal;  // set on routes that require authentication
  // The server's authenticator, set with `principal`: a handler that holds a response open (a
  // stream) checks the request's credentials again with it later, so a revoked key or a
  // changed principal takes effect. Valid while the server runs.
  std::shared_ptr<const std::function<Result<identity::Principal>(const HttpRequest&)>>
      authenticator;

  // Header value by case-insensitive name; "" if absent.
  std::string header(std::string_view name) const;
  // Query parameter; `fallback` if absent.
  std::string queryParam(const std::string& name, const std::string& fallback = "") const;
  // Path parameter of the matched route; "" if absent.
  std::string pathParam(const std::string& name) const;
  // The body parsed as JSON; InvalidArgument (naming the byte offset) when malformed or empty.
  Result<Json> jsonBody() const;
};

// One response. Error responses are never built by handlers: a handler returns a Status and the
// server renders it (see error_mapping.h).
struct HttpResponse {
  int status = 200;
  std::string content_type = "application/json";
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;  // extra headers
  // When set, `body` is ignored: the body is streamed from here (chunked, Connection: close) as
  // the producer writes it; see response_stream.h.
  std::shared_ptr<ResponseStream> stream;
  // When set, everything else is ignored: the response is completed later from any thread
  // without holding a worker, then written with Connection: close; see deferred_response.h.
  std::shared_ptr<DeferredResponse> deferred;

  static HttpResponse json(const Json& j);                               // 200
  static HttpResponse created(const Json& j);                            // 201
  static HttpResponse accepted(const Json& j);                           // 202
  static HttpResponse accepted();                                        // 202, no body
  static HttpResponse text(std::string body, std::string content_type);  // 200
  static HttpResponse later(std::shared_ptr<DeferredResponse> deferred);
};

// Percent-decodes `in` ("%2F" -> "/"; "+" -> " " only if plus_as_space). InvalidArgument on a
// truncated or non-hex escape.
Result<std::string> percentDecode(std::string_view in, bool plus_as_space = false);
// Splits "a=1&b=x%20y" into decoded pairs (last one wins).
Result<std::map<std::string, std::string>> parseQueryString(std::string_view query);

}  // namespace ward::http
