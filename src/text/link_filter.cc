// Markdown link and image filtering; the contract is in include/ward/text/link_filter.h.
//
// This is a scanner, not a Markdown parser: it looks for the link-shaped constructs a renderer
// would turn into a fetch or a click and errs on the side of removing. A false positive costs a
// link; a false negative leaks data.
#include "ward/text/link_filter.h"

#include <algorithm>
#include <cctype>
#include <set>

namespace ward::text {

namespace {

char lower(char c) { return static_cast<char>(std::tolower(static_cast<unsigned char>(c))); }

std::string toLower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = lower(c);
  return out;
}

bool isAlnum(char c) { return std::isalnum(static_cast<unsigned char>(c)) != 0; }
bool isSpace(char c) { return std::isspace(static_cast<unsigned char>(c)) != 0; }

std::string_view trim(std::string_view s) {
  while (!s.empty() && (isSpace(s.front()) || static_cast<unsigned char>(s.front()) < 0x20)) {
    s.remove_prefix(1);
  }
  while (!s.empty() && (isSpace(s.back()) || static_cast<unsigned char>(s.back()) < 0x20)) {
    s.remove_suffix(1);
  }
  return s;
}

// The scheme of `url` ("" when it has none): letters, digits, + . - before a ':' that comes
// before any '/', '?' or '#'.
std::string schemeOf(std::string_view url) {
  for (size_t i = 0; i < url.size() && i < 32; ++i) {
    char c = url[i];
    if (c == ':') return i == 0 ? "" : toLower(url.substr(0, i));
    bool ok = std::isalpha(static_cast<unsigned char>(c)) ||
              (i > 0 &&
               (std::isdigit(static_cast<unsigned char>(c)) || c == '+' || c == '.' || c == '-'));
    if (!ok) return "";
  }
  return "";
}

bool hostAllowed(const std::string& host, const std::vector<std::string>& allowed) {
  if (host.empty()) return false;
  for (char c : host) {
    if (!(std::islower(static_cast<unsigned char>(c)) ||
          std::isdigit(static_cast<unsigned char>(c)) || c == '.' || c == '-' || c == '[' ||
          c == ']' || c == ':')) {
      return false;  // non-ASCII (IDN), percent-encoded or otherwise odd: never allowed
    }
  }
  for (const std::string& raw : allowed) {
    std::string entry = toLower(trim(raw));
    while (!entry.empty() && entry.back() == '.') entry.pop_back();
    if (entry.rfind("*.", 0) == 0) {
      std::string suffix = entry.substr(1);  // ".example.com"
      if (host.size() > suffix.size() &&
          host.compare(host.size() - suffix.size(), suffix.size(), suffix) == 0) {
        return true;
      }
    } else if (!entry.empty() && host == entry) {
      return true;
    }
  }
  return false;
}

// Finds the ']' closing the '[' at `open`, with nesting and backslash escapes; npos if none.
size_t closingBracket(std::string_view s, size_t open) {
  int depth = 0;
  for (size_t i = open; i < s.size(); ++i) {
    if (s[i] == '\\') {
      ++i;
    } else if (s[i] == '[') {
      ++depth;
    } else if (s[i] == ']') {
      if (--depth == 0) return i;
    }
  }
  return std::string_view::npos;
}

// Finds the ')' closing the '(' at `open` (nested parentheses, escapes, <...> destinations).
size_t closingParen(std::string_view s, size_t open) {
  int depth = 0;
  bool angle = false;
  for (size_t i = open; i < s.size(); ++i) {
    char c = s[i];
    if (c == '\\') {
      ++i;
    } else if (c == '<' && i == open + 1) {
      angle = true;
    } else if (c == '>' && angle) {
      angle = false;
    } else if (angle) {
      continue;
    } else if (c == '(') {
      ++depth;
    } else if (c == ')') {
      if (--depth == 0) return i;
    } else if (c == '\n' && i + 1 < s.size() && s[i + 1] == '\n') {
      return std::string_view::npos;  // a link destination never spans a blank line
    }
  }
  return std::string_view::npos;
}

// The destination of an inline link's "(...)" contents: the first token, without <...>.
std::string destinationOf(std::string_view inside) {
  inside = trim(inside);
  if (!inside.empty() && inside.front() == '<') {
    size_t end = inside.find('>');
    return std::string(
        inside.substr(1, end == std::string_view::npos ? inside.size() - 1 : end - 1));
  }
  size_t end = 0;
  while (end < inside.size() && !isSpace(inside[end])) ++end;
  return std::string(inside.substr(0, end));
}

// The value of attribute `name` in an HTML tag ("" when absent).
std::string attribute(std::string_view tag, std::string_view name) {
  std::string lowered = toLower(tag);
  size_t pos = 0;
  while ((pos = lowered.find(name, pos)) != std::string::npos) {
    bool boundary = pos > 0 && (isSpace(lowered[pos - 1]) || lowered[pos - 1] == '/');
    size_t i = pos + name.size();
    while (i < tag.size() && isSpace(tag[i])) ++i;
    if (!boundary || i >= tag.size() || tag[i] != '=') {
      pos += name.size();
      continue;
    }
    ++i;
    while (i < tag.size() && isSpace(tag[i])) ++i;
    if (i < tag.size() && (tag[i] == '"' || tag[i] == '\'')) {
      char q = tag[i];
      size_t end = tag.find(q, i + 1);
      return std::string(
          tag.substr(i + 1, end == std::string_view::npos ? std::string_view::npos : end - i - 1));
    }
    size_t end = i;
    while (end < tag.size() && !isSpace(tag[end]) && tag[end] != '>') ++end;
    return std::string(tag.substr(i, end - i));
  }
  return "";
}

bool startsWithNoCase(std::string_view s, size_t at, std::string_view prefix) {
  if (s.size() - at < prefix.size()) return false;
  for (size_t i = 0; i < prefix.size(); ++i) {
    if (lower(s[at + i]) != prefix[i]) return false;
  }
  return true;
}

std::string normalizeLabel(std::string_view label) {
  std::string out;
  bool space = false;
  for (char c : trim(label)) {
    if (isSpace(c)) {
      space = true;
      continue;
    }
    if (space && !out.empty()) out += ' ';
    space = false;
    out += lower(c);
  }
  return out;
}

struct Filter {
  const std::vector<std::string>& allowed;
  std::set<std::string> blocked_labels;
  std::vector<RemovedLink> removed;

