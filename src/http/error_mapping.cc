#include "ward/http/error_mapping.h"

namespace ward::http {

// The only place in Ward where HTTP error status codes are chosen.
int httpStatusFor(StatusCode code, ErrorOrigin origin) {
  switch (code) {
    case StatusCode::kOk:
      return 200;
    case StatusCode::kInvalidArgument:
      return origin == ErrorOrigin::kNotAcceptable ? 406 : 400;
    case StatusCode::kUnauthenticated:
      return 401;
    case StatusCode::kPermissionDenied:
      return 403;
    case StatusCode::kNotFound:
      return origin == ErrorOrigin::kMethodNotAllowed ? 405 : 404;
    case StatusCode::kAlreadyExists:
      return 409;
    case StatusCode::kFailedPrecondition:
      return 409;
    case StatusCode::kResourceExhausted:
      if (origin == ErrorOrigin::kBodyTooLarge) return 413;
      if (origin == ErrorOrigin::kHeadersTooLarge) return 431;
      return 429;
    case StatusCode::kUnavailable:
      return 503;
    case StatusCode::kCorruption:
      return 500;
    case StatusCode::kInternal:
      return 500;
  }
  return 500;
}

namespace {

// The error `type` OpenAI-compatible clients read beside `code` and `message`.
const char* errorType(StatusCode code) {
  switch (code) {
    case StatusCode::kInvalidArgument:
      return "invalid_request_error";
    case StatusCode::kUnauthenticated:
      return "authentication_error";
    case StatusCode::kPermissionDenied:
      return "permission_error";
    case StatusCode::kNotFound:
      return "not_found_error";
    case StatusCode::kAlreadyExists:
    case StatusCode::kFailedPrecondition:
      return "conflict_error";
    case StatusCode::kResourceExhausted:
      return "rate_limit_error";
    default:
      return "api_error";
  }
}

}  // namespace

Json errorBody(const Status& status) {
  return Json{{"error",
               {{"code", std::string(statusCodeName(status.code()))},
                {"type", errorType(status.code())},
                {"message", status.message()}}}};
}

HttpResponse errorResponse(const Status& status, ErrorOrigin origin) {
  HttpResponse r = HttpResponse::json(errorBody(status));
  r.status = httpStatusFor(status.code(), origin);
  if (status.code() == StatusCode::kUnauthenticated) {
    r.headers.emplace_back("WWW-Authenticate", "Bearer realm=\"ward\"");
  }
  if (status.retryAfterSeconds() > 0) {
    r.headers.emplace_back("Retry-After", std::to_string(status.retryAfterSeconds()));
  }
  return r;
}

}  // namespace ward::http
