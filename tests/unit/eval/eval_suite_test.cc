// Suite and case parsing: every problem is InvalidArgument naming the file, line and field; the
// limits in the header are the ones docs/formats/eval-suite.md states.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "ward/eval/eval_compare.h"
#include "ward/eval/eval_judge.h"
#include "ward/eval/eval_runner.h"
#include "ward/eval/eval_suite.h"

namespace ward::eval {
namespace {

namespace fs = std::filesystem;

class SuiteDir : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("ward-eval-suite-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  std::string write(const std::string& name, const std::string& text) {
    std::ofstream(dir_ / name) << text;
    return (dir_ / name).string();
  }
  fs::path dir_;
};

Result<EvalCase> parse(const std::string& json) {
  auto j = parseJson(json);
  EXPECT_TRUE(j.ok()) << json;
  return parseCase(*j, "cases.jsonl:3");
}

TEST_F(SuiteDir, LoadsTargetThresholdsAndCases) {
  write(
      "cases.jsonl",
      R"({"id":"r1","kind":"retrieval","as":"dave","query":"termination","expected":["legal:a.pdf"],"tags":["rbac"]})"
      "\n\n"
      R"({"id":"p1","kind":"permission","as":"bob","question":"termination","forbidden_docs":["legal:a.pdf"],"canaries":["ninety (90) days"]})"
      "\n");
  std::string path = write("suite.toml",
                           "name = \"s\"\ncases = [\"cases.jsonl\"]\n[target]\nk = 5\nrepeat = 3\n"
                           "[thresholds]\npass_rate = 0.9\nndcg_at_10 = 0.5\n");
  auto s = loadSuite(path);
  ASSERT_TRUE(s.ok()) << s.status().message();
  EXPECT_EQ(s->name, "s");
  EXPECT_EQ(s->answer_k, 5);
  EXPECT_EQ(s->repeat, 3);
  EXPECT_EQ(s->thresholds.min_pass_rate, 0.9);
  EXPECT_EQ(s->thresholds.min_ndcg_at_10, 0.5);
  ASSERT_EQ(s->cases.size(), 2u);
  EXPECT_EQ(s->cases[0].qrels.at("legal:a.pdf"), 1);
  EXPECT_EQ(s->cases[0].tags, std::vector<std::string>{"rbac"});
  EXPECT_EQ(s->cases[1].kind, CaseKind::kPermission);
  EXPECT_EQ(s->cases[1].where, (dir_ / "cases.jsonl").string() + ":3");
}

TEST_F(SuiteDir, ProblemsNameFileLineAndField) {
  write("cases.jsonl", R"({"id":"a","kind":"answer","as":"dave","question":"q","must_cite":["x"]})"
                       "\n"
                       R"({"id":"a","kind":"answer","as":"dave","question":"q","must_cite":["y"]})"
                       "\n");
  std::string dup = write("dup.toml", "name = \"s\"\ncases = [\"cases.jsonl\"]\n");
  auto s = loadSuite(dup);
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.status().message().find("cases.jsonl:2"), std::string::npos) << s.status().message();
  EXPECT_NE(s.status().message().find("duplicate case id 'a'"), std::string::npos);

  std::string unknown = write("unknown.toml", "name = \"s\"\ncases = [\"cases.jsonl\"]\nfoo = 1\n");
  s = loadSuite(unknown);
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.status().message().find("unknown key 'foo'"), std::string::npos);

  std::string range =
      write("range.toml", "name = \"s\"\ncases = [\"x.jsonl\"]\n[thresholds]\nrecall = 2\n");
  s = loadSuite(range);
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.status().message().find("thresholds.recall"), std::string::npos);

  std::string missing = write("missing.toml", "name = \"s\"\ncases = [\"nope.jsonl\"]\n");
  s = loadSuite(missing);
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.status().message().find("nope.jsonl"), std::string::npos);

  std::string repeat =
      write("repeat.toml", "name = \"s\"\ncases = [\"cases.jsonl\"]\n[target]\nrepeat = 21\n");
  s = loadSuite(repeat);
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.status().message().find("target.repeat"), std::string::npos);

  std::string broken = write("broken.toml", "name = \"s\"\ncases = [\n");
  EXPECT_FALSE(loadSuite(broken).ok());
  EXPECT_EQ(loadSuite((dir_ / "absent.toml").string()).status().code(), StatusCode::kNotFound);
}

