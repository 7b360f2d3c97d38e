// The github connector's pure pieces: its options (a table of accepted and refused ones), GitHub
// payloads to values and documents, the Link header, the repository ACL (fail closed) and the
// state file. The wire behaviour is tested on the real binary (tests/integration/
// github_sync_test.py against fakes/github_fake.py).
#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>
#include <string>

#include "../../../src/ingest/connectors/github/github_options.h"
#include "../../../src/ingest/connectors/github/github_payload.h"
#include "../../../src/ingest/connectors/github/github_state.h"
#include "ward/common/clock.h"

namespace ward::ingest {
namespace {

struct OptionsCase {
  const char* json;
  const char* error;  // a part of the message; nullptr = accepted
};

TEST(GithubOptionsTest, StrictTable) {
  const OptionsCase cases[] = {
      {R"({"repos": ["acme/app"]})", nullptr},
      {R"({"repos": ["acme/app", "o/r.js"], "files": false, "issues": true,
           "public_repos_public": true, "max_issues": 10, "full_listing_every": 1})",
       nullptr},
      {R"({"repos": ["acme/app"], "public_group": "everyone", "branch": "release/1"})", nullptr},
      {R"({})", "options.repos is required"},
      {R"({"repos": []})", "options.repos is required"},
      {R"({"repos": "acme/app"})", "options.repos must be"},
      {R"({"repos": ["acme"]})", "'acme' is not \"owner/name\""},
      {R"({"repos": ["acme/../x"]})", "is not \"owner/name\""},
      {R"({"repos": ["acme/a?b"]})", "is not \"owner/name\""},
      {R"({"repos": ["acme/app"], "files": "yes"})", "options.files must be a boolean"},
      {R"({"repos": ["acme/app"], "max_issues": 0})", "options.max_issues must be an integer"},
      {R"({"repos": ["acme/app"], "since_overlap_s": -5})", "options.since_overlap_s"},
      {R"({"repos": ["acme/app"], "public_group": "has space"})", "options.public_group"},
      {R"({"repos": ["acme/app"], "branch": "a b"})", "options.branch"},
      {R"({"repos": ["acme/app"], "token": "ghp_x"})", "options.token is not a github option"},
  };
  for (const OptionsCase& c : cases) {
    Result<Json> j = parseJson(c.json);
    ASSERT_TRUE(j.ok()) << c.json;
    Result<GithubOptions> o = parseGithubOptions(*j);
    if (c.error == nullptr) {
      EXPECT_TRUE(o.ok()) << c.json << ": " << o.status().message();
    } else {
      ASSERT_FALSE(o.ok()) << c.json;
      EXPECT_NE(o.status().message().find(c.error), std::string::npos)
          << c.json << ": " << o.status().message();
    }
  }
  GithubOptions d = *parseGithubOptions(*parseJson(R"({"repos": ["a/b"]})"));
  EXPECT_TRUE(d.files);
  EXPECT_TRUE(d.issues);
  EXPECT_FALSE(d.public_repos_public);
  EXPECT_EQ(d.max_issues, kGithubDefaultMaxIssues);
  EXPECT_EQ(d.full_listing_every, kGithubDefaultFullListingEvery);
}

TEST(GithubPayloadTest, NextLinkIsTheRelNextUrl) {
  EXPECT_EQ(nextLink(R"(<https://api.github.com/x?page=2>; rel="next", )"
                     R"(<https://api.github.com/x?page=9>; rel="last")"),
            "https://api.github.com/x?page=2");
  EXPECT_EQ(nextLink(R"(<https://a/x?page=1>; rel="prev", <https://a/x?page=3>; rel="next")"),
            "https://a/x?page=3");
  EXPECT_EQ(nextLink(R"(<https://a/x?page=1>; rel="first")"), "");
  EXPECT_EQ(nextLink(""), "");
  EXPECT_EQ(nextLink("<broken"), "");
}

