// HTML via libxml2's forgiving HTML parser. Scripts, styles, navigation and the head (except its
// <title>) are dropped; headings, paragraphs, list items, tables and preformatted blocks become
// blocks; other inline text collects into the enclosing paragraph.
#include <libxml/HTMLparser.h>
#include <libxml/parser.h>
#include <libxml/tree.h>

#include <memory>
#include <mutex>
#include <string>

#include "parsers.h"

namespace ward::ingest {

namespace {

// libxml2's own limit (xmlParserMaxDepth) is 256 too: it stops parsing there, so a document
// nested deeper is reported as an error rather than ingested without its deepest text.
constexpr int kMaxDepth = 256;

void failTooDeep(ParseBudget& budget) {
  budget.fail("elements nested deeper than " + std::to_string(kMaxDepth) + " levels; not ingested");
}

struct DocDeleter {
  void operator()(xmlDoc* d) const { xmlFreeDoc(d); }
};

std::string_view nameOf(const xmlNode* n) {
  return n->name == nullptr ? std::string_view()
                            : std::string_view(reinterpret_cast<const char*>(n->name));
}

bool isSkipped(std::string_view name) {
  return name == "script" || name == "style" || name == "nav" || name == "noscript" ||
         name == "template" || name == "svg" || name == "iframe" || name == "object" ||
         name == "button" || name == "select";
}

bool isBlockLevel(std::string_view name) {
  static constexpr std::string_view kBlocks[] = {
      "p",    "div",    "li",         "ul",      "ol",         "section", "article",
      "main", "aside",  "header",     "footer",  "blockquote", "dd",      "dt",
      "dl",   "figure", "figcaption", "address", "details",    "summary", "hr",
      "body", "html",   "caption",    "form",    "fieldset",   "center"};
  for (auto b : kBlocks) {
    if (b == name) return true;
  }
  return false;
}

int headingLevel(std::string_view name) {
  if (name.size() == 2 && name[0] == 'h' && name[1] >= '1' && name[1] <= '6') return name[1] - '0';
  return 0;
}

// Appends `text` to `out` with runs of whitespace collapsed to one space.
void appendCollapsed(std::string& out, std::string_view text) {
  for (char c : text) {
    if (isSpace(c)) {
      if (!out.empty() && out.back() != ' ' && out.back() != '\n') out.push_back(' ');
    } else {
      out.push_back(c);
    }
  }
}

void collectText(const xmlNode* node, std::string& out, bool collapse, int depth,
                 ParseBudget& budget) {
  if (depth > kMaxDepth) {
    failTooDeep(budget);
    return;
  }
  for (const xmlNode* n = node->children; n != nullptr; n = n->next) {
    if (n->type == XML_TEXT_NODE || n->type == XML_CDATA_SECTION_NODE) {
      if (n->content == nullptr) continue;
      std::string_view t(reinterpret_cast<const char*>(n->content));
      if (collapse) {
        appendCollapsed(out, t);
      } else {
        out.append(t);
      }
    } else if (n->type == XML_ELEMENT_NODE) {
      std::string_view name = nameOf(n);
      if (isSkipped(name)) continue;
      if (name == "br") {
        out.push_back(collapse ? ' ' : '\n');
        continue;
      }
      collectText(n, out, collapse, depth + 1, budget);
      if (collapse && (name == "td" || name == "th" || isBlockLevel(name)))
        appendCollapsed(out, " ");
    }
  }
}

std::string textOf(const xmlNode* node, ParseBudget& budget, bool collapse = true) {
  std::string out;
  collectText(node, out, collapse, 0, budget);
  return collapse ? std::string(trimView(out)) : out;
}

class HtmlWalker {
 public:
  HtmlWalker(DocumentBuilder& builder, ParseBudget& budget) : builder_(builder), budget_(budget) {}

  void walk(const xmlNode* node, int depth) {
    if (depth > kMaxDepth) {
      failTooDeep(budget_);
      return;
    }
    for (const xmlNode* n = node->children; n != nullptr && !budget_.exhausted(); n = n->next) {
      if (n->type == XML_TEXT_NODE || n->type == XML_CDATA_SECTION_NODE) {
        if (n->content != nullptr) {
          appendCollapsed(pending_, reinterpret_cast<const char*>(n->content));
        }
        continue;
      }
      if (n->type != XML_ELEMENT_NODE) continue;
      std::string_view name = nameOf(n);
      if (name == "head") {
        findTitle(n, depth + 1);
        continue;
      }
      if (name == "title") {
        title_ = textOf(n, budget_);
        continue;
      }
      if (isSkipped(name)) continue;
      if (int level = headingLevel(name)) {
        flush();
        std::string text = textOf(n, budget_);
        if (level == 1) first_h1_ = first_h1_.empty() ? text : first_h1_;
        builder_.addHeading(text, level);
        continue;
      }
      if (name == "table") {
        flush();
        addTable(n);
        continue;
      }
      if (name == "pre") {
        flush();
        builder_.addBlock(Block::Kind::kCode, textOf(n, budget_, false));
        continue;
      }
      if (name == "br") {
        pending_.push_back(' ');
        continue;
      }
      bool block = isBlockLevel(name);
      if (block) flush();
      walk(n, depth + 1);
      if (block) flush();
    }
  }

