// A running request's channel to its client: requests out, answers matched by stream and id,
// cancellation and timeouts ending the wait.
#include "client_channel.h"

#include <gtest/gtest.h>

#include <future>
#include <thread>

namespace ward::mcp {
namespace {

// A client on the other end: records what Ward sent and answers from another thread.
struct FakeClientEnd {
  std::mutex mu;
  std::vector<Json> sent;
  std::promise<Json> first_request;
  bool alive = true;
  std::function<bool(const Json&)> sender() {
    return [this](const Json& j) {
      std::lock_guard<std::mutex> lock(mu);
      if (!alive) return false;
      if (j.contains("id") && sent.empty()) first_request.set_value(j);
      sent.push_back(j);
      return true;
    };
  }
};

TEST(CallChannel, AnAnswerOnTheSameStreamCompletesTheAsk) {
  ClientRequests pending;
  FakeClientEnd client;
  CallChannel channel(client.sender(), pending, "session-a", std::chrono::seconds(30));
  auto asked = client.first_request.get_future();
  std::thread answerer([&] {
    Json req = asked.get();
    EXPECT_EQ(req["method"], "elicitation/create");
    EXPECT_TRUE(req["id"].is_string());
    // Another session cannot answer for this one; the right one can, once.
    EXPECT_FALSE(
        pending.deliver("session-b", Json{{"id", req["id"]}, {"result", {{"action", "accept"}}}}));
    EXPECT_TRUE(
        pending.deliver("session-a", Json{{"id", req["id"]}, {"result", {{"action", "accept"}}}}));
    EXPECT_FALSE(pending.deliver("session-a", Json{{"id", req["id"]}, {"result", Json::object()}}));
  });
  auto r = channel.ask("elicitation/create", Json{{"message", "ok?"}});
  answerer.join();
  ASSERT_TRUE(r.ok()) << r.status().toString();
  EXPECT_EQ((*r)["action"], "accept");
}

TEST(CallChannel, TheClientsErrorIsAFailedPrecondition) {
  ClientRequests pending;
  FakeClientEnd client;
  CallChannel channel(client.sender(), pending, "k", std::chrono::seconds(30));
  auto asked = client.first_request.get_future();
  std::thread answerer([&] {
    Json req = asked.get();
    pending.deliver(
        "k", Json{{"id", req["id"]}, {"error", {{"code", -1}, {"message", "user said no"}}}});
  });
  auto r = channel.ask("sampling/createMessage", Json::object());
  answerer.join();
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(r.status().message().find("user said no"), std::string::npos);
}

TEST(CallChannel, AnErrorWhoseMessageIsNotTextIsShownAsJson) {
  ClientRequests pending;
  FakeClientEnd client;
  CallChannel channel(client.sender(), pending, "k", std::chrono::seconds(30));
  auto asked = client.first_request.get_future();
  std::thread answerer([&] {
    Json req = asked.get();
    pending.deliver("k", Json{{"id", req["id"]}, {"error", {{"code", 1}, {"message", 7}}}});
  });
  auto r = channel.ask("elicitation/create", Json::object());
  answerer.join();
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(r.status().message().find("\"message\":7"), std::string::npos) << r.status().message();
}

TEST(CallChannel, AfterTheCallEndedAnAskFailsAtOnceAndNothingIsSent) {
  ClientRequests pending;
  FakeClientEnd client;
  CallChannel channel(client.sender(), pending, "k", std::chrono::seconds(300));
  channel.cancel(/*by_client=*/false);  // what the server does when the call ends
  auto r = channel.ask("elicitation/create", Json::object());
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kUnavailable);
  EXPECT_FALSE(channel.notify(Json{{"method", "notifications/progress"}}));
  EXPECT_TRUE(client.sent.empty());
  EXPECT_FALSE(channel.cancelledByClient());
}

TEST(CallChannel, CancellationByTheClientEndsTheWait) {
  ClientRequests pending;
  FakeClientEnd client;
  auto channel =
      std::make_shared<CallChannel>(client.sender(), pending, "k", std::chrono::seconds(300));
  pending.track("k", Json(7), channel);
  auto asked = client.first_request.get_future();
  std::thread canceller([&] {
    asked.get();
    EXPECT_FALSE(pending.cancel("other", Json(7)));  // another stream's request 7
    EXPECT_TRUE(pending.cancel("k", Json(7)));
  });
  auto r = channel->ask("elicitation/create", Json::object());
  canceller.join();
  EXPECT_FALSE(r.ok());
  EXPECT_TRUE(channel->cancelledByClient());
  EXPECT_FALSE(channel->notify(Json{{"method", "notifications/progress"}}));
  pending.untrack("k", Json(7), channel.get());
  EXPECT_FALSE(pending.cancel("k", Json(7)));
}

TEST(CallChannel, AReusedRequestIdKeepsBothRequestsCancellable) {
  ClientRequests pending;
  FakeClientEnd client;
  auto first =
      std::make_shared<CallChannel>(client.sender(), pending, "k", std::chrono::seconds(300));
  auto second =
      std::make_shared<CallChannel>(client.sender(), pending, "k", std::chrono::seconds(300));
  pending.track("k", Json(7), first);
  pending.track("k", Json(7), second);
  pending.untrack("k", Json(7), second.get());  // the second ends first
  EXPECT_TRUE(pending.cancel("k", Json(7)));    // the first is still reachable
  EXPECT_TRUE(first->cancelledByClient());
  EXPECT_FALSE(second->cancelledByClient());
  pending.untrack("k", Json(7), first.get());
  EXPECT_FALSE(pending.cancel("k", Json(7)));
}

TEST(CallChannel, NoAnswerWithinTheTimeoutIsUnavailable) {
  ClientRequests pending;
  FakeClientEnd client;
  CallChannel channel(client.sender(), pending, "k", std::chrono::seconds(0));
  auto r = channel.ask("elicitation/create", Json::object());
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kUnavailable);
  // The late answer finds nothing waiting.
  EXPECT_FALSE(
      pending.deliver("k", Json{{"id", client.sent.at(0)["id"]}, {"result", Json::object()}}));
}

TEST(CallChannel, AStreamThatIsGoneFailsTheAskAtOnce) {
  ClientRequests pending;
  FakeClientEnd client;
  client.alive = false;
  CallChannel channel(client.sender(), pending, "k", std::chrono::seconds(300));
  EXPECT_FALSE(channel.ask("elicitation/create", Json::object()).ok());
}

TEST(ClientRequests, CancelKeyEndsOnlyThatStreamsRequests) {
  ClientRequests pending;
  FakeClientEnd a, b;
  auto ca = std::make_shared<CallChannel>(a.sender(), pending, "stdio:1", std::chrono::seconds(1));
  auto cb = std::make_shared<CallChannel>(b.sender(), pending, "stdio:12", std::chrono::seconds(1));
  pending.track("stdio:1", Json(1), ca);
  pending.track("stdio:12", Json(1), cb);
  pending.cancelKey("stdio:1");
  EXPECT_TRUE(ca->cancelled());
  EXPECT_FALSE(ca->cancelledByClient());
  EXPECT_FALSE(cb->cancelled());
  pending.cancelAll();
  EXPECT_TRUE(cb->cancelled());
}

}  // namespace
}  // namespace ward::mcp
