// Storage format to HTML (confluence_storage.h).
#include "confluence_storage.h"

#include <libxml/HTMLparser.h>
#include <libxml/tree.h>

#include <memory>

namespace ward::ingest {

namespace {

// libxml2's HTML parser stops at this depth too (html_parser.cc): the walk is bounded by it.
constexpr int kMaxDepth = 256;

struct DocDeleter {
  void operator()(xmlDoc* d) const { xmlFreeDoc(d); }
};

// The element's local name: libxml2's HTML parser drops the `ac:`/`ri:` prefix of a tag (it
// keeps an attribute's), and a prefix that survives is dropped here, so both read the same.
std::string_view nameOf(const xmlNode* n) {
  if (n->name == nullptr) return std::string_view();
  std::string_view name(reinterpret_cast<const char*>(n->name));
  size_t colon = name.rfind(':');
  return colon == std::string_view::npos ? name : name.substr(colon + 1);
}

std::string attr(const xmlNode* n, const char* name) {
  for (const xmlAttr* a = n->properties; a != nullptr; a = a->next) {
    if (a->name != nullptr && std::string_view(reinterpret_cast<const char*>(a->name)) == name) {
      xmlChar* v = xmlNodeListGetString(n->doc, a->children, 1);
      std::string out = v == nullptr ? "" : reinterpret_cast<const char*>(v);
      xmlFree(v);
      return out;
    }
  }
  return "";
}

void appendEscaped(std::string& out, std::string_view text) {
  for (char c : text) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      default:
        out += c;
    }
  }
}

std::string textOf(const xmlNode* n) {
  xmlChar* v = xmlNodeGetContent(n);
  std::string out = v == nullptr ? "" : reinterpret_cast<const char*>(v);
  xmlFree(v);
  return out;
}

const xmlNode* child(const xmlNode* n, std::string_view name) {
  for (const xmlNode* c = n->children; c != nullptr; c = c->next) {
    if (c->type == XML_ELEMENT_NODE && nameOf(c) == name) return c;
  }
  return nullptr;
}

// Elements kept as they are (without attributes).
bool isKept(std::string_view name) {
  static constexpr std::string_view kKept[] = {
      "h1",   "h2",         "h3",     "h4",    "h5",    "h6", "p",      "div", "ul",      "ol",
      "li",   "table",      "thead",  "tbody", "tfoot", "tr", "th",     "td",  "caption", "pre",
      "code", "blockquote", "strong", "em",    "b",     "i",  "u",      "s",   "del",     "sub",
      "sup",  "dl",         "dt",     "dd",    "span",  "a",  "section"};
  for (auto k : kKept) {
    if (k == name) return true;
  }
  return false;
}

bool isDropped(std::string_view name) {
  static constexpr std::string_view kDropped[] = {
      "script", "style", "iframe", "object", "embed", "parameter", "image", "emoticon",
      "placeholder", "task-id", "task-status", "task-uuid", "default-parameter",
      // resource identifiers (ri:) carry no text of their own
      "page", "blog-post", "attachment", "url", "shortcut", "user", "space", "content-entity"};
  for (auto d : kDropped) {
    if (d == name) return true;
  }
  return false;
}

void walk(const xmlNode* n, std::string& out, int depth);

void children(const xmlNode* n, std::string& out, int depth) {
  for (const xmlNode* c = n->children; c != nullptr; c = c->next) walk(c, out, depth + 1);
}

void wrap(const char* tag, const xmlNode* n, std::string& out, int depth) {
  out += "<";
  out += tag;
  out += ">";
  children(n, out, depth);
  out += "</";
  out += tag;
  out += ">";
}

void macro(const xmlNode* n, std::string& out, int depth) {
  const xmlNode* plain = child(n, "plain-text-body");
  const xmlNode* rich = child(n, "rich-text-body");
  if (plain != nullptr) {
    out += "<pre>";
    appendEscaped(out, textOf(plain));
    out += "</pre>";
  } else if (rich != nullptr) {
    wrap("div", rich, out, depth);
  }
  // Body-less macros (toc, children, jira, ...) render from elsewhere: nothing to index.
}

