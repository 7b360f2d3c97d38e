// audit: model-call cassettes stored apart, content-addressed and sealed under the subject's
// keys (docs/formats/cassette-store.md): erasing the subject, or retention destroying the day,
// leaves the cassette unreadable; a file that does not match its name is Corruption.
#include "ward/audit/cassette_store.h"

#include <gtest/gtest.h>

#include "ward/common/clock.h"
#include "ward/io/mem_file_system.h"

namespace ward::audit {
namespace {

const std::string kKeys = "/data/audit/keys";
const std::string kDir = "/data/cassettes";

Json sample(const std::string& text) {
  return Json{{"format", "ward-cassette/v1"}, {"response_b64", text}, {"status", 200}};
}

TEST(CassetteStore, SealedRoundTripAndErasureShreds) {
  auto fs = io::newMemFileSystem();
  auto keys = std::move(SubjectKeyStore::open(*fs, kKeys, false).value());
  CassetteStore store(kDir, fs.get(), keys.get());
  const int64_t now = SystemClock::instance().nowMicros();
  auto a = store.put("acme", "alice", now, sample("aGVsbG8"));
  ASSERT_TRUE(a.ok()) << a.status().toString();
  auto b = store.put("acme", "bob", now, sample("b3RoZXI"));
  ASSERT_TRUE(b.ok());
  // Sealed on disk: the content is not in the file.
  auto raw = io::readFile(*fs, kDir + "/acme/" + *a + ".json");
  ASSERT_TRUE(raw.ok());
  EXPECT_EQ(raw->find("aGVsbG8"), std::string::npos);
  EXPECT_NE(raw->find("\"sealed\""), std::string::npos);

  auto got = store.get("acme", *a);
  ASSERT_TRUE(got.ok()) << got.status().toString();
  EXPECT_FALSE(got->erased);
  EXPECT_EQ(got->cassette, sample("aGVsbG8"));
  EXPECT_EQ(store.get("other", *a).status().code(), StatusCode::kNotFound);
  EXPECT_EQ(store.get("acme", "nothex").status().code(), StatusCode::kInvalidArgument);

  ASSERT_TRUE(keys->destroySubject("acme", "alice").ok());
  got = store.get("acme", *a);
  ASSERT_TRUE(got.ok()) << got.status().toString();
  EXPECT_TRUE(got->erased);
  EXPECT_TRUE(got->cassette.is_null());
  EXPECT_FALSE(store.get("acme", *b)->erased);  // another subject's cassette stays readable
}

TEST(CassetteStore, UnsealedWithoutKeysAndChecksummed) {
  auto fs = io::newMemFileSystem();
  CassetteStore store(kDir, fs.get(), nullptr);
  auto a = store.put("acme", "alice", 1, sample("eA"));
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(store.get("acme", *a)->cassette, sample("eA"));
  const std::string path = kDir + "/acme/" + *a + ".json";
  std::string text = io::readFile(*fs, path).value();
  text.replace(text.find("eA"), 2, "eB");
  ASSERT_TRUE(io::writeFileAtomic(*fs, path, text, 0600).ok());
  EXPECT_EQ(store.get("acme", *a).status().code(), StatusCode::kCorruption);
}

TEST(CassetteStore, OverTheLimitIsRefused) {
  auto fs = io::newMemFileSystem();
  CassetteStore store(kDir, fs.get(), nullptr);
  auto r = store.put("acme", "alice", 1, sample(std::string(kMaxCassetteFileBytes, 'x')));
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace ward::audit
