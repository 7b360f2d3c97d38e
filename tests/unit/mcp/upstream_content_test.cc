// Namespaced upstream resource URIs (src/mcp/upstream_content.h): encoding, templates, parsing;
// what Ward passes on of upstream list items and prompt definitions.
#include "upstream_content.h"

#include <gtest/gtest.h>

namespace ward::mcp {
namespace {

TEST(UpstreamUriTest, RoundTrips) {
  const char* uris[] = {
      "demo://resource/static/document/architecture.md",
      "file:///srv/a b/ü.txt",
      "x/\xF0\x9F\x98\x80/\xE2\x82\xAC",  // 4- and 3-byte UTF-8
      "https://example.com/x?y=1&z=%20#frag",
      "ward://documents/x",  // an upstream may use any scheme, even Ward's own
      "a/b/c",
      "{not-a-template}",
  };
  for (const char* u : uris) {
    std::string ns = upstreamResourceUri("files", u);
    EXPECT_EQ(ns.rfind("ward://upstreams/files/", 0), 0u) << ns;
    // Only unreserved characters after the upstream's segment: no '/', '?', '#', '{'.
    EXPECT_EQ(ns.find_first_of("/?#{} ", sizeof("ward://upstreams/files/") - 1), std::string::npos)
        << ns;
    auto back = parseUpstreamUri(ns);
    ASSERT_TRUE(back.has_value()) << ns;
    EXPECT_EQ(back->upstream, "files");
    EXPECT_EQ(back->uri, u);
  }
}

TEST(UpstreamUriTest, EncodesLikeThis) {
  EXPECT_EQ(upstreamResourceUri("e", "demo://r/1"), "ward://upstreams/e/demo%3A%2F%2Fr%2F1");
  EXPECT_EQ(upstreamResourceUri("e", "a-b_c.d~e f"), "ward://upstreams/e/a-b_c.d~e%20f");
}

TEST(UpstreamUriTest, TemplatesKeepTheirExpressions) {
  struct Case {
    const char* in;
    const char* out;
  } cases[] = {
      {"demo://resource/dynamic/text/{resourceId}",
       "ward://upstreams/e/demo%3A%2F%2Fresource%2Fdynamic%2Ftext%2F{resourceId}"},
      {"file:///{+path}", "ward://upstreams/e/file%3A%2F%2F%2F{+path}"},
      {"x/{a}/{b}?q", "ward://upstreams/e/x%2F{a}%2F{b}%3Fq"},
      {"x/{unclosed", "ward://upstreams/e/x%2F%7Bunclosed"},
      {"plain", "ward://upstreams/e/plain"},
  };
  for (const Case& c : cases) EXPECT_EQ(upstreamTemplateUri("e", c.in), c.out) << c.in;
  // A client's expansion of the template decodes to the upstream's expanded URI.
  std::string expanded = upstreamTemplateUri("e", "demo://resource/dynamic/text/{resourceId}");
  expanded.replace(expanded.find("{resourceId}"), 12, "42");
  auto back = parseUpstreamUri(expanded);
  ASSERT_TRUE(back.has_value());
  EXPECT_EQ(back->uri, "demo://resource/dynamic/text/42");
}

TEST(UpstreamUriTest, RejectsWhatIsNotOne) {
  const char* bad[] = {
      "ward://documents/x",            // Ward's own
      "ward://upstreams/",             // no upstream
      "ward://upstreams/e",            // no URI
      "ward://upstreams/e/",           // empty URI
      "ward://upstreams//x",           // empty upstream
      "ward://upstreams/e/%zz",        // bad escape
      "ward://upstreams/e/%4",         // truncated escape
      "demo://resource/1",             // not namespaced
      "WARD://upstreams/e/x",          // scheme is case-sensitive here
      "ward://upstreams/e/%FF",        // not UTF-8
      "ward://upstreams/e/%C3",        // truncated sequence
      "ward://upstreams/e/%C0%AF",     // overlong '/'
      "ward://upstreams/e/%ED%A0%80",  // a surrogate
  };
  for (const char* u : bad) EXPECT_FALSE(parseUpstreamUri(u).has_value()) << u;
}

TEST(UpstreamItemsTest, ListedItemsKeepOnlyWellTypedFields) {
  Json item = Json::parse(R"({"uri": "demo://a", "name": "a", "title": "A", "description": 5,
      "mimeType": "text/plain", "size": 12, "annotations": {"priority": 1}, "icons": "x",
      "_meta": {"theirs": 1}, "extra": {"x": 1}})");
  Json out = upstreamListedItem(item, "uri", "up");
  EXPECT_EQ(out, Json::parse(R"({"uri": "demo://a", "name": "a", "title": "A",
      "mimeType": "text/plain", "size": 12, "annotations": {"priority": 1},
      "_meta": {"theirs": 1, "ward/upstream": "up"}})"));
  struct Case {
    const char* json;
    const char* key;
    bool kept;
  } cases[] = {
      {R"({"uri": "a", "name": "a"})", "uri", true},
      {R"({"uri": "a"})", "uri", false},             // no name: a client would reject the list
      {R"({"uri": 1, "name": "a"})", "uri", false},  // uri not a string
      {R"({"name": "a"})", "uri", false},
      {R"({"uriTemplate": "a/{x}", "name": "t"})", "uriTemplate", true},
      {R"({"uri": "a/{x}", "name": "t"})", "uriTemplate", false},
      {R"({"uri": "a", "name": "a", "size": -1, "_meta": []})", "uri", true},
      {R"([1])", "uri", false},
  };
  for (const Case& c : cases) {
    Json got = upstreamListedItem(Json::parse(c.json), c.key, "up");
    EXPECT_EQ(!got.is_null(), c.kept) << c.json;
    if (!got.is_null()) {
      EXPECT_FALSE(got.contains("size") && !got["size"].is_number_unsigned()) << c.json;
      EXPECT_EQ(got["_meta"]["ward/upstream"], "up");
    }
  }
}

TEST(UpstreamItemsTest, PromptDefinitions) {
  struct Case {
    const char* in;
    const char* out;  // "null" = refused
  } cases[] = {
      {R"({"name": "p"})", R"({"name": "p"})"},
      {R"({"name": "p", "title": "P", "description": "d", "icons": [], "_meta": {"x": 1}})",
       R"({"name": "p", "title": "P", "description": "d"})"},
      {R"({"name": "p", "description": 7})", R"({"name": "p"})"},
      {R"({"name": "p", "arguments": [{"name": "a", "required": true, "extra": 1},
          {"name": "b", "description": "B", "required": "yes"}]})",
       R"({"name": "p", "arguments": [{"name": "a", "required": true},
          {"name": "b", "description": "B"}]})"},
      {R"({"name": "p", "arguments": [{"description": "no name"}]})", "null"},
      {R"({"name": "p", "arguments": ["a"]})", "null"},
      {R"({"name": 3})", "null"},
      {R"({"title": "no name"})", "null"},
  };
  for (const Case& c : cases) {
    EXPECT_EQ(upstreamPromptDefinition(Json::parse(c.in)), Json::parse(c.out)) << c.in;
  }
}

}  // namespace
}  // namespace ward::mcp
