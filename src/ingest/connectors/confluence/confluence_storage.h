// Confluence's storage format (XHTML-based, with `ac:` macros and `ri:` resource identifiers) to
// plain HTML for Ward's HTML parser, so that headings, lists, tables and code blocks reach the
// chunker as structure (docs/design/ingest.md, "Confluence"). HTML elements are kept without
// their attributes; `ac:`/`ri:` elements become text or are dropped:
//   code and noformat macros (and any macro with a plain-text body) -> <pre> of the body;
//   macros with a rich-text body (info, note, panel, expand, ...) -> a <div> of the body;
//   other macros (toc, children, jira, ...), macro parameters, images, emoticons, placeholders,
//   task ids and statuses, user mentions -> dropped;
//   links -> their link text, else the target page's title, attachment's file name or URL;
//   task lists -> lists; layouts -> divs; any other ac: element -> its content.
// CDATA sections become (escaped) text. Pure; never fails (libxml2's forgiving HTML parser
// recovers from any input). Private to the ingest module.
#pragma once

#include <string>
#include <string_view>

namespace ward::ingest {

std::string confluenceStorageToHtml(std::string_view storage, std::string_view title);

}  // namespace ward::ingest