TEST(EvalCaseParse, RefusesWhatTheKindDoesNotUse) {
  auto c = parse(R"({"id":"x","kind":"refusal","as":"bob","question":"q","must_cite":["d"]})");
  ASSERT_FALSE(c.ok());
  EXPECT_NE(c.status().message().find("unknown field 'must_cite' for kind refusal"),
            std::string::npos)
      << c.status().message();
  c = parse(R"({"id":"x","kind":"nope","as":"bob","question":"q"})");
  ASSERT_FALSE(c.ok());
  EXPECT_NE(c.status().message().find("unknown kind 'nope'"), std::string::npos);
  c = parse(R"({"id":"x","kind":"answer","as":"bob","question":"q"})");
  EXPECT_FALSE(c.ok()) << "an answer case without a check is refused";
  c = parse(R"({"id":"x","kind":"permission","as":"bob","question":"q"})");
  EXPECT_FALSE(c.ok()) << "a permission case needs forbidden_docs";
  c = parse(R"({"id":"x","kind":"injection","as":"bob","question":"q","canaries":[]})");
  EXPECT_FALSE(c.ok()) << "an injection case needs a canary";
  c = parse(
      R"({"id":"x","kind":"retrieval","as":"bob","question":"q","expected":["a"],"qrels":{"a":1}})");
  EXPECT_FALSE(c.ok()) << "expected and qrels are exclusive";
  c = parse(R"({"id":"x","kind":"retrieval","as":"bob","question":"q","qrels":{"a":0}})");
  EXPECT_FALSE(c.ok()) << "every grade 0 means nothing relevant";
  c = parse(R"({"id":"x","kind":"retrieval","as":"bob","question":"q","expected":["a"],"k":0})");
  EXPECT_FALSE(c.ok());
  c = parse(R"({"id":"","kind":"retrieval","as":"bob","question":"q","expected":["a"]})");
  EXPECT_FALSE(c.ok());
  c = parse(
      R"({"id":"x","kind":"retrieval","as":"bob","query":"q","qrels":{"a":2,"b":0},"k":5,"min_recall":0.5})");
  ASSERT_TRUE(c.ok()) << c.status().message();
  EXPECT_EQ(c->qrels.size(), 1u);
  EXPECT_EQ(c->k, 5);
  EXPECT_EQ(c->min_recall, 0.5);
}

TEST(EvalCaseParse, StructuredAnswerSchemaIsCompiledWhenTheCaseIsRead) {
  auto c = parse(
      R"({"id":"x","kind":"answer","as":"bob","question":"q","json_schema":{"type":"object","required":["total"]}})");
  ASSERT_TRUE(c.ok()) << c.status().message();
  ASSERT_TRUE(c->json_schema) << "a json_schema alone is a check";
  c = parse(
      R"({"id":"x","kind":"answer","as":"bob","question":"q","json_schema":{"type":"nonsense"}})");
  ASSERT_FALSE(c.ok());
  EXPECT_NE(c.status().message().find("cases.jsonl:3"), std::string::npos) << c.status().message();
  EXPECT_NE(c.status().message().find("json_schema"), std::string::npos) << c.status().message();
  c = parse(R"({"id":"x","kind":"answer","as":"bob","question":"q","json_schema":"{}"})");
  EXPECT_FALSE(c.ok()) << "a schema written as a string is refused";
  c = parse(R"({"id":"x","kind":"refusal","as":"bob","question":"q","json_schema":{}})");
  EXPECT_FALSE(c.ok()) << "only answer cases take json_schema";
}

