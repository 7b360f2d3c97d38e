#include "ward/ingest/parser.h"

#include "../../../src/ingest/parsers.h"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

namespace ward::ingest {
namespace {

using Kind = Block::Kind;

ExtractedDocument extract(std::string_view format, std::string_view bytes,
                          std::string_view filename = "file") {
  auto r = extractDocument(format, bytes, filename);
  EXPECT_TRUE(r.ok()) << r.status().message();
  return r.ok() ? std::move(r).value() : ExtractedDocument();
}

std::string_view blockText(const ExtractedDocument& d, const Block& b) {
  return std::string_view(d.text).substr(b.start, b.end - b.start);
}

// Blocks are in order, non-overlapping and inside the text.
void expectWellFormed(const ExtractedDocument& d) {
  size_t last = 0;
  for (const auto& b : d.blocks) {
    EXPECT_LE(last, b.start);
    EXPECT_LE(b.start, b.end);
    EXPECT_LE(b.end, d.text.size());
    last = b.end;
  }
}

const Block* findKind(const ExtractedDocument& d, Kind kind, size_t nth = 0) {
  for (const auto& b : d.blocks) {
    if (b.kind == kind && nth-- == 0) return &b;
  }
  return nullptr;
}

std::string readFixture(const std::string& name) {
  std::ifstream in(std::string(WARD_INGEST_FIXTURES) + "/" + name, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

TEST(DetectFormatTest, ByExtensionCaseInsensitive) {
  EXPECT_EQ(detectFormat("README.md"), "markdown");
  EXPECT_EQ(detectFormat("notes.MARKDOWN"), "markdown");
  EXPECT_EQ(detectFormat("a/b/c.TXT"), "text");
  EXPECT_EQ(detectFormat("doc.rst"), "text");
  EXPECT_EQ(detectFormat("index.HTM"), "html");
  EXPECT_EQ(detectFormat("x.Pdf"), "pdf");
  EXPECT_EQ(detectFormat("data.csv"), "csv");
  EXPECT_EQ(detectFormat("data.tsv"), "tsv");
  for (const char* f :
       {"a.c", "a.h", "a.cc", "a.cpp", "a.cxx", "a.hpp", "a.hh", "a.py", "a.js", "a.mjs", "a.cjs",
        "a.jsx", "a.ts", "a.tsx", "a.go", "a.java", "a.rs", "a.sh", "a.rb"}) {
    EXPECT_EQ(detectFormat(f), "code") << f;
  }
  EXPECT_EQ(detectFormat("archive.zip"), std::nullopt);
  EXPECT_EQ(detectFormat("Makefile"), std::nullopt);
  EXPECT_EQ(detectFormat("trailingdot."), std::nullopt);
}

TEST(ExtractDocumentTest, UnknownFormatIsInvalidArgument) {
  auto r = extractDocument("docx", "x", "a.docx");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(supportedFormats().size(), 7u);
}

TEST(MarkdownTest, HeadingsParagraphsListsCodeAndTable) {
  const char* md =
      "# Handbook\n\nIntro *text* here.\n\n## Leave\n\n### Parental leave\n\n"
      "You get **16 weeks**.\n\n- first item\n- second item\n\n"
      "```cpp\nint main() {}\n```\n\n"
      "| Name | Days |\n|------|------|\n| Sick | 10 |\n| Annual | 25 |\n";
  auto d = extract("markdown", md, "h.md");
  expectWellFormed(d);
  EXPECT_EQ(d.title, "Handbook");
  const Block* h3 = findKind(d, Kind::kHeading, 2);
  ASSERT_NE(h3, nullptr);
  EXPECT_EQ(blockText(d, *h3), "Parental leave");
  EXPECT_EQ(h3->heading_level, 3);
  EXPECT_EQ(h3->heading_path, (std::vector<std::string>{"Handbook", "Leave"}));
  const Block* p = findKind(d, Kind::kParagraph, 1);
  ASSERT_NE(p, nullptr);
  EXPECT_EQ(blockText(d, *p), "You get 16 weeks.");
  EXPECT_EQ(p->heading_path, (std::vector<std::string>{"Handbook", "Leave", "Parental leave"}));
  EXPECT_NE(d.text.find("- first item"), std::string::npos);
  const Block* code = findKind(d, Kind::kCode);
  ASSERT_NE(code, nullptr);
  EXPECT_EQ(blockText(d, *code), "int main() {}");
  const Block* table = findKind(d, Kind::kTable);
  ASSERT_NE(table, nullptr);
  EXPECT_EQ(table->table_header, (std::vector<std::string>{"Name", "Days"}));
  ASSERT_EQ(table->table_rows.size(), 2u);
  EXPECT_EQ(table->table_rows[1], (std::vector<std::string>{"Annual", "25"}));
  EXPECT_EQ(blockText(d, *table), "Name | Days\nSick | 10\nAnnual | 25");
}

TEST(MarkdownTest, DeepNestingDoesNotCrash) {
  std::string md(3000, '>');
  md += " deep\n";
  md += std::string(5000, '[');
  auto d = extract("markdown", md, "x.md");
  expectWellFormed(d);
  EXPECT_NE(d.text.find("deep"), std::string::npos);
}

TEST(HtmlTest, TitleHeadingsTableAndScriptRemoved) {
  const char* html =
      "<html><head><title>Policy Page</title><style>p{color:red}</style>"
      "<script>var secret = 1;</script></head><body>"
      "<nav><a href='/'>Home</a></nav>"
      "<h1>Travel Policy</h1><p>Book   flights\n early.</p>"
      "<script>alert('x')</script>"
      "<h2>Limits</h2><ul><li>Economy only</li><li>Hotels under 200</li></ul>"
      "<table><tr><th>City</th><th>Cap</th></tr><tr><td>Paris</td><td>180</td></tr></table>"
      "<pre>code  block</pre></body></html>";
  auto d = extract("html", html, "p.html");
  expectWellFormed(d);
  EXPECT_EQ(d.title, "Policy Page");
  EXPECT_EQ(d.text.find("secret"), std::string::npos);
  EXPECT_EQ(d.text.find("alert"), std::string::npos);
  EXPECT_EQ(d.text.find("color"), std::string::npos);
  EXPECT_EQ(d.text.find("Home"), std::string::npos);
  const Block* h2 = findKind(d, Kind::kHeading, 1);
  ASSERT_NE(h2, nullptr);
  EXPECT_EQ(blockText(d, *h2), "Limits");
  EXPECT_EQ(h2->heading_level, 2);
  EXPECT_EQ(h2->heading_path, (std::vector<std::string>{"Travel Policy"}));
  const Block* p = findKind(d, Kind::kParagraph);
  ASSERT_NE(p, nullptr);
  EXPECT_EQ(blockText(d, *p), "Book flights early.");
  const Block* li = findKind(d, Kind::kParagraph, 2);
  ASSERT_NE(li, nullptr);
  EXPECT_EQ(blockText(d, *li), "Hotels under 200");
  EXPECT_EQ(li->heading_path, (std::vector<std::string>{"Travel Policy", "Limits"}));
  const Block* t = findKind(d, Kind::kTable);
  ASSERT_NE(t, nullptr);
  EXPECT_EQ(t->table_header, (std::vector<std::string>{"City", "Cap"}));
  ASSERT_EQ(t->table_rows.size(), 1u);
  EXPECT_EQ(t->table_rows[0], (std::vector<std::string>{"Paris", "180"}));
  const Block* pre = findKind(d, Kind::kCode);
  ASSERT_NE(pre, nullptr);
  EXPECT_EQ(blockText(d, *pre), "code  block");
}

TEST(HtmlTest, TitleFallsBackToFirstH1AndGarbageIsTolerated) {
  auto d = extract("html", "<h1>Only Heading</h1><p>x</p><<<</div></span>", "a.html");
  EXPECT_EQ(d.title, "Only Heading");
  auto e = extract("html", "", "e.html");
  EXPECT_TRUE(e.text.empty());
}

TEST(PdfTest, PagesAndClauses) {
  std::string pdf = readFixture("contract.pdf");
  ASSERT_FALSE(pdf.empty());
  auto d = extract("pdf", pdf, "contract.pdf");
  expectWellFormed(d);
  EXPECT_EQ(d.title, "Service Agreement");
  EXPECT_NE(d.text.find("Acme Ltd."), std::string::npos);
  bool page1 = false;
  bool page2 = false;
  for (const auto& b : d.blocks) {
    EXPECT_TRUE(b.page == 1 || b.page == 2);
    page1 = page1 || b.page == 1;
    page2 = page2 || b.page == 2;
    if (b.page == 2) {
      EXPECT_GT(b.start, d.text.find("30 days"));
    }
  }
  EXPECT_TRUE(page1);
  EXPECT_TRUE(page2);
  const Block* c = nullptr;
  for (const auto& b : d.blocks) {
    if (b.kind == Kind::kClause && b.symbol == "3.1") c = &b;
  }
  ASSERT_NE(c, nullptr);
  EXPECT_EQ(c->page, 2);
  EXPECT_EQ(c->heading_path, (std::vector<std::string>{"3. Termination"}));
  const Block* two = findKind(d, Kind::kClause, 1);
  ASSERT_NE(two, nullptr);
  EXPECT_EQ(two->symbol, "2");
  EXPECT_EQ(two->page, 1);
}

TEST(PdfTest, GarbageAndTruncatedAreInvalidArgument) {
  auto r = extractDocument("pdf", "this is not a pdf at all", "x.pdf");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(r.status().message().rfind("pdf: cannot open document", 0), 0u);
  auto t = extractDocument("pdf", "%PDF-1.4\n1 0 obj\n<< /Type /Catalog", "x.pdf");
  ASSERT_FALSE(t.ok());
  EXPECT_EQ(t.status().code(), StatusCode::kInvalidArgument);
  std::string pdf = readFixture("contract.pdf");
  auto half = extractDocument("pdf", std::string_view(pdf).substr(0, pdf.size() / 2), "x.pdf");
  // A half file may be recoverable or not; it must just not crash.
  if (half.ok()) expectWellFormed(half.value());
}

TEST(CsvTest, QuotingAndHeader) {
  const char* csv =
      "name,notes,amount\r\n"
      "\"Smith, John\",\"said \"\"hi\"\"\",10\r\n"
      "Jane,\"line one\nline two\",20\n"
      "Short\n";
  auto d = extract("csv", csv, "a.csv");
  expectWellFormed(d);
  ASSERT_EQ(d.blocks.size(), 1u);
  const Block& t = d.blocks[0];
  EXPECT_EQ(t.kind, Kind::kTable);
  EXPECT_EQ(t.table_header, (std::vector<std::string>{"name", "notes", "amount"}));
  ASSERT_EQ(t.table_rows.size(), 3u);
  EXPECT_EQ(t.table_rows[0], (std::vector<std::string>{"Smith, John", "said \"hi\"", "10"}));
  EXPECT_EQ(t.table_rows[1][1], "line one\nline two");
  EXPECT_EQ(t.table_rows[2], (std::vector<std::string>{"Short"}));
  EXPECT_EQ(d.text,
            "name | notes | amount\n"
            "name: Smith, John; notes: said \"hi\"; amount: 10\n"
            "name: Jane; notes: line one line two; amount: 20\n"
            "name: Short");
}

TEST(CsvTest, TsvAndErrors) {
  auto d = extract("tsv", "a\tb\n1\t2\n", "a.tsv");
  ASSERT_EQ(d.blocks.size(), 1u);
  EXPECT_EQ(d.blocks[0].table_rows[0], (std::vector<std::string>{"1", "2"}));
  for (const char* bad : {"", "\n\n", ",,\n1,2\n"}) {
    auto r = extractDocument("csv", bad, "e.csv");
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
  }
  // An unterminated quote runs to the end instead of failing.
  auto u = extract("csv", "a,b\n\"open,1\n", "u.csv");
  ASSERT_EQ(u.blocks.size(), 1u);
  EXPECT_EQ(u.blocks[0].table_rows[0][0], "open,1\n");
}

TEST(ClauseTest, ContractNumberingForms) {
  const char* text =
      "MASTER AGREEMENT\n\nThis agreement is made between the parties.\n\n"
      "1. Definitions\n1.1 Services means the work.\n1.2 Fees means the money.\n\n"
      "2. Term\nThis lasts one year.\n\n"
      "\xC2\xA7 3 Governing law\n\xC2\xA7"
      "3.2 Courts of Paris decide.\n\n"
      "Article 4\nConfidentiality applies.\n\nARTICLE V - Notices\nIn writing.\n\n"
      "Section 6.1 Survival of terms.\n\n"
      "The fee is 3.5 times the base and\n1.5 times the rest.\n";
  auto d = extract("text", text, "contract.txt");
  expectWellFormed(d);
  std::vector<std::string> symbols;
  for (const auto& b : d.blocks) {
    if (b.kind == Kind::kClause) symbols.push_back(b.symbol);
  }
  EXPECT_EQ(symbols, (std::vector<std::string>{"1", "1.1", "1.2", "2", "\xC2\xA7 3", "\xC2\xA7 3.2",
                                               "Article 4", "Article V", "Section 6.1"}));
  ASSERT_EQ(d.blocks[0].kind, Kind::kParagraph);
  EXPECT_EQ(blockText(d, d.blocks[0]), "MASTER AGREEMENT");
  for (const auto& b : d.blocks) {
    if (b.symbol == "1.2") {
      EXPECT_EQ(blockText(d, b), "1.2 Fees means the money.");
      EXPECT_EQ(b.heading_path, (std::vector<std::string>{"1. Definitions"}));
    }
    if (b.symbol == "2") {
      EXPECT_EQ(blockText(d, b), "2. Term\nThis lasts one year.");
      EXPECT_TRUE(b.heading_path.empty());
    }
    if (b.symbol == "\xC2\xA7 3.2") {
      EXPECT_EQ(b.heading_path, (std::vector<std::string>{"\xC2\xA7 3 Governing law"}));
    }
    if (b.symbol == "Article 4") {
      EXPECT_EQ(blockText(d, b), "Article 4\nConfidentiality applies.");
    }
    if (b.symbol == "Section 6.1") {
      // The unnumbered paragraph after a clause belongs to it; "1.5 times" is no clause.
      EXPECT_NE(blockText(d, b).find("1.5 times the rest."), std::string::npos);
    }
  }
}

TEST(ClauseTest, SingleNumberedLineIsNotAContract) {
  auto d = extract("text", "Intro line.\n\n1. Only one numbered line here.\n", "a.txt");
  for (const auto& b : d.blocks) EXPECT_EQ(b.kind, Kind::kParagraph);
  EXPECT_EQ(d.blocks.size(), 2u);
}

TEST(TextTest, ParagraphsAndUnderlinedHeadings) {
  const char* rst = "Guide\n=====\n\nFirst para\nstill first.\n\nSetup\n-----\n\nSecond.\n";
  auto d = extract("text", rst, "g.rst");
  expectWellFormed(d);
  EXPECT_EQ(d.title, "Guide");
  ASSERT_EQ(d.blocks.size(), 4u);
  EXPECT_EQ(d.blocks[0].kind, Kind::kHeading);
  EXPECT_EQ(blockText(d, d.blocks[1]), "First para\nstill first.");
  EXPECT_EQ(d.blocks[2].heading_level, 2);
  EXPECT_EQ(d.blocks[3].heading_path, (std::vector<std::string>{"Guide", "Setup"}));
}

TEST(Utf8Test, InvalidBytesAreRepairedInEveryTextFormat) {
  std::string bad = "caf\xC3\xA9 \xFF\xFE ok \xE2\x82 end \xC0\xAF x";
  bad.push_back('\0');
  bad += "nul";
  auto d = extract("text", bad, "b.txt");
  EXPECT_EQ(d.text,
            "caf\xC3\xA9 \xEF\xBF\xBD\xEF\xBF\xBD ok \xEF\xBF\xBD\xEF\xBF\xBD end "
            "\xEF\xBF\xBD\xEF\xBF\xBD x\xEF\xBF\xBDnul");
  for (const char* f : {"markdown", "html", "csv", "tsv", "code"}) {
    auto r = extractDocument(f, "h\xFF\n1\xC3\n", "b.py");
    ASSERT_TRUE(r.ok()) << f;
    EXPECT_NE(r->text.find("\xEF\xBF\xBD"), std::string::npos) << f;
    EXPECT_EQ(r->text.find('\xFF'), std::string::npos) << f;
  }
  auto crlf = extract("text",
                      "\xEF\xBB\xBF"
                      "a\r\nb\rc",
                      "c.txt");
  EXPECT_EQ(crlf.text, "a\nb\nc");
}

TEST(Utf8Test, EveryByteToRepairIsFoundWhereverItSitsInAWord) {
  // The fast path reads eight bytes at a time: a CR, a NUL, an invalid byte and a valid
  // two-byte sequence at every offset of a 24-byte ASCII text must come out as the byte loop
  // would make them.
  const std::string plain = "abcdefghijklmnopqrstuvwx";
  const std::pair<std::string, std::string> cases[] = {
      {"\r", "\n"},
      {std::string(1, '\0'), "\xEF\xBF\xBD"},
      {"\xFF", "\xEF\xBF\xBD"},
      {"\xC3\xA9", "\xC3\xA9"},
      {"\r\n", "\n"},
  };
  for (const auto& [in, out] : cases) {
    for (size_t at = 0; at <= plain.size(); ++at) {
      const std::string text = plain.substr(0, at) + in + plain.substr(at);
      const std::string want = plain.substr(0, at) + out + plain.substr(at);
      EXPECT_EQ(repairUtf8(text), want) << "offset " << at;
    }
  }
}

TEST(RobustnessTest, RandomBytesNeverCrash) {
  uint32_t seed = 12345;
  for (int round = 0; round < 200; ++round) {
    std::string bytes;
    size_t len = 1 + (seed % 400);
    for (size_t i = 0; i < len; ++i) {
      seed = seed * 1103515245u + 12345u;
      const char alphabet[] = "ab1.\n\n{}()<>#|\"',;\t`*-/\\\xC2\xA7\xFF";
      bytes.push_back(alphabet[(seed >> 16) % (sizeof(alphabet) - 1)]);
    }
    for (const auto& f : supportedFormats()) {
      auto r = extractDocument(f, bytes, round % 2 ? "x.cpp" : "x.py");
      if (r.ok()) expectWellFormed(r.value());
    }
  }
}

}  // namespace
}  // namespace ward::ingest
