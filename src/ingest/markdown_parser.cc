// Markdown via cmark-gfm with the GFM table extension. Headings, paragraphs, list items, code
// blocks and tables become blocks; inline markup is reduced to its text.
#include <cmark-gfm-core-extensions.h>
#include <cmark-gfm-extension_api.h>
#include <cmark-gfm.h>

#include <algorithm>
#include <memory>
#include <mutex>
#include <string>

#include "parsers.h"

namespace ward::ingest {

namespace {

// Nesting deeper than this (block quotes in block quotes...) is flattened into one paragraph so
// that hostile input cannot exhaust the stack.
constexpr int kMaxDepth = 64;

struct ParserDeleter {
  void operator()(cmark_parser* p) const { cmark_parser_free(p); }
};
struct NodeDeleter {
  void operator()(cmark_node* n) const { cmark_node_free(n); }
};
struct IterDeleter {
  void operator()(cmark_iter* i) const { cmark_iter_free(i); }
};

std::string_view typeString(cmark_node* node) {
  const char* s = cmark_node_get_type_string(node);
  return s == nullptr ? std::string_view() : std::string_view(s);
}

// The plain text of a node's inlines (iterative, so deep nesting is safe).
std::string inlineText(cmark_node* node) {
  std::string out;
  std::unique_ptr<cmark_iter, IterDeleter> it(cmark_iter_new(node));
  cmark_event_type ev;
  while ((ev = cmark_iter_next(it.get())) != CMARK_EVENT_DONE) {
    if (ev != CMARK_EVENT_ENTER) {
      // Separate the text of sibling blocks when flattening a whole subtree.
      cmark_node* cur = cmark_iter_get_node(it.get());
      if (cur != node && cmark_node_get_type(cur) == CMARK_NODE_PARAGRAPH) out += '\n';
      continue;
    }
    cmark_node* cur = cmark_iter_get_node(it.get());
    switch (cmark_node_get_type(cur)) {
      case CMARK_NODE_TEXT:
      case CMARK_NODE_CODE:
      case CMARK_NODE_CODE_BLOCK: {
        const char* lit = cmark_node_get_literal(cur);
        if (lit != nullptr) out += lit;
        break;
      }
      case CMARK_NODE_SOFTBREAK:
      case CMARK_NODE_LINEBREAK:
        out += '\n';
        break;
      default:
        break;
    }
  }
  return out;
}

// cmark is fed this much at a time, and the parse's deadline checked in between.
constexpr size_t kFeedBytes = size_t{1} << 20;

class MarkdownWalker {
 public:
  MarkdownWalker(DocumentBuilder& builder, ParseBudget& budget)
      : builder_(builder), budget_(budget) {}

  void walkChildren(cmark_node* parent, int depth) {
    for (cmark_node* n = cmark_node_first_child(parent); n != nullptr && !budget_.exhausted();
         n = cmark_node_next(n)) {
      walk(n, depth);
    }
  }

 private:
  void walk(cmark_node* node, int depth) {
    if (depth > kMaxDepth) {
      builder_.addBlock(Block::Kind::kParagraph, inlineText(node));
      return;
    }
    switch (cmark_node_get_type(node)) {
      case CMARK_NODE_HEADING: {
        std::string text = inlineText(node);
        for (char& c : text) {
          if (c == '\n') c = ' ';
        }
        int level = cmark_node_get_heading_level(node);
        if (level == 1) builder_.offerTitle(text);
        builder_.addHeading(text, level);
        return;
      }
      case CMARK_NODE_PARAGRAPH:
        builder_.addBlock(Block::Kind::kParagraph, inlineText(node));
        return;
      case CMARK_NODE_CODE_BLOCK: {
        const char* lit = cmark_node_get_literal(node);
        if (lit != nullptr) builder_.addBlock(Block::Kind::kCode, lit);
        return;
      }
      case CMARK_NODE_LIST:
        walkList(node, depth);
        return;
      case CMARK_NODE_HTML_BLOCK:
      case CMARK_NODE_THEMATIC_BREAK:
        return;
      default:
        break;
    }
    if (typeString(node) == "table") {
      walkTable(node);
      return;
    }
    walkChildren(node, depth + 1);
  }

  void walkList(cmark_node* list, int depth) {
    bool ordered = cmark_node_get_list_type(list) == CMARK_ORDERED_LIST;
    int number = cmark_node_get_list_start(list);
    for (cmark_node* item = cmark_node_first_child(list); item != nullptr && !budget_.exhausted();
         item = cmark_node_next(item), ++number) {
      std::string marker = ordered ? std::to_string(number) + ". " : "- ";
      bool first = true;
      for (cmark_node* c = cmark_node_first_child(item); c != nullptr; c = cmark_node_next(c)) {
        if (first && cmark_node_get_type(c) == CMARK_NODE_PARAGRAPH) {
          builder_.addBlock(Block::Kind::kParagraph, marker + inlineText(c));
        } else {
          walk(c, depth + 1);
        }
        first = false;
      }
    }
  }

  void walkTable(cmark_node* table) {
    std::vector<std::string> header;
    std::vector<std::vector<std::string>> rows;
    bool have_header = false;
    for (cmark_node* row = cmark_node_first_child(table); row != nullptr;
         row = cmark_node_next(row)) {
      std::vector<std::string> cells;
      for (cmark_node* cell = cmark_node_first_child(row); cell != nullptr;
           cell = cmark_node_next(cell)) {
        if (!budget_.addCells(1)) return;
        cells.push_back(inlineText(cell));
      }
      if (!have_header) {
        header = std::move(cells);
        have_header = true;
      } else {
        rows.push_back(std::move(cells));
      }
    }
    builder_.addTable(std::move(header), std::move(rows), DocumentBuilder::TableStyle::kPipes);
  }

  DocumentBuilder& builder_;
  ParseBudget& budget_;
};

}  // namespace

Result<ExtractedDocument> parseMarkdown(std::string_view bytes, std::string_view filename,
                                        ParseBudget& budget) {
  static std::once_flag once;
  std::call_once(once, [] { cmark_gfm_core_extensions_ensure_registered(); });

  std::unique_ptr<cmark_parser, ParserDeleter> parser(cmark_parser_new(CMARK_OPT_DEFAULT));
  if (!parser) return Status::resourceExhausted("markdown: cannot create parser");
  if (cmark_syntax_extension* table = cmark_find_syntax_extension("table")) {
    cmark_parser_attach_syntax_extension(parser.get(), table);
  }
  const std::string bounded = limitMarkdownTables(bytes, budget.limits().max_markdown_table_cells);
  for (size_t at = 0; at < bounded.size(); at += kFeedBytes) {
    if (!budget.checkTime()) return ExtractedDocument();
    size_t n = std::min(kFeedBytes, bounded.size() - at);
    cmark_parser_feed(parser.get(), bounded.data() + at, n);
  }
  std::unique_ptr<cmark_node, NodeDeleter> root(cmark_parser_finish(parser.get()));
  if (!root) return Status::invalidArgument("markdown: cannot parse document");

  DocumentBuilder builder(budget);
  MarkdownWalker walker(builder, budget);
  walker.walkChildren(root.get(), 0);
  return builder.finish();
}

}  // namespace ward::ingest
