// Which provider failures are retried, and after how long.
#include <gtest/gtest.h>

#include "retry_policy.h"

namespace ward::models {
namespace {

net::OutboundReply reply(int status, std::map<std::string, std::string> headers = {}) {
  net::OutboundReply r;
  r.status = status;
  r.headers = std::move(headers);
  return r;
}

ModelConfig config() {
  ModelConfig c;
  c.max_retries = 2;
  c.retry_base_ms = 100;
  return c;
}

TEST(RetryPolicy, RetryableStatusesBackOffExponentially) {
  for (int status : {408, 409, 429, 500, 502, 503, 529}) {
    RetryDecision d = retryAfterReply(reply(status), {}, 0, config(), 0);
    EXPECT_TRUE(d.retry) << status;
    EXPECT_EQ(d.wait_ms, 100) << status;
  }
  EXPECT_EQ(retryAfterReply(reply(500), {}, 1, config(), 0).wait_ms, 200);
  EXPECT_FALSE(retryAfterReply(reply(500), {}, 2, config(), 0).retry);  // no retries left
  for (int status : {400, 401, 403, 404, 422}) {
    EXPECT_FALSE(retryAfterReply(reply(status), {}, 0, config(), 0).retry) << status;
  }
}

TEST(RetryPolicy, TheProviderSaysHowLongAndWhether) {
  EXPECT_EQ(retryAfterReply(reply(429, {{"retry-after-ms", "20"}}), {}, 0, config(), 0).wait_ms,
            20);
  EXPECT_EQ(retryAfterReply(reply(429, {{"retry-after", "2"}}), {}, 0, config(), 0).wait_ms, 2000);
  // An HTTP date 3 s after "now".
  EXPECT_EQ(retryAfterReply(reply(503, {{"retry-after", "Thu, 01 Jan 1970 00:00:13 GMT"}}), {}, 0,
                            config(), 10)
                .wait_ms,
            3000);
  EXPECT_FALSE(retryAfterReply(reply(429, {{"retry-after", "3600"}}), {}, 0, config(), 0).retry);
  EXPECT_FALSE(
      retryAfterReply(reply(503, {{"x-should-retry", "false"}}), {}, 0, config(), 0).retry);
  EXPECT_TRUE(retryAfterReply(reply(400, {{"x-should-retry", "true"}}), {}, 0, config(), 0).retry);
}

TEST(RetryPolicy, ASpendLimitIsNotRetried) {
  ProviderError quota;
  quota.code = "insufficient_quota";
  RetryDecision d = retryAfterReply(reply(429), quota, 0, config(), 0);
  EXPECT_FALSE(d.retry);
  EXPECT_NE(d.reason.find("spend limit"), std::string::npos) << d.reason;
  ProviderError rate;
  rate.code = "rate_limit_exceeded";
  EXPECT_TRUE(retryAfterReply(reply(429), rate, 0, config(), 0).retry);
}

TEST(RetryPolicy, FallbacksSkipMalformedRequests) {
  EXPECT_FALSE(fallbackAfter(400));
  EXPECT_FALSE(fallbackAfter(422));
  EXPECT_TRUE(fallbackAfter(429));
  EXPECT_TRUE(fallbackAfter(500));
  EXPECT_TRUE(fallbackAfter(0));
}

}  // namespace
}  // namespace ward::models
