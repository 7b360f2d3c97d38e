// [answer] of ward.toml: the default file loads to the defaults, mistakes are named, and the
// limits the docs state are the code's constants.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "model_answerer.h"
#include "ward/answer/answer_config.h"
#include "ward/answer/answer_service.h"
#include "ward/answer/citation.h"
#include "ward/answer/extractive_answerer.h"
#include "ward/common/config.h"

namespace ward::answer {
namespace {

class AnswerConfigTest : public ::testing::Test {
 protected:
  void SetUp() override {
    path_ = std::filesystem::temp_directory_path() /
            ("ward-answer-config-" + std::to_string(::getpid()) + ".toml");
  }
  void TearDown() override { std::filesystem::remove(path_); }
  Result<AnswerConfig> load(const std::string& text) {
    std::ofstream(path_) << text;
    return loadAnswerConfig(path_.string());
  }
  std::filesystem::path path_;
};

TEST_F(AnswerConfigTest, TheDefaultFileLoadsToTheDefaults) {
  auto c = load(WardConfig::defaultToml());
  ASSERT_TRUE(c.ok()) << c.status().toString();
  AnswerConfig d;
  EXPECT_EQ(c->default_k, d.default_k);
  EXPECT_EQ(c->max_k, d.max_k);
  EXPECT_EQ(c->model, d.model);
  EXPECT_EQ(c->link_hosts, d.link_hosts);
  EXPECT_EQ(d.default_k, 8);
  // The rest of ward.toml accepts the [answer] table too.
  std::ofstream(path_) << WardConfig::defaultToml();
  EXPECT_TRUE(WardConfig::load(path_.string()).ok());
}

TEST_F(AnswerConfigTest, ValuesAndMistakes) {
  auto c = load(
      "[answer]\ndefault_k = 5\nmax_k = 50\nmodel = \"gpt\"\n"
      "link_hosts = [\"docs.acme.test\", \"*.acme.test\"]\n");
  ASSERT_TRUE(c.ok()) << c.status().toString();
  EXPECT_EQ(c->default_k, 5);
  EXPECT_EQ(c->max_k, 50);
  EXPECT_EQ(c->model, "gpt");
  EXPECT_EQ(c->link_hosts.size(), 2u);
  for (auto [text, needle] : std::vector<std::pair<std::string, std::string>>{
           {"[answer]\nfoo = 1\n", "unknown key 'answer.foo'"},
           {"[answer]\nmax_k = 101\n", "'answer.max_k' must be an integer between 1 and 100"},
           {"[answer]\ndefault_k = 1.5\n", "'answer.default_k' must be an integer"},
           {"[answer]\ndefault_k = 30\n", "'answer.default_k' must be <= answer.max_k"},
           {"[answer]\nlink_hosts = \"x\"\n", "'answer.link_hosts' must be an array"},
           {"[answer]\nlink_hosts = [\"\"]\n", "'answer.link_hosts' must hold host names"},
           {"[answer]\nmodel = 3\n", "'answer.model' must be a string"},
           {"answer = 3\n", "'answer' must be a table"}}) {
    auto r = load(text);
    ASSERT_FALSE(r.ok()) << text;
    EXPECT_NE(r.status().message().find(needle), std::string::npos) << r.status().message();
  }
}

std::string readDoc(const char* path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

TEST(AnswerDocs, TheDocumentedLimitsAreTheCodes) {
  const std::string doc = readDoc(WARD_ANSWER_DESIGN_DOC);
  ASSERT_FALSE(doc.empty());
  auto row = [&](const std::string& name, auto value) {
    return "| `" + name + "` | " + std::to_string(value) + " |";
  };
  EXPECT_NE(doc.find(row("kMaxQuestionBytes", kMaxQuestionBytes)), std::string::npos);
  EXPECT_NE(doc.find(row("kMinQuoteCodePoints", kMinQuoteCodePoints)), std::string::npos);
  EXPECT_NE(doc.find(row("kMaxExtractiveSentenceBytes", kMaxExtractiveSentenceBytes)),
            std::string::npos);
  EXPECT_NE(doc.find(row("kMaxToolSteps", kMaxToolSteps)), std::string::npos);
  EXPECT_NE(doc.find(row("kMaxMarkerTries", kMaxMarkerTries)), std::string::npos);
  EXPECT_NE(doc.find(row("kMaxRecordedToolReplyBytes", kMaxRecordedToolReplyBytes)),
            std::string::npos);
  EXPECT_NE(doc.find("| " + std::to_string(kExtractivePassages) + " / " +
                     std::to_string(kExtractiveSentences) + " |"),
            std::string::npos);
  AnswerConfig d;
  EXPECT_NE(
      doc.find("| " + std::to_string(d.default_k) + " / " + std::to_string(d.max_k) +
               " (at most `kAnswerMaxKCeiling` = " + std::to_string(kAnswerMaxKCeiling) + ") |"),
      std::string::npos);
  const std::string toml_doc = readDoc(WARD_WARD_TOML_DOC);
  EXPECT_NE(toml_doc.find("1.." + std::to_string(kAnswerMaxKCeiling)), std::string::npos);
}

}  // namespace
}  // namespace ward::answer
