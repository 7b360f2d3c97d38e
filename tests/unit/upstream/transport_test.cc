// The transports' own guards, below McpClient: checked reads of upstream messages, and a stdio
// transport with no handlers (the default replies) fed messages of the wrong types.
#include "transport.h"

#include <gtest/gtest.h>

namespace ward::upstream {
namespace {

TEST(TransportTest, DefaultServerReplyReadsNothingOfTheWrongType) {
  Json reply = defaultServerReply(Json{{"jsonrpc", "2.0"}, {"id", 7}, {"method", 5}});
  EXPECT_EQ(reply["id"], 7);
  EXPECT_EQ(reply["error"]["code"], -32601);
  EXPECT_EQ(defaultServerReply(Json::array({1, 2}))["id"], nullptr);
  EXPECT_EQ(defaultServerReply(Json{{"id", "p"}, {"method", "ping"}})["result"], Json::object());
}

TEST(TransportTest, CheckedMembersFallBackOnAWrongType) {
  Json m = {{"method", 5}, {"params", "text"}, {"id", Json::object()}};
  EXPECT_EQ(stringMember(m, "method"), "");
  EXPECT_EQ(objectMember(m, "params"), Json::object());
  EXPECT_EQ(idOf(m), Json::object());
  EXPECT_EQ(stringMember(Json("not an object"), "method"), "");
  EXPECT_EQ(objectMember(Json(nullptr), "params"), Json::object());
  EXPECT_EQ(stringMember(Json{{"method", "ping"}}, "method"), "ping");
}

ResolvedEndpoint fakeStdio() {
  ResolvedEndpoint e;
  e.config.name = "fake";
  e.config.transport = "stdio";
  e.config.command = WARD_PYTHON;
  e.config.args = {WARD_FAKE_MCP_SERVER};
  return e;
}

Json call(const std::string& tool, int id) {
  return Json{{"jsonrpc", "2.0"},
              {"id", id},
              {"method", "tools/call"},
              {"params", {{"name", tool}, {"arguments", Json::object()}}}};
}

TEST(StdioTransportTest, RequestsOfTheWrongTypesGetTheDefaultReplyAndTheReaderGoesOn) {
  auto t = startStdioTransport(fakeStdio(), ServerMessageHandlers{});
  ASSERT_TRUE(t.ok()) << t.status().toString();
  std::shared_ptr<Transport> transport(std::move(*t));
  auto r = transport->roundTrip(call("malformed", 1), {}, 20000);
  ASSERT_TRUE(r.ok()) << r.status().toString();
  Json replies = Json::parse((*r)["result"]["content"][0]["text"].get<std::string>());
  EXPECT_EQ(replies["bad-method"]["error"]["code"], -32601) << replies.dump();
  EXPECT_EQ(replies["bad-params"]["error"]["code"], -32601) << replies.dump();
  auto echo = transport->roundTrip(call("echo", 2), {}, 20000);
  ASSERT_TRUE(echo.ok()) << echo.status().toString();
  EXPECT_TRUE(transport->alive());
}

}  // namespace
}  // namespace ward::upstream