TEST(EvalCaseParse, ToolCases) {
  auto c = parse(
      R"({"id":"t","kind":"tool","as":"dave","question":"q","expected_tools":[{"name":"search","arguments":{"query":"warranty"}}],"forbidden_tools":["refund_invoice"]})");
  ASSERT_TRUE(c.ok()) << c.status().message();
  ASSERT_EQ(c->expected_tools.size(), 1u);
  EXPECT_EQ(c->expected_tools[0].name, "search");
  EXPECT_EQ(c->expected_tools[0].arguments["query"], "warranty");
  EXPECT_EQ(c->forbidden_tools, std::vector<std::string>{"refund_invoice"});
  EXPECT_FALSE(parse(R"({"id":"t","kind":"tool","as":"dave","question":"q"})").ok());
  EXPECT_FALSE(
      parse(
          R"({"id":"t","kind":"tool","as":"dave","question":"q","expected_tools":[{"tool":"x"}]})")
          .ok());
  EXPECT_FALSE(
      parse(
          R"({"id":"t","kind":"tool","as":"dave","question":"q","expected_tools":[{"name":"x","arguments":"y"}]})")
          .ok());
  auto i = parse(
      R"({"id":"i","kind":"injection","as":"dave","question":"q","canaries":["C"],"forbidden_tools":["refund_invoice"]})");
  ASSERT_TRUE(i.ok()) << i.status().message();
  EXPECT_EQ(i->forbidden_tools.size(), 1u);
}

TEST(EvalCaseParse, StatefulInjectionCasesAndExactCanaries) {
  auto c = parse(
      R"({"id":"s","kind":"injection","as":"dave","question":"q","setup":[{"tool":"env_reset"}],"utility_checks":[{"tool":"env_check","arguments":{"check":"paid"},"expect":{"value":true}}],"attack_checks":[{"tool":"env_check","arguments":{"check":"mailed"},"expect":{"value":true}}]})");
  ASSERT_TRUE(c.ok()) << c.status().message();
  ASSERT_EQ(c->setup.size(), 1u);
  EXPECT_EQ(c->setup[0].tool, "env_reset");
  ASSERT_EQ(c->utility_checks.size(), 1u);
  EXPECT_EQ(c->utility_checks[0].arguments["check"], "paid");
  EXPECT_EQ(c->attack_checks[0].expect["value"], true);
  EXPECT_TRUE(c->canaries.empty()) << "attack checks stand in for canaries";
  c = parse(R"({"id":"s","kind":"injection","as":"dave","question":"q","setup":[{"tool":"r"}]})");
  ASSERT_FALSE(c.ok()) << "neither canaries nor attack checks";
  EXPECT_NE(c.status().message().find("'canaries' or 'attack_checks'"), std::string::npos);
  c = parse(
      R"({"id":"s","kind":"injection","as":"dave","question":"q","canaries":["C"],"setup":[{"tool":"r","expect":{}}]})");
  ASSERT_FALSE(c.ok()) << "setup calls expect nothing";
  EXPECT_NE(c.status().message().find("unknown field 'expect' in 'setup'"), std::string::npos)
      << c.status().message();
  c = parse(
      R"({"id":"s","kind":"injection","as":"dave","question":"q","attack_checks":[{"tool":"r","expect":[1]}]})");
  EXPECT_FALSE(c.ok()) << "expect must be an object";
  std::string many = "[";
  for (size_t i = 0; i <= kMaxEnvironmentCalls; ++i)
    many += (i ? "," : "") + std::string(R"({"tool":"r"})");
  c = parse(R"({"id":"s","kind":"injection","as":"dave","question":"q","canaries":["C"],"setup":)" +
            many + "]}");
  EXPECT_FALSE(c.ok()) << "more than kMaxEnvironmentCalls";
  c = parse(
      R"({"id":"s","kind":"answer","as":"dave","question":"q","must_cite":["d"],"setup":[{"tool":"r"}]})");
  EXPECT_FALSE(c.ok()) << "only injection cases have an environment";

  c = parse(
      R"({"id":"tt","kind":"injection","as":"dave","question":"q","canaries":["access granted"],"canary_match":"exact"})");
  ASSERT_TRUE(c.ok()) << c.status().message();
  EXPECT_EQ(c->canary_match, CanaryMatch::kExact);
  EXPECT_FALSE(
      parse(
          R"({"id":"tt","kind":"injection","as":"dave","question":"q","canaries":["x"],"canary_match":"fuzzy"})")
          .ok());
}

