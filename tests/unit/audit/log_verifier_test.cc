// audit: `verifyAuditLog` finds a changed, removed, inserted or reordered record, a log rewritten
// from scratch (CRCs and chain recomputed) through its signed checkpoints, and truncation.
#include "ward/audit/log_verifier.h"

#include <gtest/gtest.h>

#include "ward/audit/audit_log.h"
#include "ward/io/mem_file_system.h"

namespace ward::audit {
namespace {

constexpr const char* kDir = "/data/audit";
constexpr const char* kSegment = "/data/audit/log/00000000000000000000.wal";

uint32_t bodyLen(const std::string& s, size_t at) {
  uint32_t v = 0;
  for (int i = 3; i >= 0; --i) v = v << 8 | static_cast<uint8_t>(s[at + i]);
  return v;
}

// The segment header: magic, first index, prev hash, frontier count and hashes, CRC.
size_t headerSize(const std::string& seg) { return 49 + 32 * static_cast<uint8_t>(seg[48]) + 4; }

// The raw records of a segment (after its header).
std::vector<std::string> splitRecords(const std::string& seg) {
  std::vector<std::string> out;
  size_t at = headerSize(seg);
  while (at < seg.size()) {
    size_t n = 84 + bodyLen(seg, at);
    out.push_back(seg.substr(at, n));
    at += n;
  }
  return out;
}

std::string joinRecords(const std::string& header, const std::vector<std::string>& records) {
  std::string s = header;
  for (const auto& r : records) s += r;
  return s;
}

class LogVerifierTest : public ::testing::Test {
 protected:
  void SetUp() override { write(fs_.get(), kDir, "event"); }

  static void write(io::FileSystem* fs, const std::string& dir, const std::string& word) {
    AuditLogOptions o;
    o.dir = dir;
    o.fs = fs;
    o.checkpoint_records = 4;
    auto log = AuditLog::open(o);
    ASSERT_TRUE(log.ok()) << log.status().toString();
    for (int i = 0; i < 10; ++i) {
      ASSERT_TRUE((*log)->append("{\"" + word + "\":" + std::to_string(i) + "}").ok());
    }
  }
  Result<VerifyReport> verify() {
    VerifyOptions v;
    v.fs = fs_.get();
    v.dir = kDir;
    return verifyAuditLog(v);
  }
  std::vector<std::string> records() { return splitRecords(*io::readFile(*fs_, kSegment)); }
  void setRecords(const std::vector<std::string>& r) {
    std::string seg = *io::readFile(*fs_, kSegment);
    ASSERT_TRUE(
        io::writeFileAtomic(*fs_, kSegment, joinRecords(seg.substr(0, headerSize(seg)), r)).ok());
  }
  void expectCorruption(const std::string& needle) {
    auto r = verify();
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.status().code(), StatusCode::kCorruption);
    EXPECT_NE(r.status().message().find(needle), std::string::npos) << r.status().message();
  }

  std::unique_ptr<io::FileSystem> fs_ = io::newMemFileSystem();
};

TEST_F(LogVerifierTest, IntactLogVerifies) {
  auto r = verify();
  ASSERT_TRUE(r.ok()) << r.status().toString();
  EXPECT_EQ(r->records, 10u);
  EXPECT_EQ(r->checkpoints, 3u);  // at 4, 8 and 10 (on close)
  int seen = 0;
  ASSERT_TRUE(forEachAuditRecord(*fs_, kDir, [&](uint64_t i, std::string_view body) {
                EXPECT_EQ(body, "{\"event\":" + std::to_string(i) + "}");
                ++seen;
                return Status();
              }).ok());
  EXPECT_EQ(seen, 10);
}

TEST_F(LogVerifierTest, ChangedRecord) {
  auto r = records();
  r[3][r[3].size() - 2] = '9';
  setRecords(r);
  expectCorruption("record 3");
}

TEST_F(LogVerifierTest, RemovedRecord) {
  auto r = records();
  r.erase(r.begin() + 4);
  setRecords(r);
  expectCorruption("record 4");
}

TEST_F(LogVerifierTest, InsertedRecord) {
  auto r = records();
  r.insert(r.begin() + 6, r[2]);
  setRecords(r);
  expectCorruption("record 6");
}

TEST_F(LogVerifierTest, ReorderedRecords) {
  auto r = records();
  std::swap(r[5], r[7]);
  setRecords(r);
  expectCorruption("record 5");
}

TEST_F(LogVerifierTest, RewrittenLogIsCaughtBySignedCheckpoints) {
  // A forger rewrites every record with valid CRCs and chain, but cannot sign new checkpoints.
  auto other = io::newMemFileSystem();
  write(other.get(), kDir, "forged");
  ASSERT_TRUE(io::writeFileAtomic(*fs_, kSegment, *io::readFile(*other, kSegment)).ok());
  expectCorruption("records 0..3");
}

TEST_F(LogVerifierTest, TruncatedLogIsCaught) {
  auto r = records();
  r.resize(9);
  setRecords(r);
  // Cutting whole records at the end leaves a valid chain; the checkpoint at 10 catches it.
  expectCorruption("records from 9 on were removed");
}

TEST_F(LogVerifierTest, ExternalCheckpointsWithTheirOwnKey) {
  auto verifier = loadAuditVerifier(*fs_, kDir);
  ASSERT_TRUE(verifier.ok());
  auto cps = readCheckpointFile(*fs_, auditCheckpointsPath(kDir));
  ASSERT_TRUE(cps.ok());
  std::string text = dumpJson(exportCheckpoints(*cps, *verifier));
  auto ext = parseExternalCheckpoints(text);
  ASSERT_TRUE(ext.ok()) << ext.status().toString();
  EXPECT_EQ(ext->checkpoints.size(), 3u);
  VerifyOptions v;
  v.fs = fs_.get();
  v.dir = kDir;
  v.external = *ext;
  auto r = verifyAuditLog(v);
  ASSERT_TRUE(r.ok()) << r.status().toString();
  EXPECT_EQ(r->checkpoints, 6u);
  // A checkpoint under another key is refused.
  auto other = io::newMemFileSystem();
  write(other.get(), kDir, "x");
  auto foreign = readCheckpointFile(*other, auditCheckpointsPath(kDir));
  v.external = ExternalCheckpoints{{foreign->front()}, ""};
  EXPECT_EQ(verifyAuditLog(v).status().code(), StatusCode::kCorruption);
  // A single checkpoint object parses too.
  auto one = parseExternalCheckpoints(dumpJson(cps->front().toJson()));
  ASSERT_TRUE(one.ok());
  EXPECT_EQ(one->checkpoints.size(), 1u);
  EXPECT_FALSE(parseExternalCheckpoints("{\"tree_size\":-1}").ok());
}

}  // namespace
}  // namespace ward::audit
