// The redactor as its callers see it: placeholders and keyed hashes, keys on disk, JSON
// redaction, limits and files in a data dir.
#include <gtest/gtest.h>
#include <stdlib.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <thread>
#include <vector>

#include "ward/audit/redaction.h"

namespace ward::audit {
namespace {

class TempDir {
 public:
  TempDir() {
    const char* base = std::getenv("TMPDIR");
    std::string tmpl = std::string(base && *base ? base : "/tmp") + "/ward_redaction_XXXXXX";
    path_ = ::mkdtemp(tmpl.data()) ? tmpl : "";
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

std::unique_ptr<trace::Redactor> make(const std::string& key, size_t max_input = 4 << 20) {
  RedactorOptions options;
  options.key = key;
  options.max_input_bytes = max_input;
  auto r = loadRedactor(options);
  EXPECT_TRUE(r.ok()) << r.status().toString();
  return std::move(r).value();
}

const char kEmailA[] = "Contact jane.doe@example.com today";

TEST(Redaction, PlaceholderFormat) {
  std::string p = redactionPlaceholder(std::string(32, 'k'), "email", "jane.doe@example.com");
  ASSERT_EQ(p.size(), std::string("[REDACTED:email:]").size() + 12);
  EXPECT_EQ(p.rfind("[REDACTED:email:", 0), 0u);
  EXPECT_EQ(p.find_first_not_of("0123456789abcdef", 16), p.size() - 1);
}

TEST(Redaction, EqualValuesLinkDifferentKeysDoNot) {
  auto a = make(std::string(32, 'a'));
  auto b = make(std::string(32, 'b'));
  std::string one = a->redactText(kEmailA);
  std::string two = a->redactText("Reply to jane.doe@example.com please");
  std::string other = a->redactText("Contact john.roe@example.com today");
  std::string keyed = b->redactText(kEmailA);
  auto placeholderOf = [](const std::string& s) {
    size_t at = s.find("[REDACTED:");
    return at == std::string::npos ? std::string() : s.substr(at, s.find(']', at) - at + 1);
  };
  EXPECT_FALSE(placeholderOf(one).empty()) << one;
  EXPECT_EQ(placeholderOf(one), placeholderOf(two));
  EXPECT_NE(placeholderOf(one), placeholderOf(other));
  EXPECT_NE(placeholderOf(one), placeholderOf(keyed));
}

TEST(Redaction, StatsCountByType) {
  auto r = make(std::string(32, 'k'));
  trace::RedactionStats stats;
  r->redactText("a@example.com b@example.com key AKIAABCDEFGHIJKLMNOP", &stats);
  EXPECT_EQ(stats.values_redacted, 3);
  EXPECT_EQ(stats.by_type["email"], 2);
  EXPECT_EQ(stats.by_type["aws_access_key"], 1);
}

TEST(Redaction, CleanTextIsUnchanged) {
  auto r = make(std::string(32, 'k'));
  std::string text = "Listed 3 files in /srv/app, build 1.4.2 passed in 12.5 s";
  EXPECT_EQ(r->redactText(text), text);
}

TEST(Redaction, AdjacentSecretsSharingABoundary) {
  auto r = make(std::string(32, 'k'));
  std::string out = r->redactText("a@example.com,b@example.com 4111111111111111 4111111111111111");
  EXPECT_EQ(out.find("example.com"), std::string::npos) << out;
  EXPECT_EQ(out.find("4111"), std::string::npos) << out;
}

TEST(Redaction, OversizedStringIsReplacedWhole) {
  auto r = make(std::string(32, 'k'), 64);
  trace::RedactionStats stats;
  std::string out = r->redactText(std::string(100, 'x'), &stats);
  EXPECT_EQ(out.rfind("[REDACTED:oversized:", 0), 0u);
  EXPECT_EQ(stats.by_type["oversized"], 1);
}

TEST(Redaction, InvalidUtf8DoesNotStopRules) {
  auto r = make(std::string(32, 'k'));
  std::string text = "\xff\xfe bad bytes then jane@example.com \xc3";
  std::string out = r->redactText(text);
  EXPECT_EQ(out.find("jane@example.com"), std::string::npos);
}

TEST(RedactionJson, SecretKeysStringsKeysAndNumbers) {
  auto r = make(std::string(32, 'k'));
  Json doc = Json::parse(R"({
    "tool": "db.query",
    "arguments": {"password": "hunter2", "Api-Key": 12345, "DB_PASSWORD": {"a": 1},
                  "max_tokens": 1024, "token_type": "Bearer", "enabled": true,
                  "note": "mail jane@example.com", "card": 4111111111111111},
    "result": [{"rows": ["ok", "AKIAABCDEFGHIJKLMNOP"]}],
    "by_user": {"bob@example.com": 3},
    "password": null
  })");
  trace::RedactionStats stats;
  r->redactJson(doc, &stats);
  std::string dumped = doc.dump();
  for (const char* gone : {"hunter2", "12345", "jane@example.com", "AKIAABCDEFGHIJKLMNOP",
                           "bob@example.com", "4111111111111111"}) {
    EXPECT_EQ(dumped.find(gone), std::string::npos) << gone << " in " << dumped;
  }
  const Json& args = doc["arguments"];
  EXPECT_EQ(args["password"].get<std::string>().rfind("[REDACTED:secret_field:", 0), 0u);
  EXPECT_EQ(args["DB_PASSWORD"].get<std::string>().rfind("[REDACTED:secret_field:", 0), 0u);
  EXPECT_EQ(args["max_tokens"], 1024);  // not a secret key: "tokens" is a count
  EXPECT_EQ(args["token_type"], "Bearer");
  EXPECT_EQ(args["enabled"], true);
  EXPECT_EQ(args["card"].get<std::string>().rfind("[REDACTED:card_number:", 0), 0u);
  EXPECT_EQ(doc["tool"], "db.query");
  EXPECT_TRUE(doc["password"].is_null());
  EXPECT_EQ(doc["by_user"].size(), 1u);
  EXPECT_EQ(stats.by_type["secret_field"], 3);
  EXPECT_EQ(stats.by_type["email"], 2);
}

TEST(RedactionJson, DeepNestingDoesNotRecurse) {
  auto r = make(std::string(32, 'k'));
  Json doc = "jane@example.com";
  for (int i = 0; i < 20000; ++i) doc = Json::array({std::move(doc)});
  r->redactJson(doc);
  // Walk down without recursion (dump() would recurse 20,000 levels).
  const Json* p = &doc;
  while (p->is_array()) p = &(*p)[0];
  ASSERT_TRUE(p->is_string());
  EXPECT_EQ(p->get<std::string>().find("jane@example.com"), std::string::npos);
  EXPECT_NE(p->get<std::string>().find("REDACTED"), std::string::npos) << p->get<std::string>();
}

// Ward's own SHA-256 digests (`cassette`, keys ending in `sha256`, 64 lowercase hex) are not
// scanned: here a tenant rule that would redact any 64-hex string leaves them alone, but still
// redacts the same string under another key, and a non-digest value under a digest key.
TEST(RedactionJson, WardDigestsAreNotScanned) {
  RedactorOptions options;
  options.key = std::string(32, 'k');
  options.overlays.push_back({"tenant.toml", R"(version = 1
[[rule]]
id = "hex64"
type = "hex64"
pattern = '\b([0-9a-f]{64})\b'
group = 1
)"});
  auto r = loadRedactor(options);
  ASSERT_TRUE(r.ok()) << r.status().toString();
  const std::string hex(64, 'a');
  Json doc = {{"attempts", Json::array({{{"cassette", hex}}})},
              {"client_sha256", hex},
              {"prompt", {{"sha256", hex}}},
              {"note", hex},
              {"result_sha256", "password=hunter2 " + hex},
              {"sha256", "AAAA" + hex.substr(4)}};
  (*r)->redactJson(doc);
  EXPECT_EQ(doc["attempts"][0]["cassette"], hex);
  EXPECT_EQ(doc["client_sha256"], hex);
  EXPECT_EQ(doc["prompt"]["sha256"], hex);
  EXPECT_EQ(doc["note"].get<std::string>().rfind("[REDACTED:hex64:", 0), 0u) << doc.dump();
  EXPECT_EQ(doc["result_sha256"].get<std::string>().find("hunter2"), std::string::npos);
  EXPECT_EQ(doc["sha256"], "AAAA" + hex.substr(4));  // not lowercase hex: scanned, and clean
}

// Short clean strings (keys, names) are memoized after a clean scan; a memoized string never
// stops a secret from being found, in the same value or beside it, on any later call and from
// any thread.
TEST(RedactionJson, MemoizedCleanStringsNeverHideASecret) {
  auto r = make(std::string(32, 'k'));
  const Json clean = {{"provider", "openai"}, {"model", "bench"}, {"note", "hello"}};
  for (int i = 0; i < 3; ++i) {
    Json copy = clean;
    r->redactJson(copy);
    EXPECT_EQ(copy, clean);
  }
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&r, t] {
      for (int i = 0; i < 50; ++i) {
        Json doc = {{"provider", "openai"},
                    {"model", "bench"},
                    {"note", "hello jane" + std::to_string(t) + "@example.com"},
                    {"hello", "x@example.org"}};
        r->redactJson(doc);
        const std::string dumped = doc.dump();
        EXPECT_EQ(dumped.find("@example.com"), std::string::npos) << dumped;
        EXPECT_EQ(dumped.find("x@example.org"), std::string::npos) << dumped;
        EXPECT_NE(dumped.find("\"provider\":\"openai\""), std::string::npos) << dumped;
      }
    });
  }
  for (std::thread& th : threads) th.join();
  // A short secret on its own (under a clean, memoized key) is still found.
  Json alone = {{"note", "jo@example.com"}};
  r->redactJson(alone);
  EXPECT_EQ(alone["note"].get<std::string>().rfind("[REDACTED:email:", 0), 0u) << alone.dump();
}

TEST(RedactionKey, CreatedOnceWithMode0600) {
  TempDir dir;
  std::string path = dir.path() + "/redaction/default.key";
  auto k1 = loadOrCreateRedactionKey(path);
  ASSERT_TRUE(k1.ok()) << k1.status().toString();
  EXPECT_EQ(k1->size(), kRedactionKeyBytes);
  struct stat st {};
  ASSERT_EQ(::stat(path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  auto k2 = loadOrCreateRedactionKey(path);
  ASSERT_TRUE(k2.ok());
  EXPECT_EQ(*k1, *k2);
}

TEST(RedactionKey, ConcurrentCreatorsAgree) {
  TempDir dir;
  std::string path = dir.path() + "/k.key";
  std::string a, b;
  std::thread t1([&] { a = loadOrCreateRedactionKey(path).value(); });
  std::thread t2([&] { b = loadOrCreateRedactionKey(path).value(); });
  t1.join();
  t2.join();
  EXPECT_EQ(a, b);
}

TEST(RedactionKey, BadFilesAreErrors) {
  TempDir dir;
  std::string shortk = dir.path() + "/short.key";
  std::ofstream(shortk) << "abc";
  ::chmod(shortk.c_str(), 0600);
  EXPECT_EQ(loadOrCreateRedactionKey(shortk).status().code(), StatusCode::kCorruption);
  std::string open = dir.path() + "/open.key";
  std::ofstream(open) << std::string(32, 'x');
  ::chmod(open.c_str(), 0644);
  EXPECT_EQ(loadOrCreateRedactionKey(open).status().code(), StatusCode::kFailedPrecondition);
  RedactorOptions options;
  options.key = "short";
  EXPECT_EQ(loadRedactor(options).status().code(), StatusCode::kInvalidArgument);
}

TEST(RedactionTenant, DataDirFiles) {
  TempDir dir;
  std::filesystem::create_directories(dir.path() + "/redaction");
  std::ofstream(redactionRulesPath(dir.path(), "acme")) << "version = 1\ndisable = [\"email\"]\n";
  auto acme = loadTenantRedactor(dir.path(), "acme");
  ASSERT_TRUE(acme.ok()) << acme.status().toString();
  EXPECT_EQ((*acme)->redactText(kEmailA), kEmailA);
  auto other = loadTenantRedactor(dir.path(), "other");  // no rule file: the defaults
  ASSERT_TRUE(other.ok());
  EXPECT_NE((*other)->redactText(kEmailA), kEmailA);
  EXPECT_TRUE(std::filesystem::exists(redactionKeyPath(dir.path(), "other")));

  std::ofstream(redactionRulesPath(dir.path(), "broken")) << "version = 1\n[[rule]]\nid = \"x\"\n";
  auto broken = loadTenantRedactor(dir.path(), "broken");
  ASSERT_FALSE(broken.ok());
  EXPECT_NE(broken.status().message().find("broken.toml: rule 'x' (#1): missing 'type'"),
            std::string::npos)
      << broken.status().message();
}

TEST(RedactionTenant, TheDefaultsCompiledMeanwhileRedactAsTheSynchronousBuildDoes) {
  // Without a rule file the tenant's redactor is built on its own thread; the first calls, from
  // several threads at once, wait for it and get what a redactor built at once gives.
  TempDir dir;
  auto deferred = loadTenantRedactor(dir.path(), "plain");
  ASSERT_TRUE(deferred.ok()) << deferred.status().toString();
  auto key = loadOrCreateRedactionKey(redactionKeyPath(dir.path(), "plain"));
  ASSERT_TRUE(key.ok());
  RedactorOptions options;
  options.key = *key;
  auto direct = loadRedactor(options);
  ASSERT_TRUE(direct.ok()) << direct.status().toString();
  const std::string text = std::string("mail ") + kEmailA + " and AKIAIOSFODNN7EXAMPLE here";
  const std::string expected = (*direct)->redactText(text);
  ASSERT_NE(expected, text);
  std::vector<std::string> got(4);
  std::vector<std::thread> threads;
  for (size_t i = 0; i < got.size(); ++i) {
    threads.emplace_back([&, i] { got[i] = (*deferred)->redactText(text); });
  }
  for (auto& t : threads) t.join();
  for (const auto& g : got) EXPECT_EQ(g, expected);
  Json doc = {{"note", text}, {"password", "hunter2"}};
  Json want = doc;
  (*direct)->redactJson(want);
  (*deferred)->redactJson(doc);
  EXPECT_EQ(doc, want);
  // A redactor dropped before its first call waits for its build, then goes.
  auto unused = loadTenantRedactor(dir.path(), "plain");
  ASSERT_TRUE(unused.ok());
  unused->reset();
}

}  // namespace
}  // namespace ward::audit