  bool allow(const std::string& url, const char* kind) {
    if (linkAllowed(url, allowed)) return true;
    removed.push_back(RemovedLink{kind, url, urlHost(url)});
    return false;
  }

  // Drops `[label]: url` definition lines whose URL is not allowed, remembering their labels.
  std::string dropDefinitions(std::string_view s) {
    std::string out;
    size_t pos = 0;
    while (pos < s.size()) {
      size_t eol = s.find('\n', pos);
      size_t next = eol == std::string_view::npos ? s.size() : eol + 1;
      std::string_view line = s.substr(pos, next - pos);
      size_t i = 0;
      while (i < line.size() && i < 3 && line[i] == ' ') ++i;
      bool dropped = false;
      if (i < line.size() && line[i] == '[') {
        size_t close = closingBracket(line, i);
        if (close != std::string_view::npos && close + 1 < line.size() && line[close + 1] == ':') {
          std::string url = destinationOf(line.substr(close + 2));
          if (!url.empty() && !allow(url, "definition")) {
            blocked_labels.insert(normalizeLabel(line.substr(i + 1, close - i - 1)));
            dropped = true;
          }
        }
      }
      if (!dropped) out.append(line);
      pos = next;
    }
    return out;
  }

  std::string run(std::string_view s) {
    std::string out;
    int open_anchors = 0;  // removed <a> tags whose </a> must go too
    size_t i = 0;
    while (i < s.size()) {
      char c = s[i];
      if (c == '\\' && i + 1 < s.size()) {
        out.append(s.substr(i, 2));
        i += 2;
        continue;
      }
      const bool image = c == '!' && i + 1 < s.size() && s[i + 1] == '[';
      if (c == '[' || image) {
        size_t open = image ? i + 1 : i;
        size_t close = closingBracket(s, open);
        if (close != std::string_view::npos) {
          std::string_view label = s.substr(open + 1, close - open - 1);
          const char* kind = image ? "image" : "link";
          if (close + 1 < s.size() && s[close + 1] == '(') {
            size_t end = closingParen(s, close + 1);
            if (end != std::string_view::npos) {
              std::string url = destinationOf(s.substr(close + 2, end - close - 2));
              if (allow(url, kind)) {
                out += image ? "!" : "";
                out += "[" + run(label) + "]";
                out.append(s.substr(close + 1, end - close));
              } else {
                out += run(label);
              }
              i = end + 1;
              continue;
            }
          }
          // Reference forms: [text][ref], [ref][], [ref].
          std::string ref = normalizeLabel(label);
          size_t after = close + 1;
          if (close + 1 < s.size() && s[close + 1] == '[') {
            size_t rclose = closingBracket(s, close + 1);
            if (rclose != std::string_view::npos) {
              std::string_view r = s.substr(close + 2, rclose - close - 2);
              if (!trim(r).empty()) ref = normalizeLabel(r);
              after = rclose + 1;
            }
          }
          if (blocked_labels.count(ref)) {
            removed.push_back(RemovedLink{"reference", ref, ""});
            out += run(label);
            i = after;
            continue;
          }
          out += image ? "![" : "[";
          out += run(label);
          out += "]";
          i = close + 1;
          continue;
        }
      }
      if (c == '<') {
        size_t end = s.find('>', i);
        if (end != std::string_view::npos) {
          std::string_view tag = s.substr(i, end - i + 1);
          std::string_view inner = s.substr(i + 1, end - i - 1);
          if (startsWithNoCase(s, i, "<img")) {
            std::string src = attribute(tag, "src");
            std::string srcset = attribute(tag, "srcset");
            if (!srcset.empty() || !allow(src, "html_img")) {
              if (!srcset.empty()) removed.push_back(RemovedLink{"html_img", srcset, ""});
              i = end + 1;
              continue;
            }
          } else if (startsWithNoCase(s, i, "<a ") || startsWithNoCase(s, i, "<a\n") ||
                     startsWithNoCase(s, i, "<a\t")) {
            if (!allow(attribute(tag, "href"), "html_link")) {
              ++open_anchors;
              i = end + 1;
              continue;
            }
          } else if (open_anchors > 0 && startsWithNoCase(s, i, "</a>")) {
            --open_anchors;
            i = end + 1;
            continue;
          } else if (!schemeOf(inner).empty() &&
                     std::none_of(inner.begin(), inner.end(),
                                  [](char ch) { return isSpace(ch) || ch == '<'; })) {
            if (!allow(std::string(inner), "autolink")) {
              i = end + 1;
              continue;
            }
          }
          out.append(tag);
          i = end + 1;
          continue;
        }
      }
      const bool boundary = i == 0 || !(isAlnum(s[i - 1]) || s[i - 1] == '/' || s[i - 1] == '.');
      if (boundary && (startsWithNoCase(s, i, "http://") || startsWithNoCase(s, i, "https://") ||
                       startsWithNoCase(s, i, "www."))) {
        size_t end = i;
        while (end < s.size() && !isSpace(s[end]) && s[end] != '<') ++end;
        while (end > i &&
               std::string_view(".,;:!?)'\"*_").find(s[end - 1]) != std::string_view::npos) {
          --end;
        }
        std::string url(s.substr(i, end - i));
        std::string as_url = startsWithNoCase(url, 0, "www.") ? "http://" + url : url;
        if (!linkAllowed(as_url, allowed)) {
          removed.push_back(RemovedLink{"url", url, urlHost(as_url)});
          i = end;
          continue;
        }
        out.append(url);
        i = end;
        continue;
      }
      out += c;
      ++i;
    }
    return out;
  }
};

}  // namespace

