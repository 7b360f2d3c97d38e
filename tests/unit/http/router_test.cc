#include "ward/http/router.h"

#include <gtest/gtest.h>

namespace ward::http {
namespace {

Handler ok() {
  return [](const HttpRequest&) -> Result<HttpResponse> { return HttpResponse::json(Json{}); };
}

Router makeRouter() {
  Router r;
  EXPECT_TRUE(r.add({"GET", "/healthz", AuthPolicy::kNone, ok()}).ok());
  EXPECT_TRUE(r.add({"GET", "/v1/documents/{id*}", AuthPolicy::kPrincipal, ok()}).ok());
  EXPECT_TRUE(r.add({"DELETE", "/v1/documents/{id*}", AuthPolicy::kPrincipal, ok()}).ok());
  EXPECT_TRUE(r.add({"POST", "/v1/principals/{name}/memberships", AuthPolicy::kAdmin, ok()}).ok());
  EXPECT_TRUE(
      r.add({"DELETE", "/v1/principals/{name}/memberships/{group}", AuthPolicy::kAdmin, ok()})
          .ok());
  EXPECT_TRUE(r.add({"GET", "/v1/keys/{key_id}", AuthPolicy::kPrincipal, ok()}).ok());
  EXPECT_TRUE(r.add({"GET", "/v1/keys/mine", AuthPolicy::kPrincipal, ok()}).ok());
  return r;
}

TEST(RouterTest, MatchesLiteralRoute) {
  Router r = makeRouter();
  RouteMatch m = r.match("GET", "/healthz");
  ASSERT_NE(m.route, nullptr);
  EXPECT_EQ(m.route->pattern, "/healthz");
  EXPECT_TRUE(m.params.empty());
}

TEST(RouterTest, ExtractsParams) {
  Router r = makeRouter();
  RouteMatch m = r.match("DELETE", "/v1/principals/alice/memberships/eng");
  ASSERT_NE(m.route, nullptr);
  EXPECT_EQ(m.params.at("name"), "alice");
  EXPECT_EQ(m.params.at("group"), "eng");
}

TEST(RouterTest, PercentDecodesParams) {
  Router r = makeRouter();
  RouteMatch m = r.match("GET", "/v1/documents/docs%2Fhandbook%20v2.md");
  ASSERT_NE(m.route, nullptr);
  ASSERT_TRUE(m.status.ok());
  EXPECT_EQ(m.params.at("id"), "docs/handbook v2.md");
}

TEST(RouterTest, GreedyTailTakesSlashes) {
  Router r = makeRouter();
  RouteMatch m = r.match("GET", "/v1/documents/a/b/c.md");
  ASSERT_NE(m.route, nullptr);
  EXPECT_EQ(m.params.at("id"), "a/b/c.md");
}

TEST(RouterTest, PlusIsNotSpaceInPath) {
  Router r = makeRouter();
  RouteMatch m = r.match("GET", "/v1/documents/a+b");
  ASSERT_NE(m.route, nullptr);
  EXPECT_EQ(m.params.at("id"), "a+b");
}

TEST(RouterTest, BadEscapeIsInvalidArgument) {
  Router r = makeRouter();
  RouteMatch m = r.match("GET", "/v1/documents/a%zz");
  ASSERT_NE(m.route, nullptr);
  EXPECT_EQ(m.status.code(), StatusCode::kInvalidArgument);
}

TEST(RouterTest, LiteralBeatsParam) {
  Router r = makeRouter();
  RouteMatch m = r.match("GET", "/v1/keys/mine");
  ASSERT_NE(m.route, nullptr);
  EXPECT_EQ(m.route->pattern, "/v1/keys/mine");
  m = r.match("GET", "/v1/keys/abc");
  ASSERT_NE(m.route, nullptr);
  EXPECT_EQ(m.route->pattern, "/v1/keys/{key_id}");
}

TEST(RouterTest, UnknownPathAndWrongMethod) {
  Router r = makeRouter();
  RouteMatch m = r.match("GET", "/nope");
  EXPECT_EQ(m.route, nullptr);
  EXPECT_FALSE(m.path_matched);
  m = r.match("POST", "/healthz");
  EXPECT_EQ(m.route, nullptr);
  EXPECT_TRUE(m.path_matched);
  m = r.match("GET", "/v1/documents/");  // empty id
  EXPECT_EQ(m.route, nullptr);
  m = r.match("GET", "/healthz/extra");
  EXPECT_EQ(m.route, nullptr);
}

TEST(RouterTest, RejectsBadPatternsAndDuplicates) {
  Router r;
  EXPECT_FALSE(r.add({"GET", "no-slash", AuthPolicy::kNone, ok()}).ok());
  EXPECT_FALSE(r.add({"GET", "/a/{x*}/b", AuthPolicy::kNone, ok()}).ok());
  EXPECT_FALSE(r.add({"GET", "/a/x{y}", AuthPolicy::kNone, ok()}).ok());
  EXPECT_FALSE(r.add({"GET", "/a", AuthPolicy::kNone, nullptr}).ok());
  EXPECT_TRUE(r.add({"GET", "/a", AuthPolicy::kNone, ok()}).ok());
  EXPECT_FALSE(r.add({"GET", "/a", AuthPolicy::kNone, ok()}).ok());
}

TEST(PercentDecodeTest, Basics) {
  EXPECT_EQ(percentDecode("a%2Fb").value(), "a/b");
  EXPECT_EQ(percentDecode("a%2fb").value(), "a/b");
  EXPECT_EQ(percentDecode("a+b", true).value(), "a b");
  EXPECT_FALSE(percentDecode("a%2").ok());
  EXPECT_FALSE(percentDecode("%").ok());
  EXPECT_FALSE(percentDecode("%g0").ok());
}

TEST(QueryStringTest, ParsesAndDecodes) {
  auto q = parseQueryString("q=hello+world&k=5&empty=&flag&x=%26");
  ASSERT_TRUE(q.ok());
  EXPECT_EQ(q->at("q"), "hello world");
  EXPECT_EQ(q->at("k"), "5");
  EXPECT_EQ(q->at("empty"), "");
  EXPECT_EQ(q->at("flag"), "");
  EXPECT_EQ(q->at("x"), "&");
  EXPECT_FALSE(parseQueryString("q=%zz").ok());
}

}  // namespace
}  // namespace ward::http
