#include "request_state.h"

#include <gtest/gtest.h>

namespace ward::mcp {
namespace {

const std::string kKey(32, 'k');

RequestState sample() {
  return RequestState{"acme", 42, "refund_invoice", std::string(64, 'a'), "apr_1", 2000, "n1"};
}

TEST(RequestState, RoundTripsWithinItsLifetime) {
  auto opened = openRequestState(sealRequestState(sample(), kKey), kKey, 1999);
  ASSERT_TRUE(opened.ok()) << opened.status().toString();
  EXPECT_EQ(opened->tenant, "acme");
  EXPECT_EQ(opened->principal_id, 42);
  EXPECT_EQ(opened->tool, "refund_invoice");
  EXPECT_EQ(opened->approval_id, "apr_1");
  EXPECT_EQ(opened->nonce, "n1");
}

TEST(RequestState, RefusesEveryAlteredByte) {
  const std::string token = sealRequestState(sample(), kKey);
  for (size_t i = 0; i < token.size(); ++i) {
    std::string bad = token;
    bad[i] = bad[i] == '0' ? '1' : '0';
    EXPECT_FALSE(openRequestState(bad, kKey, 1000).ok()) << "byte " << i;
  }
  EXPECT_FALSE(openRequestState(token + "-TAMPERED", kKey, 1000).ok());
  EXPECT_FALSE(openRequestState("", kKey, 1000).ok());
  EXPECT_FALSE(openRequestState("zz.zz", kKey, 1000).ok());
}

TEST(RequestState, RefusesAnotherKeyAndExpiry) {
  const std::string token = sealRequestState(sample(), kKey);
  EXPECT_FALSE(openRequestState(token, std::string(32, 'x'), 1000).ok());
  auto expired = openRequestState(token, kKey, 2000);
  ASSERT_FALSE(expired.ok());
  EXPECT_NE(expired.status().message().find("expired"), std::string::npos);
}

TEST(RequestState, RefusesOversizedTokens) {
  EXPECT_FALSE(openRequestState(std::string(9000, 'a') + ".ab", kKey, 1000).ok());
}

}  // namespace
}  // namespace ward::mcp
