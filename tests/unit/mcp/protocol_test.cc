#include "protocol.h"

#include <gtest/gtest.h>

namespace ward::mcp {
namespace {

std::optional<RpcError> parse(const std::string& text, Message* m) {
  auto j = parseJson(text);
  EXPECT_TRUE(j.ok()) << text;
  return parseMessage(*j, m);
}

TEST(McpProtocol, ClassifiesRequestsNotificationsAndResponses) {
  Message r, n, resp;
  EXPECT_FALSE(parse(R"({"jsonrpc":"2.0","id":7,"method":"ping"})", &r));
  EXPECT_TRUE(r.is_request);
  EXPECT_EQ(r.id, 7);
  EXPECT_FALSE(parse(R"({"jsonrpc":"2.0","method":"notifications/initialized"})", &n));
  EXPECT_TRUE(n.is_notification);
  EXPECT_FALSE(parse(R"({"jsonrpc":"2.0","id":"a","result":{}})", &resp));
  EXPECT_TRUE(resp.is_response);
}

TEST(McpProtocol, RefusesMalformedEnvelopesNamingTheField) {
  struct Case {
    const char* text;
    int code;
    const char* names;
  } cases[] = {
      {R"([1])", kInvalidRequest, "object"},
      {R"({"id":1,"method":"ping"})", kInvalidRequest, "jsonrpc"},
      {R"({"jsonrpc":"1.0","id":1,"method":"ping"})", kInvalidRequest, "jsonrpc"},
      {R"({"jsonrpc":"2.0","id":null,"method":"ping"})", kInvalidRequest, "id"},
      {R"({"jsonrpc":"2.0","id":1.5,"method":"ping"})", kInvalidRequest, "id"},
      {R"({"jsonrpc":"2.0","id":1,"method":5})", kInvalidRequest, "method"},
      {R"({"jsonrpc":"2.0","id":1,"method":"x","params":[1]})", kInvalidParams, "params"},
      {R"({"jsonrpc":"2.0","id":1})", kInvalidRequest, "method"},
  };
  for (const Case& c : cases) {
    Message m;
    auto err = parse(c.text, &m);
    ASSERT_TRUE(err.has_value()) << c.text;
    EXPECT_EQ(err->code, c.code) << c.text;
    EXPECT_NE(err->message.find(c.names), std::string::npos) << err->message;
  }
}

TEST(McpProtocol, ErrorsCarryTheRequestIdAndData) {
  Json e = rpcErrorJson("r1", RpcError{kInvalidParams, "bad", Json{{"uri", "x"}}});
  EXPECT_EQ(e["id"], "r1");
  EXPECT_EQ(e["error"]["code"], kInvalidParams);
  EXPECT_EQ(e["error"]["data"]["uri"], "x");
  EXPECT_FALSE(rpcErrorJson(1, RpcError{kInternalError, "m", nullptr})["error"].contains("data"));
}

// An error's HTTP status is the error mapping's (http::httpStatusFor), not a number of its own.
TEST(McpProtocol, HttpStatusesComeFromTheErrorMapping) {
  const RpcError plain{kInvalidParams, "x"};
  EXPECT_EQ(plain.httpStatus(/*stateless=*/false), 200);  // a 2025 session: the error is the body
  EXPECT_EQ(plain.httpStatus(/*stateless=*/true), 400);
  const RpcError missing{kMethodNotFound, "x", nullptr, StatusCode::kNotFound};
  EXPECT_EQ(missing.httpStatus(true), 404);
  EXPECT_EQ(missing.httpStatus(false), 404);
  const RpcError unacceptable{kInvalidRequest, "x", nullptr, StatusCode::kInvalidArgument,
                              http::ErrorOrigin::kNotAcceptable};
  EXPECT_EQ(unacceptable.httpStatus(true), 406);
  const RpcError full{kInternalError, "x", nullptr, StatusCode::kResourceExhausted};
  EXPECT_EQ(full.httpStatus(true), 429);
}

TEST(McpProtocol, LogLevelsAreOrderedAndUnknownIsRefused) {
  EXPECT_LT(logLevelRank("debug"), logLevelRank("info"));
  EXPECT_LT(logLevelRank("warning"), logLevelRank("emergency"));
  EXPECT_EQ(logLevelRank("verbose"), -1);
}

TEST(McpProtocol, VersionsOfBothEras) {
  EXPECT_TRUE(isSessionVersion("2025-06-18"));
  EXPECT_TRUE(isSessionVersion("2025-11-25"));
  EXPECT_FALSE(isSessionVersion("2026-07-28"));
  EXPECT_FALSE(isSessionVersion("2024-11-05"));
  auto v = supportedVersions();
  EXPECT_NE(std::find(v.begin(), v.end(), "2026-07-28"), v.end());
}

}  // namespace
}  // namespace ward::mcp
