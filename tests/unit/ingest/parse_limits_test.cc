// Hostile inputs stop at a parse limit with a clear error (docs/design/ingest.md, "Parse
// limits"). Every fixture is generated here, small, with limits scaled down to match.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "ward/ingest/chunker.h"
#include "ward/ingest/parse_limits.h"
#include "ward/ingest/parser.h"

namespace ward::ingest {
namespace {

bool contains(const std::string& s, std::string_view part) {
  return s.find(part) != std::string::npos;
}

// A PDF (Helvetica, uncompressed) with one content stream shared by `pages` pages; `extra_xref`
// is appended to the cross-reference table.
std::string makePdf(const std::string& content, int pages, const std::string& extra_xref = "") {
  std::vector<std::string> objects;
  objects.push_back("<< /Type /Catalog /Pages 2 0 R >>");
  std::string kids;
  for (int i = 0; i < pages; ++i) kids += std::to_string(5 + i) + " 0 R ";
  objects.push_back("<< /Type /Pages /Kids [" + kids + "] /Count " + std::to_string(pages) + " >>");
  objects.push_back("<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>");
  objects.push_back("<< /Length " + std::to_string(content.size()) + " >>\nstream\n" + content +
                    "\nendstream");
  for (int i = 0; i < pages; ++i) {
    objects.push_back(
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] "
        "/Resources << /Font << /F1 3 0 R >> >> /Contents 4 0 R >>");
  }
  std::string data = "%PDF-1.4\n";
  std::vector<size_t> offsets;
  for (size_t i = 0; i < objects.size(); ++i) {
    offsets.push_back(data.size());
    data += std::to_string(i + 1) + " 0 obj\n" + objects[i] + "\nendobj\n";
  }
  size_t xref = data.size();
  data += "xref\n0 " + std::to_string(objects.size() + 1) + "\n0000000000 65535 f \n";
  for (size_t off : offsets) {
    char line[32];
    std::snprintf(line, sizeof(line), "%010zu 00000 n \n", off);
    data += line;
  }
  data += extra_xref;
  data += "trailer\n<< /Size " + std::to_string(objects.size() + 1) +
          " /Root 1 0 R >>\nstartxref\n" + std::to_string(xref) + "\n%%EOF\n";
  return data;
}

// A content stream that shows `words` words, one text-show operator each, eight to a line in a
// small font; every 160 lines it starts again at the top, a little to the right, so that every
// word lies on the page (poppler drops text outside it) and none hides another.
std::string manyWords(size_t words) {
  std::string c = "BT /F1 4 Tf 4.5 TL 1 0 0 1 72 760 Tm\n";
  for (size_t i = 0; i < words; ++i) {
    c += (i % 8 == 7) ? "(word) Tj T*\n" : "(word ) Tj\n";
    if (i % 1280 == 1279) c += "1 0 0 1 " + std::to_string(72 + 2 * (i + 1) / 1280) + " 760 Tm\n";
  }
  return c + "ET";
}

TEST(ParseLimitsTest, PdfTextPastTheOutputLimitIsAnError) {
  ParseLimits limits;
  limits.max_output_bytes = 64 << 10;
  std::string pdf = makePdf(manyWords(4000), 8);  // 160 KB of text from a 50 KB file
  auto r = extractDocument("pdf", pdf, "bomb.pdf", limits);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kResourceExhausted);
  EXPECT_TRUE(contains(r.status().message(), "pdf: more than 64 KiB of extracted text"))
      << r.status().message();
  // The same file within the default limits parses.
  auto ok = extractDocument("pdf", pdf, "bomb.pdf");
  ASSERT_TRUE(ok.ok()) << ok.status().message();
  EXPECT_GT(ok->text.size(), size_t{64} << 10);
}

TEST(ParseLimitsTest, PdfWithTooManyPagesIsAnError) {
  ParseLimits limits;
  limits.max_pages = 5;
  auto r = extractDocument("pdf", makePdf(manyWords(3), 6), "pages.pdf", limits);
  ASSERT_FALSE(r.ok());
  EXPECT_TRUE(contains(r.status().message(), "6 pages, more than 5")) << r.status().message();
  EXPECT_TRUE(extractDocument("pdf", makePdf(manyWords(3), 5), "pages.pdf", limits).ok());
}

// Sanitizer builds cannot run under an address-space limit (parse_sandbox.cc).
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
#define WARD_TEST_SANITIZER 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer)
#define WARD_TEST_SANITIZER 1
#endif
#endif

