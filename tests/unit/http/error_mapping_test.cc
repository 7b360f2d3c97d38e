#include "ward/http/error_mapping.h"

#include <gtest/gtest.h>

namespace ward::http {
namespace {

TEST(ErrorMappingTest, StatusCodes) {
  EXPECT_EQ(httpStatusFor(StatusCode::kOk), 200);
  EXPECT_EQ(httpStatusFor(StatusCode::kInvalidArgument), 400);
  EXPECT_EQ(httpStatusFor(StatusCode::kUnauthenticated), 401);
  EXPECT_EQ(httpStatusFor(StatusCode::kPermissionDenied), 403);
  EXPECT_EQ(httpStatusFor(StatusCode::kNotFound), 404);
  EXPECT_EQ(httpStatusFor(StatusCode::kAlreadyExists), 409);
  EXPECT_EQ(httpStatusFor(StatusCode::kFailedPrecondition), 409);
  EXPECT_EQ(httpStatusFor(StatusCode::kResourceExhausted), 429);
  EXPECT_EQ(httpStatusFor(StatusCode::kUnavailable), 503);
  EXPECT_EQ(httpStatusFor(StatusCode::kCorruption), 500);
  EXPECT_EQ(httpStatusFor(StatusCode::kInternal), 500);
}

TEST(ErrorMappingTest, OriginRefinesCode) {
  EXPECT_EQ(httpStatusFor(StatusCode::kResourceExhausted, ErrorOrigin::kBodyTooLarge), 413);
  EXPECT_EQ(httpStatusFor(StatusCode::kResourceExhausted, ErrorOrigin::kHeadersTooLarge), 431);
  EXPECT_EQ(httpStatusFor(StatusCode::kNotFound, ErrorOrigin::kMethodNotAllowed), 405);
  EXPECT_EQ(httpStatusFor(StatusCode::kInvalidArgument, ErrorOrigin::kBodyTooLarge), 400);
  EXPECT_EQ(httpStatusFor(StatusCode::kInvalidArgument, ErrorOrigin::kNotAcceptable), 406);
  EXPECT_EQ(httpStatusFor(StatusCode::kNotFound, ErrorOrigin::kNotAcceptable), 404);
}

TEST(ErrorMappingTest, ErrorBodyShape) {
  HttpResponse r = errorResponse(Status::invalidArgument("field 'k' must be 1..1000"));
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(r.content_type, "application/json");
  Json j = Json::parse(r.body);
  EXPECT_EQ(j["error"]["code"], "invalid_argument");
  EXPECT_EQ(j["error"]["message"], "field 'k' must be 1..1000");
  EXPECT_EQ(j["error"]["type"], "invalid_request_error");  // what OpenAI-compatible clients read
  EXPECT_TRUE(r.headers.empty());
}

TEST(ErrorMappingTest, ErrorTypesForOpenAiClients) {
  const std::pair<Status, const char*> cases[] = {
      {Status::unauthenticated("x"), "authentication_error"},
      {Status::permissionDenied("x"), "permission_error"},
      {Status::notFound("x"), "not_found_error"},
      {Status::resourceExhausted("x"), "rate_limit_error"},
      {Status::unavailable("x"), "api_error"},
  };
  for (const auto& [st, type] : cases) EXPECT_EQ(errorBody(st)["error"]["type"], type);
}

TEST(ErrorMappingTest, UnauthenticatedAsksForBearer) {
  HttpResponse r = errorResponse(Status::unauthenticated("invalid API key"));
  EXPECT_EQ(r.status, 401);
  ASSERT_EQ(r.headers.size(), 1u);
  EXPECT_EQ(r.headers[0].first, "WWW-Authenticate");
  EXPECT_EQ(r.headers[0].second.rfind("Bearer", 0), 0u);
}

TEST(ErrorMappingTest, RateLimitCarriesRetryAfter) {
  Status st = Status::resourceExhausted("rate limit of tool 't' exceeded");
  st.withRetryAfterSeconds(3);
  HttpResponse r = errorResponse(st);
  EXPECT_EQ(r.status, 429);
  ASSERT_EQ(r.headers.size(), 1u);
  EXPECT_EQ(r.headers[0].first, "Retry-After");
  EXPECT_EQ(r.headers[0].second, "3");
  // Too-large bodies stay 413 without Retry-After.
  EXPECT_EQ(errorResponse(Status::resourceExhausted("big"), ErrorOrigin::kBodyTooLarge).status,
            413);
}

}  // namespace
}  // namespace ward::http