std::string urlHost(std::string_view url) {
  url = trim(url);
  std::string scheme = schemeOf(url);
  size_t pos = 0;
  if (!scheme.empty()) {
    pos = scheme.size() + 1;
  } else if (!(url.size() >= 2 && (url[0] == '/' || url[0] == '\\') &&
               (url[1] == '/' || url[1] == '\\'))) {
    return "";  // relative
  }
  if (!scheme.empty() && scheme != "http" && scheme != "https" && scheme != "ftp" &&
      scheme != "ws" && scheme != "wss") {
    return "";
  }
  while (pos < url.size() && (url[pos] == '/' || url[pos] == '\\')) ++pos;
  size_t end = pos;
  while (end < url.size() && std::string_view("/?#\\").find(url[end]) == std::string_view::npos) {
    ++end;
  }
  std::string_view authority = url.substr(pos, end - pos);
  size_t at = authority.rfind('@');
  if (at != std::string_view::npos) authority.remove_prefix(at + 1);
  if (!authority.empty() && authority.front() != '[') {
    size_t colon = authority.rfind(':');
    if (colon != std::string_view::npos) authority = authority.substr(0, colon);
  }
  std::string host = toLower(authority);
  while (!host.empty() && host.back() == '.') host.pop_back();
  return host;
}

bool linkAllowed(std::string_view raw_url, const std::vector<std::string>& allowed_hosts) {
  // Browsers drop tabs and newlines inside URLs ("java\tscript:"), so the check does too.
  std::string cleaned;
  for (char c : raw_url) {
    if (c != '\t' && c != '\n' && c != '\r') cleaned += c;
  }
  std::string_view url = trim(cleaned);
  if (url.empty()) return true;  // "[text]()" points nowhere
  std::string scheme = schemeOf(url);
  const bool scheme_relative =
      url.size() >= 2 && (url[0] == '/' || url[0] == '\\') && (url[1] == '/' || url[1] == '\\');
  if (scheme.empty() && !scheme_relative) return true;  // relative: the page's own origin
  if (!scheme.empty() && scheme != "http" && scheme != "https") return false;
  return hostAllowed(urlHost(url), allowed_hosts);
}

FilteredText filterLinks(std::string_view markdown, const std::vector<std::string>& allowed_hosts) {
  Filter f{allowed_hosts, {}, {}};
  std::string without_defs = f.dropDefinitions(markdown);
  FilteredText out;
  out.text = f.run(without_defs);
  out.removed = std::move(f.removed);
  return out;
}

}  // namespace ward::text