#ifndef WARD_TEST_SANITIZER
// A cross-reference subsection numbered 4,000,000 makes poppler allocate and fill a table of 4
// million entries (165 MB) from a file of 700 bytes. Under a 16 MiB limit the child dies and
// the file is one error; this process never allocates it.
TEST(ParseLimitsTest, PdfPastTheMemoryLimitIsAnError) {
  ParseLimits limits;
  limits.memory_bytes = 16 << 20;
  std::string pdf = makePdf(manyWords(3), 1, "4000000 1\n0000000000 65535 f \n");
  ASSERT_LT(pdf.size(), 1000u);
  auto r = extractDocument("pdf", pdf, "memory.pdf", limits);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kResourceExhausted) << r.status().message();
  EXPECT_TRUE(contains(r.status().message(), "16 MiB")) << r.status().message();
}
#endif

// A wide header over thousands of one-cell lines: cmark-gfm 0.29 pads every row to the header's
// width (an 18 KB file made 10 million cells and took 10 s). Past the cell limit the table is
// read as a paragraph, so its text is still there.
TEST(ParseLimitsTest, MarkdownTablePastTheCellLimitBecomesAParagraph) {
  std::string md = "# Sheet\n\n|";
  for (int i = 0; i < 2000; ++i) md += "a|";
  md += "\n|";
  for (int i = 0; i < 2000; ++i) md += "-|";
  md += "\n";
  for (int i = 0; i < 5000; ++i) md += "x\n";
  md += "\nAfter the table.\n\n| k | v |\n|---|---|\n| small | table |\n";
  auto r = extractDocument("markdown", md, "wide.md");
  ASSERT_TRUE(r.ok()) << r.status().message();
  std::vector<const Block*> tables;
  for (const auto& b : r->blocks) {
    if (b.kind == Block::Kind::kTable) tables.push_back(&b);
  }
  ASSERT_EQ(tables.size(), 1u) << "only the small table fits";
  EXPECT_EQ(tables[0]->table_header, (std::vector<std::string>{"k", "v"}));
  EXPECT_TRUE(contains(r->text, "After the table."));
  EXPECT_TRUE(contains(r->text, "x\nx\nx"));  // the wide table's lines, as a paragraph

  // Within the limit, tables stay tables.
  auto small = extractDocument("markdown", "| k | v |\n|---|---|\n| a | b |\n", "small.md");
  ASSERT_TRUE(small.ok());
  ASSERT_EQ(small->blocks.size(), 1u);
  EXPECT_EQ(small->blocks[0].kind, Block::Kind::kTable);
}

TEST(ParseLimitsTest, MarkdownTableLimitIsPerDocument) {
  ParseLimits limits;
  limits.max_markdown_table_cells = 12;  // two 3-row x 2-column tables
  std::string table = "| k | v |\n|---|---|\n| a | b |\n| c | d |\n\n";
  auto r = extractDocument("markdown", table + table + table, "t.md", limits);
  ASSERT_TRUE(r.ok()) << r.status().message();
  int tables = 0;
  for (const auto& b : r->blocks) tables += b.kind == Block::Kind::kTable ? 1 : 0;
  EXPECT_EQ(tables, 2);
}

// cmark-gfm 0.29 is quadratic in "![[]()" runs (minutes for 1 MB); large Markdown parses in a
// child under a CPU limit.
TEST(ParseLimitsTest, QuadraticMarkdownStopsAtTheCpuLimit) {
  ParseLimits limits;
  limits.cpu_seconds = 1;
  std::string md;
  for (int i = 0; i < 200000; ++i) md += "![[]()";
  auto r = extractDocument("markdown", md, "slow.md", limits);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kResourceExhausted);
  EXPECT_TRUE(contains(r.status().message(), "markdown: parsing used more than 1 s of CPU"))
      << r.status().message();
}

TEST(ParseLimitsTest, LargeMarkdownParsedInAChildKeepsItsStructure) {
  std::string md = "# Guide\n\n## Install\n\n";
  while (md.size() < kSandboxMinBytes) md += "Run the installer and follow the prompts.\n\n";
  md += "| k | v |\n|---|---|\n| a | b |\n\n```\ncode()\n```\n";
  auto r = extractDocument("markdown", md, "big.md");
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(r->title, "Guide");
  ASSERT_GE(r->blocks.size(), 4u);
  EXPECT_EQ(r->blocks[0].kind, Block::Kind::kHeading);
  EXPECT_EQ(r->blocks[2].heading_path, (std::vector<std::string>{"Guide", "Install"}));
  const Block& table = r->blocks[r->blocks.size() - 2];
  EXPECT_EQ(table.kind, Block::Kind::kTable);
  EXPECT_EQ(table.table_header, (std::vector<std::string>{"k", "v"}));
  EXPECT_EQ(table.table_rows, (std::vector<std::vector<std::string>>{{"a", "b"}}));
  EXPECT_EQ(r->blocks.back().kind, Block::Kind::kCode);
}

