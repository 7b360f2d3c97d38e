#include "ward/upstream/upstream_config.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

namespace ward::upstream {
namespace {

class UpstreamConfigTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("ward_upstream_cfg_" + std::to_string(::getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  Result<std::vector<UpstreamConfig>> load(const std::string& text) {
    std::string path = (dir_ / "ward.toml").string();
    std::ofstream(path) << text;
    return loadUpstreamConfigs(path);
  }
  std::filesystem::path dir_;
};

TEST_F(UpstreamConfigTest, ParsesStdioAndHttpUpstreams) {
  auto c = load(R"(
tenant = "default"
[[upstreams]]
name = "files"
transport = "stdio"
command = "node"
args = ["server.js", "/srv"]
env = { TOKEN = "${secret:files_token}" }
trusted = true
read_only_tools = ["read_file"]
allow_sampling = true

[[upstreams]]
name = "remote"
transport = "http"
url = "https://mcp.example.com/mcp"
headers = { Authorization = "Bearer ${secret:remote}" }
protocol = "2025-11-25"
timeout_ms = 5000
)");
  ASSERT_TRUE(c.ok()) << c.status().toString();
  ASSERT_EQ(c->size(), 2u);
  EXPECT_EQ((*c)[0].args.size(), 2u);
  EXPECT_TRUE((*c)[0].trusted);
  EXPECT_EQ((*c)[0].env.at("TOKEN"), "${secret:files_token}");
  EXPECT_EQ((*c)[1].protocol, "2025-11-25");
  EXPECT_EQ((*c)[1].timeout_ms, 5000);
  EXPECT_FALSE((*c)[1].trusted);
  // Forwarding an upstream's requests to callers is off unless configured.
  EXPECT_TRUE((*c)[0].allow_sampling);
  EXPECT_FALSE((*c)[0].allow_elicitation);
  EXPECT_FALSE((*c)[1].allow_sampling);
  EXPECT_FALSE((*c)[1].allow_elicitation);
}

TEST_F(UpstreamConfigTest, NoUpstreamsIsEmpty) {
  auto c = load("tenant = \"x\"\n");
  ASSERT_TRUE(c.ok());
  EXPECT_TRUE(c->empty());
}

TEST_F(UpstreamConfigTest, ErrorsNameTheProblem) {
  struct Case {
    const char* toml;
    const char* message;
  } cases[] = {
      {"[[upstreams]]\nname = \"a\"\ntransport = \"stdio\"\ncommand = \"x\"\ncolour = 1\n",
       "upstreams[0].colour: unknown key"},
      {"[[upstreams]]\nname = \"A B\"\ntransport = \"stdio\"\ncommand = \"x\"\n",
       "name: must be 1-32"},
      {"[[upstreams]]\nname = \"a\"\ntransport = \"stdio\"\n", "command: is required"},
      {"[[upstreams]]\nname = \"a\"\ntransport = \"http\"\nurl = \"ftp://x\"\n",
       "url: must start with http"},
      {"[[upstreams]]\nname = \"a\"\ntransport = \"carrier-pigeon\"\n", "transport: must be"},
      {"[[upstreams]]\nname = \"a\"\ntransport = \"stdio\"\ncommand = \"x\"\nallow_sampling = \"yes\"\n",
       "allow_sampling: must be a boolean"},
      {"[[upstreams]]\nname = \"a\"\ntransport = \"stdio\"\ncommand = \"x\"\nprotocol = \"1999\"\n",
       "protocol: must be"},
      {"[[upstreams]]\nname = \"a\"\ntransport = \"stdio\"\ncommand = \"x\"\n"
       "[[upstreams]]\nname = \"a\"\ntransport = \"stdio\"\ncommand = \"y\"\n",
       "defined twice"},
      {"[[upstreams]]\nname = \"a\"\ntransport = \"http\"\nurl = \"http://h\"\n"
       "headers = { \"X\" = \"a\\r\\nInjected: 1\" }\n",
       "forbidden character"},
      {"[[upstreams]]\nname = \"a\"\ntransport = \"stdio\"\ncommand = \"x\"\ntimeout_ms = 0\n",
       "timeout_ms: must be between"},
      {"upstreams = 3\n", "array of tables"},
      {"[[upstreams]]\nname = \"a\"\ntransport = \"stdio\"\ncommand = \"x\"\n"
       "resources_for = \"group:eng\"\n",
       "resources_for: must be an array of strings"},
      {"[[upstreams]]\nname = \"a\"\ntransport = \"stdio\"\ncommand = \"x\"\n"
       "prompts_for = [1]\n",
       "prompts_for: must be a string"},
  };
  for (const Case& c : cases) {
    auto r = load(c.toml);
    ASSERT_FALSE(r.ok()) << c.toml;
    EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
    EXPECT_NE(r.status().message().find(c.message), std::string::npos)
        << r.status().message() << " vs " << c.message;
  }
}

TEST_F(UpstreamConfigTest, ResourcesAndPromptsAreForNobodyUnlessListed) {
  auto c = load(R"(
[[upstreams]]
name = "a"
transport = "stdio"
command = "x"
resources_for = ["group:eng", "principal:alice@example.com"]
prompts_for = ["agent:helper-bot"]

[[upstreams]]
name = "b"
transport = "stdio"
command = "y"
)");
  ASSERT_TRUE(c.ok()) << c.status().toString();
  EXPECT_EQ((*c)[0].resources_for,
            (std::vector<std::string>{"group:eng", "principal:alice@example.com"}));
  EXPECT_EQ((*c)[0].prompts_for, std::vector<std::string>{"agent:helper-bot"});
  EXPECT_TRUE((*c)[1].resources_for.empty());  // deny by default
  EXPECT_TRUE((*c)[1].prompts_for.empty());
}

TEST(UpstreamSubjectEntryTest, AcceptsGrantSubjectsOnly) {
  struct Case {
    const char* entry;
    bool ok;
  } cases[] = {
      {"principal:alice", true}, {"group:eng", true},   {"agent:bot.v2", true},
      {"group:a@b.c", true},     {"user:alice", false}, {"role:admin", false},
      {"group:", false},         {"eng", false},        {"*", false},
      {"group:.hidden", false},  {"group:-x", false},   {"group:a b", false},
      {"principal:a:b", false},  {"", false},           {"Group:eng", false},
  };
  for (const Case& c : cases) {
    EXPECT_EQ(checkSubjectEntry(c.entry).ok(), c.ok) << c.entry;
  }
  std::string long_name = "group:" + std::string(65, 'a');
  EXPECT_FALSE(checkSubjectEntry(long_name).ok());
  EXPECT_TRUE(checkSubjectEntry("group:" + std::string(64, 'a')).ok());
}

TEST_F(UpstreamConfigTest, ABadSubjectEntryIsNamed) {
  auto r = load(
      "[[upstreams]]\nname = \"a\"\ntransport = \"stdio\"\ncommand = \"x\"\n"
      "prompts_for = [\"group:eng\", \"role:admin\"]\n");
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("upstreams[0].prompts_for: 'role:admin': must be "
                                      "principal:<name>, group:<name> or agent:<name>"),
            std::string::npos)
      << r.status().message();
}

}  // namespace
}  // namespace ward::upstream
