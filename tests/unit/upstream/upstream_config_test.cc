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
  };
  for (const Case& c : cases) {
    auto r = load(c.toml);
    ASSERT_FALSE(r.ok()) << c.toml;
    EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
    EXPECT_NE(r.status().message().find(c.message), std::string::npos)
        << r.status().message() << " vs " << c.message;
  }
}

}  // namespace
}  // namespace ward::upstream