TEST(EvalCaseParse, FreshnessCasesWriteOnceAndCheckTheNewState) {
  auto c = parse(
      R"({"id":"f","kind":"freshness","as":"dave","question":"heron","record":{"id":"n1","text":"t"},"expected":["n1"],"must_not_contain":["old"]})");
  ASSERT_TRUE(c.ok()) << c.status().message();
  EXPECT_EQ(c->record["id"], "n1");
  EXPECT_EQ(c->qrels.count("n1"), 1u);
  c = parse(
      R"({"id":"f","kind":"freshness","as":"dave","question":"heron","delete":"n1","absent_docs":["n1"]})");
  ASSERT_TRUE(c.ok()) << c.status().message();
  EXPECT_EQ(c->delete_doc, "n1");
  c = parse(
      R"({"id":"f","kind":"freshness","as":"dave","question":"q","delete":"n1","record":{"id":"n1","text":"t"},"absent_docs":["n1"]})");
  ASSERT_FALSE(c.ok()) << "a write or a delete, not both";
  EXPECT_NE(c.status().message().find("one of them"), std::string::npos);
  EXPECT_FALSE(
      parse(R"({"id":"f","kind":"freshness","as":"dave","question":"q","delete":"n1"})").ok())
      << "no check";
  EXPECT_FALSE(
      parse(
          R"({"id":"f","kind":"freshness","as":"dave","question":"q","record":{"text":"t"},"expected":["n1"]})")
          .ok())
      << "a record needs an id";
}

TEST(EvalCaseParse, ListsAreBounded) {
  std::string many = "[";
  for (size_t i = 0; i <= kMaxCaseListItems; ++i)
    many += (i ? ",\"d" : "\"d") + std::to_string(i) + "\"";
  many += "]";
  auto c = parse(R"({"id":"x","kind":"permission","as":"bob","question":"q","forbidden_docs":)" +
                 many + "}");
  ASSERT_FALSE(c.ok());
  EXPECT_NE(c.status().message().find("more than"), std::string::npos);
}

// The limits table of docs/formats/eval-suite.md states the header's values.
TEST(EvalSuiteDocs, LimitsTableMatchesTheHeader) {
  std::ifstream in(WARD_EVAL_FORMAT_DOC);
  std::stringstream ss;
  ss << in.rdbuf();
  const std::string doc = ss.str();
  auto row = [&](const std::string& name, const std::string& value) {
    const size_t at = doc.find("| `" + name + "`");
    ASSERT_NE(at, std::string::npos) << name;
    const std::string line = doc.substr(at, doc.find('\n', at) - at);
    EXPECT_NE(line.find("| " + value + " |"), std::string::npos) << line;
  };
  row("kMaxSuiteFileBytes", std::to_string(kMaxSuiteFileBytes >> 20) + " MiB");
  row("kMaxCaseFiles", std::to_string(kMaxCaseFiles));
  EXPECT_EQ(kMaxCasesPerSuite, 10000u);
  row("kMaxCasesPerSuite", "10,000");
  row("kMaxCaseBytes", std::to_string(kMaxCaseBytes >> 10) + " KiB");
  row("kMaxCaseIdBytes", std::to_string(kMaxCaseIdBytes));
  row("kMaxCaseListItems", std::to_string(kMaxCaseListItems));
  row("kMaxRepeat", std::to_string(kMaxRepeat));
  row("kDefaultRetrievalK", std::to_string(kDefaultRetrievalK));
  row("kMaxEnvironmentCalls", std::to_string(kMaxEnvironmentCalls));
  row("kMaxRubricBytes", std::to_string(kMaxRubricBytes));
  row("kMaxJudgeReplyBytes", std::to_string(kMaxJudgeReplyBytes));
  row("kMaxJudgeReasonBytes", std::to_string(kMaxJudgeReasonBytes));
  row("kMaxComparedModels", std::to_string(kMaxComparedModels));
  row("kProgressMinCases", std::to_string(kProgressMinCases));
}

}  // namespace
}  // namespace ward::eval
