#include "ward/ingest/chunker.h"

#include <gtest/gtest.h>

#include <cctype>
#include <chrono>
#include <cstdio>

#include "ward/ingest/parser.h"

namespace ward::ingest {
namespace {

ExtractedDocument extract(std::string_view format, std::string_view bytes,
                          std::string_view filename = "f") {
  auto r = extractDocument(format, bytes, filename);
  EXPECT_TRUE(r.ok()) << r.status().message();
  return r.ok() ? std::move(r).value() : ExtractedDocument();
}

size_t tokens(std::string_view s) {
  size_t n = 0;
  bool in = false;
  for (char c : s) {
    bool w = std::isalnum(static_cast<unsigned char>(c)) || static_cast<unsigned char>(c) >= 0x80;
    if (w && !in) ++n;
    in = w;
  }
  return n;
}

// Code-point offset -> byte offset.
size_t byteAt(std::string_view text, size_t cp) {
  size_t seen = 0;
  for (size_t i = 0; i < text.size(); ++i) {
    if ((static_cast<unsigned char>(text[i]) & 0xC0) != 0x80) {
      if (seen == cp) return i;
      ++seen;
    }
  }
  return text.size();
}

// Spans lie in the text, chunks come in order and prose chunk text is its span.
void expectSpansValid(const ExtractedDocument& d, const std::vector<Chunk>& chunks) {
  size_t cps = 0;
  for (char c : d.text) cps += (static_cast<unsigned char>(c) & 0xC0) != 0x80;
  size_t last = 0;
  for (const auto& c : chunks) {
    EXPECT_LE(c.span_start, c.span_end);
    EXPECT_LE(c.span_end, cps);
    EXPECT_LE(last, c.span_start);
    last = c.span_end;
    EXPECT_FALSE(c.text.empty());
    if (c.kind == "text" || c.kind == "clause" || c.kind == "code") {
      size_t a = byteAt(d.text, c.span_start);
      size_t b = byteAt(d.text, c.span_end);
      EXPECT_EQ(c.text, d.text.substr(a, b - a));
    }
  }
}

TEST(ChunkerTest, EmptyDocumentGivesNoChunks) {
  EXPECT_TRUE(chunkDocument(ExtractedDocument(), ChunkOptions()).empty());
  auto d = extract("text", "\n\n  \n", "e.txt");
  EXPECT_TRUE(chunkDocument(d, ChunkOptions()).empty());
}

TEST(ChunkerTest, HeadingsStartChunksAndCarryPaths) {
  auto d = extract("markdown",
                   "# Handbook\n\nWelcome.\n\n## Leave\n\n### Parental\n\nSixteen weeks.\n\n"
                   "### Sick\n\nTen days.\n\n## Empty section\n\n# Other\n\nMore.\n",
                   "h.md");
  auto chunks = chunkDocument(d, ChunkOptions());
  expectSpansValid(d, chunks);
  ASSERT_EQ(chunks.size(), 5u);
  EXPECT_EQ(chunks[0].text, "Handbook\n\nWelcome.");
  EXPECT_EQ(chunks[0].heading_path, "Handbook");
  EXPECT_EQ(chunks[1].text, "Leave\n\nParental\n\nSixteen weeks.");
  EXPECT_EQ(chunks[1].heading_path, "Handbook > Leave > Parental");
  EXPECT_EQ(chunks[2].text, "Sick\n\nTen days.");
  EXPECT_EQ(chunks[2].heading_path, "Handbook > Leave > Sick");
  EXPECT_EQ(chunks[3].text, "Empty section");
  EXPECT_EQ(chunks[3].heading_path, "Handbook > Empty section");
  EXPECT_EQ(chunks[4].heading_path, "Other");
  for (const auto& c : chunks) EXPECT_EQ(c.kind, "text");
}

TEST(ChunkerTest, SpansAreCodePoints) {
  auto d =
      extract("text", "\xC3\xA9t\xC3\xA9 \xE2\x82\xAC.\n\nSecond \xF0\x9F\x98\x80 para.", "u.txt");
  ChunkOptions o;
  o.target_tokens = 2;
  o.max_tokens = 4;
  auto chunks = chunkDocument(d, o);
  expectSpansValid(d, chunks);
  ASSERT_EQ(chunks.size(), 2u);
  EXPECT_EQ(chunks[0].span_start, 0u);
  EXPECT_EQ(chunks[0].span_end, 6u);
  EXPECT_EQ(chunks[1].span_start, 8u);
  EXPECT_EQ(chunks[1].text, "Second \xF0\x9F\x98\x80 para.");
}

TEST(ChunkerTest, TargetSizeAndSentenceBoundaries) {
  std::string text;
  for (int i = 0; i < 200; ++i) {
    text += "Sentence number " + std::to_string(i) + " has exactly seven words. ";
    if (i % 17 == 16) text += "\n\n";
  }
  auto d = extract("text", text, "p.txt");
  ChunkOptions o;
  o.target_tokens = 50;
  o.max_tokens = 80;
  auto chunks = chunkDocument(d, o);
  expectSpansValid(d, chunks);
  ASSERT_GT(chunks.size(), 20u);
  for (const auto& c : chunks) {
    EXPECT_LE(tokens(c.text), 50u) << c.text;
    if (&c != &chunks.back()) {
      EXPECT_GE(tokens(c.text), 30u) << c.text;
    }
    EXPECT_EQ(c.text.rfind("Sentence number", 0), 0u) << c.text;
    EXPECT_EQ(c.text.back(), '.') << c.text;
  }
}

TEST(ChunkerTest, OverlongSentenceIsCutAtWords) {
  std::string text = "Short one. ";
  for (int i = 0; i < 300; ++i) text += "word" + std::to_string(i) + " ";
  text += "end.";
  auto d = extract("text", text, "l.txt");
  ChunkOptions o;
  o.target_tokens = 40;
  o.max_tokens = 60;
  auto chunks = chunkDocument(d, o);
  expectSpansValid(d, chunks);
  ASSERT_GE(chunks.size(), 8u);
  EXPECT_EQ(chunks[0].text, "Short one.");
  for (const auto& c : chunks) {
    EXPECT_LE(tokens(c.text), 60u);
    EXPECT_TRUE(c.text.rfind("word", 0) == 0 || c.text == "Short one.") << c.text;
  }
}

TEST(ChunkerTest, NoChunkStraddlesPages) {
  ExtractedDocument d;
  d.text = "Page one text. More.\n\nPage two text. More.\n\nStill two.";
  Block a;
  a.start = 0;
  a.end = 20;
  a.page = 1;
  Block b;
  b.start = 22;
  b.end = 42;
  b.page = 2;
  Block c;
  c.start = 44;
  c.end = d.text.size();
  c.page = 2;
  d.blocks = {a, b, c};
  auto chunks = chunkDocument(d, ChunkOptions());
  expectSpansValid(d, chunks);
  ASSERT_EQ(chunks.size(), 2u);
  EXPECT_EQ(chunks[0].page, 1);
  EXPECT_EQ(chunks[0].text, "Page one text. More.");
  EXPECT_EQ(chunks[1].page, 2);
  EXPECT_EQ(chunks[1].text, "Page two text. More.\n\nStill two.");
}

TEST(ChunkerTest, PdfPagesAreKept) {
  ExtractedDocument d;
  d.text = "A.\n\nB.";
  d.blocks.resize(2);
  d.blocks[0] = {Block::Kind::kClause, 0, 2, 1, 0, {}, {}, {}, "1"};
  d.blocks[1] = {Block::Kind::kClause, 4, 6, 2, 0, {}, {}, {}, "1"};
  auto chunks = chunkDocument(d, ChunkOptions());
  ASSERT_EQ(chunks.size(), 2u);
  EXPECT_EQ(chunks[1].page, 2);
  EXPECT_EQ(chunks[1].kind, "clause");
}

TEST(ChunkerTest, SmallTableStaysWholeLargeTableRepeatsHeader) {
  auto small = extract("markdown", "# T\n\n| a | b |\n|---|---|\n| 1 | 2 |\n", "t.md");
  auto sc = chunkDocument(small, ChunkOptions());
  ASSERT_EQ(sc.size(), 1u);
  EXPECT_EQ(sc[0].kind, "table");
  EXPECT_EQ(sc[0].text, "T\n\na | b\n1 | 2");
  EXPECT_EQ(sc[0].heading_path, "T");

  std::string csv = "id,name\n";
  for (int i = 0; i < 45; ++i) csv += std::to_string(i) + ",n" + std::to_string(i) + "\n";
  auto big = extract("csv", csv, "b.csv");
  ChunkOptions o;
  o.table_rows_per_chunk = 20;
  auto chunks = chunkDocument(big, o);
  expectSpansValid(big, chunks);
  ASSERT_EQ(chunks.size(), 3u);
  for (const auto& c : chunks) {
    EXPECT_EQ(c.kind, "table");
    EXPECT_EQ(c.text.rfind("id | name\n", 0), 0u) << c.text;
  }
  EXPECT_NE(chunks[0].text.find("\nid: 0; name: n0\n"), std::string::npos);
  EXPECT_NE(chunks[2].text.find("id: 44; name: n44"), std::string::npos);
  // The spans cite exactly the rows of each piece.
  size_t b = byteAt(big.text, chunks[1].span_start);
  EXPECT_EQ(big.text.substr(b, 16), "id: 20; name: n2");
}

TEST(ChunkerTest, CodeUnitsAndTinyMerge) {
  std::string src = "def a():\n    return 1\n\ndef b():\n    return 2\n\n";
  std::string body;
  for (int i = 0; i < 40; ++i) body += "    x" + std::to_string(i) + " = compute(a, b, c)\n";
  src += "def big():\n" + body + "\ndef c():\n" + body;
  auto d = extract("code", src, "m.py");
  ChunkOptions o;
  o.target_tokens = 100;
  o.max_tokens = 150;
  auto chunks = chunkDocument(d, o);
  expectSpansValid(d, chunks);
  ASSERT_GE(chunks.size(), 3u);
  EXPECT_EQ(chunks[0].kind, "code");
  EXPECT_EQ(chunks[0].text.rfind("def a", 0), 0u);
  EXPECT_NE(chunks[0].text.find("def b"), std::string::npos);  // tiny units merged
  // "big" (~200 tokens) is split at line ends.
  EXPECT_EQ(chunks[1].text.rfind("def big():", 0), 0u);
  for (const auto& c : chunks) EXPECT_LE(tokens(c.text), 150u);
  EXPECT_EQ(chunks.back().text.back(), ')');
}

TEST(ChunkerTest, ClausesOneChunkEachTinyMergedUnderParent) {
  std::string text = "1. Definitions\n1.1 A means a.\n1.2 B means b.\n\n2. Payment\n";
  std::string long_clause;
  for (int i = 0; i < 30; ++i)
    long_clause += "The Customer pays invoice " + std::to_string(i) + ". ";
  text += "2.1 " + long_clause + "\n2.2 " + long_clause + "\n";
  auto d = extract("text", text, "c.txt");
  ChunkOptions o;
  o.target_tokens = 200;
  o.max_tokens = 300;
  auto chunks = chunkDocument(d, o);
  expectSpansValid(d, chunks);
  ASSERT_EQ(chunks.size(), 3u) << chunks[0].text;
  for (const auto& c : chunks) EXPECT_EQ(c.kind, "clause");
  EXPECT_EQ(chunks[0].text, "1. Definitions\n1.1 A means a.\n1.2 B means b.");
  EXPECT_EQ(chunks[1].text.rfind("2. Payment\n2.1 The Customer", 0), 0u);
  EXPECT_EQ(chunks[2].text.rfind("2.2 The Customer", 0), 0u);
  EXPECT_EQ(chunks[2].heading_path, "2. Payment");
}

TEST(ChunkerTest, HugeClauseSplitBySentences) {
  std::string text = "1. Scope\nShort.\n\n2. Obligations ";
  for (int i = 0; i < 100; ++i)
    text += "The Supplier shall deliver item " + std::to_string(i) + ". ";
  auto d = extract("text", text, "c.txt");
  ChunkOptions o;
  o.target_tokens = 60;
  o.max_tokens = 90;
  auto chunks = chunkDocument(d, o);
  expectSpansValid(d, chunks);
  ASSERT_GT(chunks.size(), 5u);
  for (size_t i = 1; i < chunks.size(); ++i) {
    EXPECT_LE(tokens(chunks[i].text), 60u);
    EXPECT_EQ(chunks[i].text.back(), '.');
  }
}

TEST(ChunkerTest, ProseDoesNotMergeAcrossHeadingPaths) {
  ExtractedDocument d;
  d.text = "Alpha.\n\nBeta.";
  d.blocks.resize(2);
  d.blocks[0].start = 0;
  d.blocks[0].end = 6;
  d.blocks[0].heading_path = {"A"};
  d.blocks[1].start = 8;
  d.blocks[1].end = 13;
  d.blocks[1].heading_path = {"B"};
  auto chunks = chunkDocument(d, ChunkOptions());
  ASSERT_EQ(chunks.size(), 2u);
  EXPECT_EQ(chunks[1].heading_path, "B");
}

TEST(ChunkerTest, BadBlockOffsetsAreIgnored) {
  ExtractedDocument d;
  d.text = "Hello world.";
  Block b;
  b.start = 5;
  b.end = 500;
  d.blocks = {b};
  EXPECT_TRUE(chunkDocument(d, ChunkOptions()).empty());
  ChunkOptions zero;
  zero.target_tokens = 0;
  zero.max_tokens = 0;
  zero.table_rows_per_chunk = 0;
  d.blocks.clear();
  EXPECT_FALSE(chunkDocument(d, zero).empty());
}

// Twenty megabytes of prose: every chunk within the size bound and the spans cover the text in
// order. (Its speed is measured by bench/, not asserted here: these machines are shared.)
TEST(ChunkerTest, TwentyMegabytesOfProse) {
  std::string text;
  text.reserve(22 << 20);
  const std::string para =
      "The quick brown fox jumps over the lazy dog, while the policy states that leave is "
      "granted on request. Employees may carry over five days! Is that clear? Yes.\n\n";
  while (text.size() < (20u << 20)) text += para;
  ExtractedDocument d;
  d.text = text;
  Block b;
  b.end = text.size();
  d.blocks = {b};
  ChunkOptions options;
  auto chunks = chunkDocument(d, options);
  ASSERT_GT(chunks.size(), 1000u);
  size_t prev_end = 0;
  for (const auto& c : chunks) {
    EXPECT_GE(c.span_start, prev_end);
    EXPECT_GT(c.span_end, c.span_start);
    prev_end = c.span_end;
  }
  EXPECT_LE(prev_end, text.size());
}

}  // namespace
}  // namespace ward::ingest