  void finish() {
    flush();
    builder_.offerTitle(title_);
    builder_.offerTitle(first_h1_);
  }

 private:
  void flush() {
    builder_.addBlock(Block::Kind::kParagraph, pending_);
    pending_.clear();
  }

  void findTitle(const xmlNode* node, int depth) {
    if (depth > kMaxDepth) {
      failTooDeep(budget_);
      return;
    }
    for (const xmlNode* n = node->children; n != nullptr; n = n->next) {
      if (n->type != XML_ELEMENT_NODE) continue;
      if (nameOf(n) == "title") {
        if (title_.empty()) title_ = textOf(n, budget_);
      } else {
        findTitle(n, depth + 1);
      }
    }
  }

  // Rows of this table only (thead/tbody/tfoot looked through, nested tables left alone).
  void collectRows(const xmlNode* node, std::vector<const xmlNode*>& rows, int depth) {
    if (depth > 4) return;
    for (const xmlNode* n = node->children; n != nullptr; n = n->next) {
      if (n->type != XML_ELEMENT_NODE) continue;
      std::string_view name = nameOf(n);
      if (name == "tr") {
        rows.push_back(n);
      } else if (name == "thead" || name == "tbody" || name == "tfoot") {
        collectRows(n, rows, depth + 1);
      }
    }
  }

  void addTable(const xmlNode* table) {
    std::vector<const xmlNode*> rows;
    collectRows(table, rows, 0);
    std::vector<std::string> header;
    std::vector<std::vector<std::string>> body;
    for (size_t i = 0; i < rows.size(); ++i) {
      std::vector<std::string> cells;
      for (const xmlNode* c = rows[i]->children; c != nullptr; c = c->next) {
        if (c->type != XML_ELEMENT_NODE) continue;
        std::string_view name = nameOf(c);
        if (name == "td" || name == "th") {
          if (!budget_.addCells(1)) return;
          cells.push_back(textOf(c, budget_));
        }
      }
      if (cells.empty()) continue;
      if (header.empty() && body.empty()) {
        header = std::move(cells);  // the first row is the header, <th> or not
      } else {
        body.push_back(std::move(cells));
      }
    }
    builder_.addTable(std::move(header), std::move(body), DocumentBuilder::TableStyle::kPipes);
  }

  DocumentBuilder& builder_;
  ParseBudget& budget_;
  std::string pending_;
  std::string title_;
  std::string first_h1_;
};

struct CtxtDeleter {
  void operator()(htmlParserCtxt* c) const { htmlFreeParserCtxt(c); }
};

}  // namespace

Result<ExtractedDocument> parseHtml(std::string_view bytes, std::string_view filename,
                                    ParseBudget& budget) {
  static std::once_flag once;
  std::call_once(once, [] { xmlInitParser(); });
  if (bytes.size() > static_cast<size_t>(INT32_MAX)) {
    return Status::invalidArgument("html: document too large");
  }
  DocumentBuilder builder(budget);
  if (trimView(bytes).empty()) return builder.finish();
  std::unique_ptr<htmlParserCtxt, CtxtDeleter> ctxt(htmlNewParserCtxt());
  if (!ctxt) return Status::resourceExhausted("html: cannot create parser");
  std::unique_ptr<xmlDoc, DocDeleter> doc(htmlCtxtReadMemory(
      ctxt.get(), bytes.data(), static_cast<int>(bytes.size()), nullptr, "UTF-8",
      HTML_PARSE_RECOVER | HTML_PARSE_NOERROR | HTML_PARSE_NOWARNING | HTML_PARSE_NONET));
  // libxml2 halts at its depth limit and returns what it had: report it, do not ingest a part.
  if (ctxt->errNo == XML_ERR_INTERNAL_ERROR) {
    const char* msg = ctxt->lastError.message;
    std::string why =
        msg != nullptr && std::string_view(msg).find("depth") != std::string_view::npos
            ? "elements nested deeper than " + std::to_string(kMaxDepth) + " levels; not ingested"
            : std::string("the parser stopped: ") +
                  std::string(trimView(msg != nullptr ? msg : "internal error"));
    return Status::invalidArgument("html: " + why);
  }
  if (!doc) return Status::invalidArgument("html: cannot parse document");
  xmlNode* root = xmlDocGetRootElement(doc.get());
  if (root == nullptr) return builder.finish();
  HtmlWalker walker(builder, budget);
  // Walk from a virtual parent so the root element itself is handled like any other.
  xmlNode holder{};
  holder.children = root;
  walker.walk(&holder, 0);
  walker.finish();
  return builder.finish();
}

}  // namespace ward::ingest
