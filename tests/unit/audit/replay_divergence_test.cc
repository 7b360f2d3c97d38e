// audit: the first-divergence finder of replays (replay_divergence.h): identical runs, and each
// kind of divergence at the right step with the right JSON Pointer and values.
#include "ward/audit/replay_divergence.h"

#include <gtest/gtest.h>

namespace ward::audit {
namespace {

ReplayStep step(Json response, Json request = Json{{"model", "m"}}) {
  return ReplayStep{std::move(request), std::move(response)};
}

Json call(const std::string& name, const std::string& args) {
  return Json{{"name", name}, {"arguments", args}};
}

TEST(ReplayDivergence, IdenticalRunsHaveNone) {
  std::vector<ReplayStep> a = {step({{"tool_calls", {call("get", "{}")}}}),
                               step({{"text", "done"}, {"finish_reason", "stop"}})};
  EXPECT_FALSE(firstDivergence(a, a).has_value());
  EXPECT_FALSE(firstDifference(Json{{"a", 1}}, Json{{"a", 1}}).has_value());
}

TEST(ReplayDivergence, EachKindAtItsStepAndPointer) {
  std::vector<ReplayStep> rec = {
      step({{"tool_calls", {call("get", "{\"city\":\"Paris\"}")}}}),
      step({{"text", "It is sunny in Paris."}, {"finish_reason", "stop"}})};
  auto with = [&](size_t i, const char* key, Json v) {
    auto out = rec;
    out[i].response[key] = std::move(v);
    return out;
  };
  auto d = firstDivergence(rec, with(0, "tool_calls", {call("get", "{}"), call("put", "{}")}));
  ASSERT_TRUE(d);
  EXPECT_EQ(d->step, 0u);
  EXPECT_EQ(d->kind, DivergenceKind::kToolCallSet);
  EXPECT_EQ(d->pointer, "/tool_calls/1");

  d = firstDivergence(rec, with(0, "tool_calls", {call("get", "{\"city\":\"Rome\"}")}));
  ASSERT_TRUE(d);
  EXPECT_EQ(d->kind, DivergenceKind::kToolArgs);
  EXPECT_EQ(d->pointer, "/tool_calls/0/arguments");
  EXPECT_EQ(d->recorded, "{\"city\":\"Paris\"}");
  EXPECT_EQ(d->replayed, "{\"city\":\"Rome\"}");

  d = firstDivergence(rec, with(1, "text", "It is rainy in Paris."));
  ASSERT_TRUE(d);
  EXPECT_EQ(d->step, 1u);
  EXPECT_EQ(d->kind, DivergenceKind::kText);
  EXPECT_EQ(d->pointer, "/text");
  EXPECT_NE(d->context.find("at character 6"), std::string::npos) << d->context;

  d = firstDivergence(rec, with(1, "finish_reason", "length"));
  ASSERT_TRUE(d);
  EXPECT_EQ(d->kind, DivergenceKind::kFinishReason);
  EXPECT_EQ(divergenceKindName(d->kind), "finish_reason");

  auto other = rec;
  other[1].request["messages"] = Json::array({{{"role", "tool"}, {"content", "x"}}});
  d = firstDivergence(rec, other);
  ASSERT_TRUE(d);
  EXPECT_EQ(d->kind, DivergenceKind::kRequest);
  EXPECT_EQ(d->pointer, "/messages");
  EXPECT_TRUE(d->recorded.is_null());

  d = firstDivergence(rec, {rec[0]});
  ASSERT_TRUE(d);
  EXPECT_EQ(d->step, 1u);
  EXPECT_EQ(d->kind, DivergenceKind::kToolCallSet);
  EXPECT_EQ(d->toJson()["kind"], "tool_call_set");
}

TEST(ReplayDivergence, PointersEscapeKeys) {
  EXPECT_EQ(*firstDifference(Json{{"a/b", 1}}, Json{{"a/b", 2}}), "/a~1b");
  EXPECT_EQ(*firstDifference(Json{{"x", {1, 2}}}, Json{{"x", {1, 3}}}), "/x/1");
  EXPECT_EQ(*firstDifference(Json(1), Json("1")), "");
}

}  // namespace
}  // namespace ward::audit