// 200k nested <div>s used to give 0 chunks and no error: libxml2 stops at depth 256.
TEST(ParseLimitsTest, HtmlNestedPastTheDepthLimitIsAnError) {
  for (int depth : {1000, 200000}) {  // in process, and (large) in a child
    std::string html = "<html><body>";
    for (int i = 0; i < depth; ++i) html += "<div>";
    html += "deep text";
    auto r = extractDocument("html", html, "deep.html");
    ASSERT_FALSE(r.ok()) << depth;
    EXPECT_TRUE(contains(r.status().message(), "html: elements nested deeper than 256"))
        << r.status().message();
  }
  std::string ok = "<html><body>";
  for (int i = 0; i < 200; ++i) ok += "<div>";
  auto r = extractDocument("html", ok + "shallow enough", "ok.html");
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_TRUE(contains(r->text, "shallow enough"));
}

// A wide header repeated on every key-value row multiplies: 200 columns of 1000-byte names
// over 2000 rows would render 400 MB from a 1.2 MB file.
TEST(ParseLimitsTest, CsvRenderingStopsAtTheOutputLimit) {
  std::string csv;
  for (int c = 0; c < 200; ++c) csv += (c ? "," : "") + std::string(1000, 'h') + std::to_string(c);
  csv += "\n";
  std::string row;
  for (int c = 0; c < 200; ++c) row += c ? ",x" : "x";
  for (int r = 0; r < 2000; ++r) csv += row + "\n";
  ParseLimits limits;
  limits.max_output_bytes = 8 << 20;
  auto r = extractDocument("csv", csv, "wide.csv", limits);
  ASSERT_FALSE(r.ok());
  EXPECT_TRUE(contains(r.status().message(), "csv: more than 8 MiB of extracted text"))
      << r.status().message();
}

TEST(ParseLimitsTest, CsvCellsAndTextBlocksAreCounted) {
  ParseLimits limits;
  limits.max_cells = 100;
  std::string csv = "a,b\n";
  for (int i = 0; i < 60; ++i) csv += "1,2\n";
  auto r = extractDocument("csv", csv, "cells.csv", limits);
  ASSERT_FALSE(r.ok());
  EXPECT_TRUE(contains(r.status().message(), "more than 100 table cells")) << r.status().message();

  limits = ParseLimits();
  limits.max_blocks = 10;
  std::string text;
  for (int i = 0; i < 20; ++i) text += "Paragraph " + std::to_string(i) + ".\n\n";
  auto t = extractDocument("text", text, "many.txt", limits);
  ASSERT_FALSE(t.ok());
  EXPECT_TRUE(contains(t.status().message(), "text: more than 10 blocks")) << t.status().message();
}

// A 4 MB line of one "word" used to become one 4 MB chunk.
TEST(ParseLimitsTest, OneHugeWordIsCutAtTheChunkByteLimit) {
  std::string text = "Intro sentence. " + std::string(4 << 20, 'a') + " tail.";
  auto d = extractDocument("text", text, "word.txt");
  ASSERT_TRUE(d.ok());
  ChunkOptions options;
  auto chunks = chunkDocument(*d, options);
  ASSERT_GT(chunks.size(), 100u);
  size_t covered = 0;
  for (const auto& c : chunks) {
    EXPECT_LE(c.text.size(), options.max_tokens * 32 + 4);
    covered += c.text.size();
  }
  EXPECT_GE(covered, size_t{4} << 20);

  // A heading that long is cut too, and so is the heading path every chunk under it carries.
  std::string md = "# " + std::string(1 << 20, 'h') + "\n\nBody text.\n";
  auto m = extractDocument("markdown", md, "h.md");
  ASSERT_TRUE(m.ok());
  for (const auto& c : chunkDocument(*m, options)) {
    EXPECT_LE(c.text.size(), options.max_tokens * 32 + 4);
    EXPECT_LE(c.heading_path.size(), 1024u);
  }
}

}  // namespace
}  // namespace ward::ingest
