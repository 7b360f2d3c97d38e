// The one place where domain status codes become HTTP status codes, and the one shape of an
// error body: {"error":{"code":"invalid_argument","type":"invalid_request_error",
// "message":"..."}} (the shape OpenAI-compatible clients expect; `type` from the code).
#pragma once

#include "ward/common/status.h"
#include "ward/http/http_message.h"

namespace ward::http {

// Where an error arose, for the few codes whose HTTP status depends on it.
enum class ErrorOrigin {
  kHandler,           // a module API returned the Status
  kBodyTooLarge,      // request body over ServerConfig::max_body_bytes (ResourceExhausted -> 413)
  kHeadersTooLarge,   // request header block over the limit (ResourceExhausted -> 431)
  kMethodNotAllowed,  // path known, method not (NotFound -> 405)
  kNotAcceptable,     // no answer in a media type the Accept header allows (InvalidArgument -> 406)
};

// StatusCode -> HTTP status. kOk maps to 200.
int httpStatusFor(StatusCode code, ErrorOrigin origin = ErrorOrigin::kHandler);

// The JSON error body for a Status.
Json errorBody(const Status& status);

// A complete error response (status, JSON body, and WWW-Authenticate on 401).
HttpResponse errorResponse(const Status& status, ErrorOrigin origin = ErrorOrigin::kHandler);

}  // namespace ward::http
