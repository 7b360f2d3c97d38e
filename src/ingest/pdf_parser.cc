// PDF via poppler-cpp. Each page's text (reading order) is split into paragraphs carrying the
// 1-based page number; clause detection then runs on them like on any prose. extractDocument
// runs this in a child process under memory and CPU limits (parse_sandbox.h); here the page
// count, the text and the time are counted page by page.
#include <poppler-document.h>
#include <poppler-global.h>
#include <poppler-page.h>

#include <climits>
#include <memory>
#include <mutex>
#include <string>

#include "parsers.h"

namespace ward::ingest {

namespace {

void ignorePopplerMessage(const std::string&, void*) {}

std::string toUtf8(const poppler::ustring& s) {
  poppler::byte_array bytes = s.to_utf8();
  return std::string(bytes.begin(), bytes.end());
}

}  // namespace

Result<ExtractedDocument> parsePdf(std::string_view bytes, std::string_view filename,
                                   ParseBudget& budget) {
  static std::once_flag once;
  std::call_once(once, [] { poppler::set_debug_error_function(ignorePopplerMessage, nullptr); });
  if (bytes.size() > static_cast<size_t>(INT_MAX)) {
    return Status::invalidArgument("pdf: cannot open document: file too large");
  }
  if (bytes.size() < 5 || bytes.substr(0, 5) != "%PDF-") {
    // poppler also accepts a header a little way in; only reject when there is none at all.
    if (bytes.substr(0, std::min<size_t>(bytes.size(), 1024)).find("%PDF-") ==
        std::string_view::npos) {
      return Status::invalidArgument("pdf: cannot open document: no PDF header");
    }
  }
  std::unique_ptr<poppler::document> pdf(
      poppler::document::load_from_raw_data(bytes.data(), static_cast<int>(bytes.size())));
  if (!pdf) return Status::invalidArgument("pdf: cannot open document: damaged or unreadable");
  if (pdf->is_locked()) {
    return Status::invalidArgument("pdf: cannot open document: encrypted (password required)");
  }

  ExtractedDocument doc;
  doc.title = std::string(trimView(repairUtf8(toUtf8(pdf->info_key("Title")))));
  int pages = pdf->pages();
  if (pages > budget.limits().max_pages) {
    budget.fail(std::to_string(pages) + " pages, more than " +
                std::to_string(budget.limits().max_pages) + " (the parse limit); not ingested");
    return doc;
  }
  for (int i = 0; i < pages && budget.checkTime(); ++i) {
    std::unique_ptr<poppler::page> page(pdf->create_page(i));
    if (!page) continue;
    std::string text = repairUtf8(
        toUtf8(page->text(poppler::rectf(), poppler::page::non_raw_non_physical_layout)));
    for (char& c : text) {
      if (c == '\f') c = '\n';
    }
    if (trimView(text).empty()) continue;
    if (!budget.addOutput(text.size() + 2)) break;
    if (!doc.text.empty()) doc.text += "\n\n";
    size_t base = doc.text.size();
    doc.text += text;
    appendParagraphBlocks(text, base, i + 1, doc.blocks, budget);
  }
  if (doc.title.empty()) {
    std::string_view rest = trimView(doc.text);
    std::string_view first = trimView(rest.substr(0, rest.find('\n')));
    if (first.size() <= 200) doc.title = std::string(first);
  }
  return doc;
}

}  // namespace ward::ingest