void link(const xmlNode* n, std::string& out) {
  std::string text;
  if (const xmlNode* body = child(n, "plain-text-link-body")) text = textOf(body);
  if (text.empty()) {
    if (const xmlNode* body = child(n, "link-body")) text = textOf(body);
  }
  if (text.empty()) {
    if (const xmlNode* page = child(n, "page")) text = attr(page, "ri:content-title");
  }
  if (text.empty()) {
    if (const xmlNode* a = child(n, "attachment")) text = attr(a, "ri:filename");
  }
  if (text.empty()) {
    if (const xmlNode* u = child(n, "url")) text = attr(u, "ri:value");
  }
  if (!text.empty()) {
    out += ' ';
    appendEscaped(out, text);
    out += ' ';
  }
}

void walk(const xmlNode* n, std::string& out, int depth) {
  if (depth > kMaxDepth) return;
  if (n->type == XML_TEXT_NODE || n->type == XML_CDATA_SECTION_NODE) {
    if (n->content != nullptr) appendEscaped(out, reinterpret_cast<const char*>(n->content));
    return;
  }
  if (n->type != XML_ELEMENT_NODE) return;
  const std::string_view name = nameOf(n);
  if (isDropped(name)) return;
  if (name == "br") {
    out += "<br>";
  } else if (name == "hr") {
    out += "<hr>";
  } else if (isKept(name)) {
    std::string tag(name);
    wrap(tag.c_str(), n, out, depth);
  } else if (name == "structured-macro" || name == "macro") {
    macro(n, out, depth);
  } else if (name == "link") {
    link(n, out);
  } else if (name == "task-list") {
    wrap("ul", n, out, depth);
  } else if (name == "task") {
    wrap("li", n, out, depth);
  } else if (name == "layout" || name == "layout-section" || name == "layout-cell" ||
             name == "rich-text-body") {
    wrap("div", n, out, depth);
  } else if (name == "plain-text-body") {
    out += "<pre>";
    appendEscaped(out, textOf(n));
    out += "</pre>";
  } else {
    children(n, out, depth);  // any other element: its content
  }
}

// CDATA sections as escaped text (the HTML parser does not read them).
std::string withoutCdata(std::string_view storage) {
  std::string out;
  out.reserve(storage.size() + 64);
  size_t at = 0;
  while (true) {
    size_t open = storage.find("<![CDATA[", at);
    if (open == std::string_view::npos) {
      out.append(storage.substr(at));
      return out;
    }
    out.append(storage.substr(at, open - at));
    size_t body = open + 9;
    size_t close = storage.find("]]>", body);
    appendEscaped(out, storage.substr(body, close == std::string_view::npos ? std::string_view::npos
                                                                            : close - body));
    if (close == std::string_view::npos) return out;
    at = close + 3;
  }
}

}  // namespace

std::string confluenceStorageToHtml(std::string_view storage, std::string_view title) {
  std::string text = "<html><body>" + withoutCdata(storage) + "</body></html>";
  std::unique_ptr<xmlDoc, DocDeleter> doc(htmlReadMemory(
      text.data(), static_cast<int>(text.size()), nullptr, "UTF-8",
      HTML_PARSE_RECOVER | HTML_PARSE_NONET | HTML_PARSE_NOERROR | HTML_PARSE_NOWARNING));
  std::string out = "<html><head><title>";
  appendEscaped(out, title);
  out += "</title></head><body>";
  if (doc != nullptr) {
    const xmlNode* root = xmlDocGetRootElement(doc.get());
    const xmlNode* body = root == nullptr ? nullptr : child(root, "body");
    if (body != nullptr) children(body, out, 0);
  }
  out += "</body></html>";
  return out;
}

}  // namespace ward::ingest
