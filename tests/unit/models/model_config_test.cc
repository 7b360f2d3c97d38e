// [[models]] in ward.toml: strict parsing, no keys inside, fallbacks that exist, documented limits.
#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "ward/models/model_config.h"
#include "ward/models/openai_responses_format.h"

namespace ward::models {
namespace {

class ModelConfigTest : public ::testing::Test {
 protected:
  std::string write(const std::string& text) {
    path_ = (std::filesystem::temp_directory_path() /
             ("ward_models_" + std::to_string(::getpid()) + "_" +
              ::testing::UnitTest::GetInstance()->current_test_info()->name() + ".toml"))
                .string();
    std::ofstream(path_) << text;
    return path_;
  }
  void TearDown() override { std::filesystem::remove(path_); }
  std::string path_;
};

const char* kGood = R"(
tenant = "default"
[[models]]
name = "gpt"
provider = "openai"
base_url = "https://api.example.com/v1/"
model = "gpt-4o-mini"
api_key_secret = "openai_key"
allow = ["group:eng", "principal:alice"]
fallbacks = ["local"]
timeout_ms = 30000
[models.params]
temperature = 0.2
max_tokens = 512

[[models]]
name = "local"
provider = "openai"
base_url = "http://127.0.0.1:8000/v1"
model = "llama"
allow_private = true
)";

TEST_F(ModelConfigTest, ParsesEntries) {
  auto r = loadModelConfigs(write(kGood));
  ASSERT_TRUE(r.ok()) << r.status().toString();
  ASSERT_EQ(r->size(), 2u);
  const ModelConfig& m = (*r)[0];
  EXPECT_EQ(m.base_url, "https://api.example.com/v1");  // trailing slash dropped
  EXPECT_EQ(m.allow.size(), 2u);
  EXPECT_EQ(*m.temperature, 0.2);
  EXPECT_EQ(*m.max_tokens, 512);
  EXPECT_FALSE(m.allow_private);
  EXPECT_TRUE((*r)[1].allow_private);
  EXPECT_TRUE((*r)[1].allow.empty());  // nobody: deny by default
}

TEST_F(ModelConfigTest, RefusesBadEntriesNamingTheKey) {
  const std::string base =
      "[[models]]\nname = \"a\"\nprovider = \"openai\"\nbase_url = \"http://h/v1\"\nmodel = "
      "\"x\"\n";
  const std::pair<std::string, std::string> cases[] = {
      {base + "api_key = \"sk-123\"\n", "never go in ward.toml"},
      {base + "colour = 1\n", "models[0].colour: unknown key"},
      {base + "allow = [\"team:x\"]\n", "allow"},
      {base + "fallbacks = [\"nope\"]\n", "fallbacks"},
      {base + "fallbacks = [\"a\"]\n", "fallbacks"},
      {base + "timeout_ms = 0\n", "timeout_ms"},
      {base + "max_retries = 99\n", "max_retries"},
      {base + "[models.params]\ntemperature = 5\n", "params.temperature"},
      {base + "[models.params]\nfoo = 1\n", "params.foo"},
      {"[[models]]\nname = \"a\"\nprovider = \"acme\"\nbase_url = \"http://h\"\nmodel = \"x\"\n",
       "provider"},
      {"[[models]]\nname = \"a\"\nprovider = \"openai\"\nbase_url = \"ftp://h\"\nmodel = \"x\"\n",
       "base_url"},
      {"[[models]]\nname = \"a b\"\nprovider = \"openai\"\nbase_url = \"http://h\"\nmodel = "
       "\"x\"\n",
       "name"},
      {base + base, "defined twice"},
      {base + "kind = \"vision\"\n", "models[0].kind"},
      // A chat model cannot fall back to an embedding model (nor the other way round).
      {base + "fallbacks = [\"e\"]\n[[models]]\nname = \"e\"\nprovider = \"openai\"\n"
              "base_url = \"http://h/v1\"\nmodel = \"x\"\nkind = \"embedding\"\n",
       "of another kind"},
  };
  for (const auto& [text, needle] : cases) {
    auto r = loadModelConfigs(write(text));
    ASSERT_FALSE(r.ok()) << text;
    EXPECT_NE(r.status().message().find(needle), std::string::npos)
        << text << " -> " << r.status().message();
  }
}

TEST_F(ModelConfigTest, KindAndProviderState) {
  auto r = loadModelConfigs(
      write("[[models]]\nname = \"e\"\nprovider = \"gemini\"\nbase_url = \"http://h\"\n"
            "model = \"x\"\nkind = \"embedding\"\n"));
  ASSERT_TRUE(r.ok()) << r.status().toString();
  EXPECT_EQ((*r)[0].kind, ModelKind::kEmbedding);
  EXPECT_EQ(*loadProxyProviderState(write("tenant = \"t\"\n")), ProviderStateMode::kRefuse);
  EXPECT_EQ(*loadProxyProviderState(write("[proxy]\nprovider_state = \"record\"\n")),
            ProviderStateMode::kRecord);
  auto bad = loadProxyProviderState(write("[proxy]\nprovider_state = \"keep\"\n"));
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("proxy.provider_state"), std::string::npos);
  EXPECT_FALSE(loadProxyProviderState(write("[proxy]\nother = 1\n")).ok());
}

TEST_F(ModelConfigTest, TheDocumentedLimitsAreTheCodes) {
  std::ifstream in(WARD_WARD_TOML_DOC);
  std::stringstream doc;
  doc << in.rdbuf();
  const std::string text = doc.str();
  EXPECT_NE(text.find("at most " + std::to_string(kMaxModels) + " models"), std::string::npos);
  EXPECT_NE(text.find("at most " + std::to_string(kMaxFallbacks) + " fallbacks"),
            std::string::npos);
  EXPECT_NE(text.find("0-" + std::to_string(kMaxRetries)), std::string::npos);
}

}  // namespace
}  // namespace ward::models
