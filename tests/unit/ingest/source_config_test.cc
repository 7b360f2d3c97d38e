// ward.toml's [[sources]] and the JSON source bodies: one validator, errors naming the key, the
// documented limits (docs/design/ingest.md) equal to the constants.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <iterator>

#include "ward/common/json.h"
#include "../../../src/ingest/sync_pipeline.h"
#include "ward/ingest/connector.h"
#include "ward/ingest/source_config.h"
#include "ward/ingest/sync_runner.h"

namespace ward::testing {
namespace {

namespace fs = std::filesystem;

TEST(SourceConfig, ParsesAndRefusesWithTheKeyNamed) {
  auto ok = ingest::parseSourceConfigs(R"(
[[sources]]
name = "handbook"
connector = "folder"
root = "/srv/handbook"
schedule_s = 300
max_delete_share = 0.1
[[sources.acl]]
glob = "hr/*"
groups = ["hr"]
[[sources.acl]]
glob = "*"
public = true
)");
  ASSERT_TRUE(ok.ok()) << ok.status().toString();
  ASSERT_EQ(ok->size(), 1u);
  const auto& s = ok->front();
  EXPECT_EQ(s.schedule_s, 300);
  EXPECT_DOUBLE_EQ(s.max_delete_share, 0.1);
  EXPECT_DOUBLE_EQ(s.max_expose_share, ingest::kDefaultMaxExposeShare);
  EXPECT_EQ(s.aclFor("hr/pay.md").groups, std::vector<std::string>{"hr"});
  EXPECT_TRUE(s.aclFor("hr/deep/pay.md").groups == std::vector<std::string>{"hr"});
  EXPECT_TRUE(s.aclFor("intro.md").is_public);

  struct Case {
    const char* toml;
    const char* message;
  } cases[] = {
      {"[[sources]]\nconnector='folder'\nroot='/x'\n", "sources[0].name: is required"},
      {"[[sources]]\nname='a'\nconnector='folder'\n", "sources[0].root: is required"},
      {"[[sources]]\nname='a'\nconnector='folder'\nroot='/x'\nbogus=1\n",
       "sources[0].bogus: unknown key"},
      {"[[sources]]\nname='a'\nconnector='folder'\nroot='/x'\nmax_delete_share=2\n",
       "max_delete_share: must be between 0 and 1"},
      {"[[sources]]\nname='a'\nconnector='folder'\nroot='/x'\n[[sources]]\nname='a'\n"
       "connector='folder'\nroot='/y'\n",
       "configured twice"},
      {"[[sources]]\nname='a'\nconnector='folder'\nroot='/x'\n[[sources.acl]]\nusers=['u']\n",
       "acl[0].glob: is required"},
  };
  for (const auto& c : cases) {
    auto r = ingest::parseSourceConfigs(c.toml);
    ASSERT_FALSE(r.ok()) << c.toml;
    EXPECT_NE(r.status().message().find(c.message), std::string::npos) << r.status().message();
  }
}

// The limits docs/design/ingest.md states are the constants.
TEST(SourceConfig, JsonBodiesAndTomlShareOneValidator) {
  // The same mistake, named the same way from either door (a POST /v1/sources body, ward.toml).
  auto json = ingest::parseSourceJson(
      Json{{"name", "w"}, {"connector", "folder"}, {"root", "/x"}, {"page_items", "3"}}, "source");
  ASSERT_FALSE(json.ok());
  EXPECT_EQ(json.status().message(), "source.page_items: must be an integer");
  auto toml = ingest::parseSourceConfigs(
      "[[sources]]\nname = \"w\"\nconnector = \"folder\"\nroot = \"/x\"\npage_items = \"3\"\n");
  ASSERT_FALSE(toml.ok());
  EXPECT_EQ(toml.status().message(), "ward.toml: sources[0].page_items: must be an integer");
  EXPECT_EQ(
      ingest::parseSourceJson(
          Json{{"name", "w"}, {"connector", "folder"}, {"root", "/x"}, {"credential", "s3cr3t"}},
          "source")
          .status()
          .message(),
      "source.credential: unknown key");
  // A ward.toml entry, turned back into JSON, parses to the same source.
  auto parsed = ingest::parseSourceConfigs(R"(
[[sources]]
name = "wiki"
connector = "git"
root = "https://git.example.com/wiki.git"
allowed_hosts = ["git.example.com"]
schedule_s = 60
max_delete_share = 0.5
token_secret = "wiki-token"
[[sources.acl]]
glob = "hr/*"
groups = ["hr"]
[[sources.identities]]
match = "*@example.com"
principal = "{local}"
[sources.options]
depth = 2
)");
  ASSERT_TRUE(parsed.ok()) << parsed.status().toString();
  const ingest::SourceConfig& a = parsed->front();
  auto back = ingest::parseSourceJson(ingest::sourceConfigJson(a), "source");
  ASSERT_TRUE(back.ok()) << back.status().toString();
  EXPECT_EQ(back->root, a.root);
  EXPECT_EQ(back->allowed_hosts, a.allowed_hosts);
  EXPECT_EQ(back->schedule_s, 60);
  EXPECT_EQ(back->max_delete_share, 0.5);
  EXPECT_EQ(back->token_secret, "wiki-token");
  ASSERT_EQ(back->acl_rules.size(), 1u);
  EXPECT_EQ(back->acl_rules[0].acl.groups, std::vector<std::string>{"hr"});
  ASSERT_EQ(back->identities.size(), 1u);
  EXPECT_EQ(back->identities[0].principal, "{local}");
  EXPECT_EQ(back->options, a.options);
}

TEST(SourceConfig, TheDocumentedLimitsAreTheConstants) {
  fs::path doc = WARD_INGEST_DOC_PATH;
  std::ifstream in(doc);
  ASSERT_TRUE(in) << doc;
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  auto has = [&](const std::string& s) { return text.find(s) != std::string::npos; };
  EXPECT_TRUE(has("`kDefaultMaxDeleteShare`, 0.20") && ingest::kDefaultMaxDeleteShare == 0.20);
  EXPECT_TRUE(has("`kDefaultMaxExposeShare`, 0.20") && ingest::kDefaultMaxExposeShare == 0.20);
  EXPECT_TRUE(has("`kMinListingShare` (50%)") && ingest::kMinListingShare == 0.50);
  EXPECT_TRUE(has("`kDefaultPageItems`, 256") && ingest::kDefaultPageItems == 256);
  EXPECT_TRUE(has("`kMaxPageItems`, 10,000") && ingest::kMaxPageItems == 10'000);
  EXPECT_TRUE(has("`kMaxSources` (64)") && ingest::kMaxSources == 64);
  EXPECT_TRUE(has("`kMaxAclRules` (256)") && ingest::kMaxAclRules == 256);
  EXPECT_TRUE(has("`kMaxSyncProblems`, 1,000") && ingest::kMaxSyncProblems == 1000);
  EXPECT_TRUE(has("`kDefaultJobsListed`, 50") && ingest::kDefaultJobsListed == 50);
  EXPECT_TRUE(has("`kSyncApprovalTtlSeconds`, 7 days") &&
              ingest::kSyncApprovalTtlSeconds == 7 * 86400);
  EXPECT_TRUE(has("`kMaxParseWorkers`, 8") && ingest::kMaxParseWorkers == 8);
  EXPECT_TRUE(has("`kMaxQueuedParseBytes` (32 MiB)") && ingest::kMaxQueuedParseBytes == 32 << 20);
}

TEST(SourceConfig, AnUnknownConnectorNamesTheKnownOnes) {
  ingest::SourceConfig s;
  s.name = "x";
  s.connector = "no-such-connector";
  auto c = ingest::makeConnector(s, {});
  ASSERT_FALSE(c.ok());
  // The list grows with the connectors (github, ...): its ends are checked.
  EXPECT_NE(c.status().message().find("known: archive, "), std::string::npos);
  EXPECT_NE(c.status().message().find(", github, jsonl"), std::string::npos);
}

}  // namespace
}  // namespace ward::testing