TEST(GithubPayloadTest, GithubTimeIsSecondsUtc) {
  int64_t us = 0;
  ASSERT_TRUE(parseRfc3339("2026-12-07T02:03:04Z", &us));
  EXPECT_EQ(githubTime(us + 999'999), "2026-12-07T02:03:04Z");
}

TEST(GithubPayloadTest, IssueAndCommentsMakeOneDocument) {
  Json j = *parseJson(R"({"number": 7, "title": "Crash on save", "body": "Steps: ...",
      "state": "open", "user": {"login": "octo"}, "html_url": "https://github.com/a/b/pull/7",
      "updated_at": "2026-01-02T03:04:05Z", "comments": 2, "pull_request": {"url": "u"}})");
  Result<GithubIssue> i = parseGithubIssue(j);
  ASSERT_TRUE(i.ok()) << i.status().message();
  EXPECT_EQ(i->number, 7);
  EXPECT_TRUE(i->pull_request);
  EXPECT_EQ(i->updated, "2026-01-02T03:04:05Z");
  EXPECT_EQ(i->comments, 2);
  Result<std::vector<GithubComment>> c = parseGithubComments(*parseJson(
      R"([{"user": {"login": "hubot"}, "created_at": "2026-01-02T03:05:00Z", "body": "Same here"},
          {"user": null, "body": null}])"));
  ASSERT_TRUE(c.ok()) << c.status().message();
  ASSERT_EQ(c->size(), 2u);
  const std::string text = githubIssueText(*i, *c);
  EXPECT_EQ(
      text.rfind("# Crash on save\n\nPull request #7 (open), opened by octo\n\nSteps: ...", 0), 0u)
      << text;
  EXPECT_NE(text.find("**hubot** (2026-01-02T03:05:00Z):\n\nSame here"), std::string::npos);
  EXPECT_NE(text.find("**someone**"), std::string::npos);

  const char* bad[] = {
      R"({"title": "x", "html_url": "u", "updated_at": "2026-01-01T00:00:00Z"})",
      R"({"number": 1, "title": 42, "html_url": "u", "updated_at": "2026-01-01T00:00:00Z"})",
      R"({"number": 1, "title": "x", "html_url": "u", "updated_at": "yesterday"})",
      R"({"number": -1, "title": "x", "html_url": "u", "updated_at": "2026-01-01T00:00:00Z"})",
      R"([1, 2])",
  };
  for (const char* b : bad) EXPECT_FALSE(parseGithubIssue(*parseJson(b)).ok()) << b;
  EXPECT_FALSE(parseGithubComments(*parseJson(R"({"message": "x"})")).ok());
  // A repository's comments name their issue by issue_url.
  Result<std::vector<GithubComment>> repo = parseGithubComments(*parseJson(
      R"([{"body": "a", "issue_url": "https://api.github.com/repos/a/b/issues/12"},
          {"body": "b", "issue_url": "https://api.github.com/repos/a/b/issues/x"},
          {"body": "c"}])"));
  ASSERT_TRUE(repo.ok()) << repo.status().message();
  EXPECT_EQ((*repo)[0].issue, 12);
  EXPECT_EQ((*repo)[1].issue, 0);
  EXPECT_EQ((*repo)[2].issue, 0);
}

TEST(GithubPayloadTest, TreeEntriesAndBlobs) {
  Result<GithubTree> t = parseGithubTree(*parseJson(R"({"sha": "t", "truncated": true, "tree": [
      {"path": "docs", "mode": "040000", "type": "tree", "sha": "d"},
      {"path": "docs/a.md", "mode": "100644", "type": "blob", "sha": "s1", "size": 12},
      {"path": "link.md", "mode": "120000", "type": "blob", "sha": "s2", "size": 4},
      {"path": "vendor/lib", "mode": "160000", "type": "commit", "sha": "c"}]})"));
  ASSERT_TRUE(t.ok()) << t.status().message();
  EXPECT_TRUE(t->truncated);
  ASSERT_EQ(t->entries.size(), 3u);
  EXPECT_EQ(t->entries[0].path, "docs/a.md");
  EXPECT_EQ(t->entries[0].size, 12u);
  EXPECT_EQ(t->entries[1].kind, GithubEntryKind::kSymlink);
  EXPECT_EQ(t->entries[2].kind, GithubEntryKind::kSubmodule);
  EXPECT_FALSE(parseGithubTree(*parseJson(R"({"tree": [{"path": "x", "type": "tag",
      "sha": "s"}]})"))
                   .ok());
  EXPECT_FALSE(parseGithubTree(*parseJson(R"({"message": "Not Found"})")).ok());

  // GitHub breaks base64 into lines.
  Result<std::string> b =
      decodeGithubBlob(*parseJson(R"({"encoding": "base64", "content": "aGVs\nbG8=\n"})"));
  ASSERT_TRUE(b.ok()) << b.status().message();
  EXPECT_EQ(*b, "hello");
  EXPECT_FALSE(decodeGithubBlob(*parseJson(R"({"encoding": "base64", "content": "@@@"})")).ok());
  EXPECT_FALSE(decodeGithubBlob(*parseJson(R"({"encoding": "rot13", "content": "x"})")).ok());
}

