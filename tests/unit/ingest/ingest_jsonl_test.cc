// IngestService::ingestJsonlFile and ingestRecords: lines and records are parsed and chunked on
// worker threads (docs/design/ingest.md, "Service flow"), yet writes, results and problems keep
// the input's order.
#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>

#include "testutil/test_env.h"

namespace ward::testing {
namespace {

TEST(IngestJsonl, ManyBatchesKeepTheFilesOrderOfWritesAndProblems) {
  TempDir tmp;
  auto ward = WardInstance::open(tmp.file("data"));
  const std::string path = tmp.file("corpus.jsonl");
  // 1,300 lines: three batches of 512 documents; bad lines in each batch.
  std::vector<int> bad = {3, 700, 1100, 1299};
  {
    std::ofstream out(path);
    for (int i = 1; i <= 1300; ++i) {
      if (i == 3) {
        out << "{not json\n";
      } else if (i == 700) {
        out << R"({"id": "a", "_id": "b", "text": "both ids"})"
            << "\n";
      } else if (i == 1100) {
        out << R"({"id": "r1100", "text": 5})"
            << "\n";
      } else if (i == 1299) {
        out << R"({"id": "r1299", "text": "x", "acl": {"owner": "me"}})"
            << "\n";
      } else if (i == 10) {
        out << "   \n";  // blank: not an item
      } else {
        out << R"({"_id": "r)" << i << R"(", "title": "Record )" << i << R"(", "text": "Zebra )"
            << i << R"( crossing. Another sentence.", "lang": "en"})"
            << "\n";
      }
    }
  }
  ingest::JsonlIngestOptions o;
  o.unknown_fields = ingest::UnknownFields::kToMetadata;
  auto r = ward->ingest->ingestJsonlFile(ward->tenant, path, o, nullptr);
  ASSERT_TRUE(r.ok()) << r.status().toString();
  EXPECT_EQ(r->items_seen, 1299);
  EXPECT_EQ(r->created, 1295);
  EXPECT_EQ(r->skipped, 4);
  ASSERT_EQ(r->problems.size(), bad.size());
  for (size_t i = 0; i < bad.size(); ++i) {
    EXPECT_EQ(r->problems[i].item, path + ":" + std::to_string(bad[i]));
  }
  EXPECT_NE(r->problems[1].message.find("'id' and '_id' both given"), std::string::npos);
  EXPECT_EQ(r->moved_to_metadata["lang"], 1295);
  // Results are in line order: the store numbers documents as they are written.
  ASSERT_EQ(r->results.size(), 1295u);
  std::vector<int> lines;
  for (int i = 1; i <= 1300; ++i) {
    if (i != 10 && std::find(bad.begin(), bad.end(), i) == bad.end()) lines.push_back(i);
  }
  for (size_t i = 0; i < r->results.size(); ++i) {
    auto d = ward->store->getDocument(ward->tenant, "r" + std::to_string(lines[i]));
    ASSERT_TRUE(d.ok()) << lines[i];
    EXPECT_EQ(d->id, r->results[i].doc_id) << "line " << lines[i];
    EXPECT_EQ(d->title, "Record " + std::to_string(lines[i]));
    EXPECT_EQ(d->metadata.value("lang", ""), "en");
  }
  auto hits = ward->store->chunksOf(ward->store->getDocument(ward->tenant, "r1298")->id);
  ASSERT_TRUE(hits.ok());
  ASSERT_FALSE(hits->empty());
  EXPECT_NE(hits->front().text.find("Zebra 1298 crossing"), std::string::npos);
}

// The HTTP push is all-or-nothing: the first bad record in order names the request's error, even
// though records are converted on several threads.
TEST(IngestRecords, TheFirstBadRecordInOrderFailsTheRequestAndNothingIsWritten) {
  TempDir tmp;
  auto ward = WardInstance::open(tmp.file("data"));
  Json records = Json::array();
  for (int i = 0; i < 40; ++i) {
    Json r = {{"id", "p" + std::to_string(i)}, {"text", "Record " + std::to_string(i) + "."}};
    if (i == 17) r["text"] = 3;
    if (i == 31) r.erase("id");
    records.push_back(r);
  }
  auto bad = ward->ingest->ingestRecords(ward->tenant, records, "push",
                                         trace::TraceContext::generate(), "admin");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().message().rfind("records[17]: ", 0), 0u) << bad.status().message();
  EXPECT_FALSE(ward->store->getDocument(ward->tenant, "p0").ok());
  records[17]["text"] = "fixed";
  records[31]["id"] = "p31";
  auto ok = ward->ingest->ingestRecords(ward->tenant, records, "push",
                                        trace::TraceContext::generate(), "admin");
  ASSERT_TRUE(ok.ok()) << ok.status().toString();
  ASSERT_EQ(ok->results.size(), 40u);
  for (int i = 0; i < 40; ++i) {
    auto d = ward->store->getDocument(ward->tenant, "p" + std::to_string(i));
    ASSERT_TRUE(d.ok());
    EXPECT_EQ(d->id, ok->results[i].doc_id);
  }
}

}  // namespace
}  // namespace ward::testing
