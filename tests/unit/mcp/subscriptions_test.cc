// The bounds on 2025 resources/subscribe (subscriptions.h): only Ward's document URIs are kept,
// per session and in all; a session that ended takes its subscriptions with it.
#include "subscriptions.h"

#include <gtest/gtest.h>

#include "session_table.h"
#include "ward/common/clock.h"

namespace ward::mcp {
namespace {

Session of(int64_t principal) {
  Session s;
  s.tenant = "default";
  s.principal_id = principal;
  s.protocol_version = "2025-11-25";
  return s;
}

std::string doc(size_t i) { return "ward://documents/d" + std::to_string(i); }

TEST(Subscriptions, OnlyDocumentUrisOfBoundedLengthAreSubscribable) {
  EXPECT_TRUE(Subscriptions::subscribable("ward://documents/a%2Fb"));
  EXPECT_FALSE(Subscriptions::subscribable("ward://documents/"));
  EXPECT_FALSE(Subscriptions::subscribable("ward://upstreams/e/x"));
  EXPECT_FALSE(Subscriptions::subscribable("file:///etc/passwd"));
  const std::string prefix = "ward://documents/";
  EXPECT_TRUE(Subscriptions::subscribable(
      prefix + std::string(Subscriptions::kMaxUriBytes - prefix.size(), 'x')));
  EXPECT_FALSE(Subscriptions::subscribable(
      prefix + std::string(Subscriptions::kMaxUriBytes - prefix.size() + 1, 'x')));
}

TEST(Subscriptions, SubscribeIsBoundedPerSessionAndInAll) {
  FakeClock clock;
  McpOptions options;
  SessionTable sessions(clock, 64, 3600);
  Subscriptions subs(options, sessions, Json::object());
  auto a = sessions.create(of(1));
  ASSERT_TRUE(a.ok());
  // What can never change is accepted and not kept: it takes no room.
  for (size_t i = 0; i < 3 * Subscriptions::kMaxUrisPerSession; ++i) {
    ASSERT_TRUE(subs.subscribe(a->id, "other://x/" + std::to_string(i), true).ok());
  }
  for (size_t i = 0; i < Subscriptions::kMaxUrisPerSession; ++i) {
    ASSERT_TRUE(subs.subscribe(a->id, doc(i), true).ok()) << i;
  }
  EXPECT_TRUE(subs.subscribe(a->id, doc(0), true).ok());  // already held
  Status full = subs.subscribe(a->id, doc(Subscriptions::kMaxUrisPerSession), true);
  EXPECT_EQ(full.code(), StatusCode::kResourceExhausted);
  EXPECT_TRUE(subs.subscribe(a->id, doc(0), false).ok());  // unsubscribing makes room
  EXPECT_TRUE(subs.subscribe(a->id, doc(Subscriptions::kMaxUrisPerSession), true).ok());

  // In all: sessions fill the server-wide limit, then the next subscription is refused.
  size_t held = Subscriptions::kMaxUrisPerSession;
  std::vector<std::string> ids = {a->id};
  while (held < Subscriptions::kMaxSubscribedUris) {
    auto s = sessions.create(of(2));
    ASSERT_TRUE(s.ok());
    ids.push_back(s->id);
    for (size_t i = 0;
         i < Subscriptions::kMaxUrisPerSession && held < Subscriptions::kMaxSubscribedUris;
         ++i, ++held) {
      ASSERT_TRUE(subs.subscribe(s->id, doc(i), true).ok());
    }
  }
  auto last = sessions.create(of(3));
  ASSERT_TRUE(last.ok());
  EXPECT_EQ(subs.subscribe(last->id, doc(0), true).code(), StatusCode::kResourceExhausted);
  // Ending a session (as DELETE /mcp does) gives its room back.
  subs.dropKey(ids.back());
  EXPECT_TRUE(subs.subscribe(last->id, doc(0), true).ok());
}

}  // namespace
}  // namespace ward::mcp