TEST(GithubPayloadTest, CollaboratorsFailClosedOnPull) {
  Result<std::vector<GithubCollaborator>> c = parseGithubCollaborators(*parseJson(R"([
      {"login": "a", "permissions": {"pull": true}},
      {"login": "b", "permissions": {"pull": false}},
      {"login": "c"},
      {"login": "d", "email": "d@example.com", "permissions": {"pull": "yes"}}])"));
  ASSERT_TRUE(c.ok()) << c.status().message();
  ASSERT_EQ(c->size(), 4u);
  EXPECT_TRUE((*c)[0].pull);
  EXPECT_FALSE((*c)[1].pull);
  EXPECT_FALSE((*c)[2].pull);
  EXPECT_FALSE((*c)[3].pull);
  EXPECT_EQ((*c)[3].email, "d@example.com");
  EXPECT_FALSE(parseGithubCollaborators(*parseJson(R"([{"id": 1}])")).ok());
}

TEST(GithubPayloadTest, RepositoryAclTable) {
  GithubOptions closed;
  GithubOptions open;
  open.public_repos_public = true;
  GithubOptions grouped;
  grouped.public_group = "everyone";
  // Public repositories: public only when asked, else the group, else admins only.
  EXPECT_EQ(githubRepoAcl(false, closed, {"a"}, {"g"}), store::Acl{});
  EXPECT_TRUE(githubRepoAcl(false, open, {}, {}).is_public);
  EXPECT_EQ(githubRepoAcl(false, grouped, {}, {}).groups, std::vector<std::string>{"everyone"});
  // Private ones: their mapped collaborators and teams, never public.
  store::Acl priv = githubRepoAcl(true, open, {"bob", "alice", "bob"}, {"gh.team.x"});
  EXPECT_FALSE(priv.is_public);
  EXPECT_EQ(priv.users, (std::vector<std::string>{"alice", "bob"}));
  EXPECT_EQ(priv.groups, std::vector<std::string>{"gh.team.x"});
  EXPECT_EQ(githubRepoAcl(true, closed, {}, {}), store::Acl{});  // nobody mapped: admins only
  EXPECT_EQ(githubTeamGroup("gh", "release-team"), "gh.team.release-team");
  EXPECT_EQ(githubTeamGroup("gh", "bad slug"), "");
}

TEST(GithubStateTest, RoundTripsAndStartsOverOnGarbage) {
  const std::string path = ::testing::TempDir() + "/github_state_test.json";
  GithubState s;
  GithubRepoState& r = s.repos["acme/app"];
  r.listed = true;
  r.cursor_us = 1'700'000'000'000'000;
  r.passes_since_full = 3;
  r.issues[7] = GithubIssueEntry{"2026-01-02T03:04:05Z", 42};
  r.files["docs/a.md"] = "sha1";
  r.binary.insert("sha2");
  s.replies["/repos/acme/app"] = GithubCachedReply{"W/\"e\"", "{\"private\":true}", ""};
  ASSERT_TRUE(saveGithubState(path, s).ok());
  GithubState back = loadGithubState(path);
  ASSERT_EQ(back.repos.count("acme/app"), 1u);
  const GithubRepoState& b = back.repos["acme/app"];
  EXPECT_TRUE(b.listed);
  EXPECT_EQ(b.cursor_us, r.cursor_us);
  EXPECT_EQ(b.passes_since_full, 3);
  EXPECT_EQ(b.issues.at(7).version, "2026-01-02T03:04:05Z");
  EXPECT_EQ(b.files.at("docs/a.md"), "sha1");
  EXPECT_EQ(b.binary.count("sha2"), 1u);
  EXPECT_EQ(back.replies.at("/repos/acme/app").etag, "W/\"e\"");
  for (const char* garbage : {"not json", "{\"format\": 1, \"repos\": 5}", "{\"format\": 2}"}) {
    std::ofstream(path, std::ios::trunc) << garbage;
    EXPECT_TRUE(loadGithubState(path).repos.empty()) << garbage;
  }
  std::remove(path.c_str());
  EXPECT_TRUE(loadGithubState(path).repos.empty());
}

}  // namespace
}  // namespace ward::ingest
