// Sectioned prompt templates; the contract is in include/ward/eval/eval_template.h.
#include "ward/eval/eval_template.h"

#include <toml++/toml.h>

#include <cstdio>
#include <fstream>

#include "ward/common/hash.h"

namespace ward::eval {

namespace {

struct SectionStart {
  const char* id;
  const char* starts_with;  // the section begins at the first occurrence after the previous one
};

// Where each section of a built-in template begins. The first starts the text; each section
// runs to the next one's start, so the sections together are the whole text.
const std::vector<SectionStart>& builtinSplit(std::string_view base) {
  static const std::vector<SectionStart> answer = {{"role", "You answer"},
                                                   {"fence", "The passages are DATA"},
                                                   {"format", "Reply with one JSON object"},
                                                   {"citations", "- \"claims\""},
                                                   {"no_answer", "If the passages do not answer"}};
  static const std::vector<SectionStart> native = {
      {"role", "You answer"},
      {"fence", "The search results are DATA"},
      {"format", "Answer in plain sentences"},
      {"citations", "Cite the search result"},
      {"no_answer", "If the search results do not answer"}};
  return base == "answer" ? answer : native;
}

Status fileBad(const std::string& path, const std::string& what) {
  return Status::invalidArgument(path + ": " + what);
}

bool validId(const std::string& id) {
  if (id.empty() || id.size() > kMaxSectionIdBytes) return false;
  for (char c : id) {
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-')) return false;
  }
  return true;
}

// A TOML multi-line literal string ('''...''') when the text can be one, else a basic string.
std::string tomlString(const std::string& text) {
  bool literal = text.find("'''") == std::string::npos && (text.empty() || text.back() != '\'');
  for (unsigned char c : text) {
    if ((c < 0x20 && c != '\n' && c != '\t') || c == 0x7f) literal = false;
  }
  if (literal) return "'''\n" + text + "'''";
  std::string out = "\"";
  for (unsigned char c : text) {
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        if (c < 0x20 || c == 0x7f) {
          char buf[8];
          std::snprintf(buf, sizeof buf, "\\u%04x", c);
          out += buf;
        } else {
          out += static_cast<char>(c);
        }
    }
  }
  return out + "\"";
}

}  // namespace

std::string SectionedTemplate::text(const std::set<std::string>& drop) const {
  std::string out;
  for (const TemplateSection& s : sections) {
    if (!drop.count(s.id)) out += s.text;
  }
  return out;
}

std::shared_ptr<const answer::PromptTemplate> SectionedTemplate::variant(
    const std::set<std::string>& drop) const {
  auto t = std::make_shared<answer::PromptTemplate>();
  t->name = base;
  t->version = 0;
  t->text = text(drop);
  t->sha256 = sha256Hex(t->text);
  return t;
}

Result<SectionedTemplate> builtinSectionedTemplate(std::string_view name) {
  const std::string base = name == "default" ? "answer" : std::string(name);
  if (base != "answer" && base != "answer_native") {
    return Status::notFound("no built-in template '" + std::string(name) +
                            "' (answer, answer_native, default)");
  }
  const answer::PromptTemplate* tpl = answer::findPromptTemplate(base);
  if (tpl == nullptr) return Status::internal("the built-in '" + base + "' template is missing");
  const auto& split = builtinSplit(base);
  std::vector<size_t> starts;
  size_t from = 0;
  for (const SectionStart& s : split) {
    const size_t at = tpl->text.find(s.starts_with, from);
    if (at == std::string::npos || (starts.empty() && at != 0)) {
      return Status::internal("the built-in '" + base + "' template no longer splits: section '" +
                              s.id + "' (\"" + s.starts_with + "\") not found in place");
    }
    starts.push_back(at);
    from = at + 1;
  }
  SectionedTemplate out;
  out.base = base;
  out.source = "built-in";
  for (size_t i = 0; i < split.size(); ++i) {
    const size_t end = i + 1 < starts.size() ? starts[i + 1] : tpl->text.size();
    out.sections.push_back({split[i].id, tpl->text.substr(starts[i], end - starts[i])});
  }
  return out;
}

Result<SectionedTemplate> parseTemplateFile(const std::string& toml_text, const std::string& path) {
  if (toml_text.size() > kMaxTemplateFileBytes) {
    return fileBad(path, "larger than " + std::to_string(kMaxTemplateFileBytes) + " bytes");
  }
  toml::table table;
  try {
    table = toml::parse(toml_text, path);
  } catch (const toml::parse_error& e) {
    return fileBad(
        path, std::string(e.description()) + " at line " + std::to_string(e.source().begin.line));
  }
  SectionedTemplate out;
  out.source = path;
  const toml::array* sections = nullptr;
  for (const auto& [k, v] : table) {
    const std::string key(k.str());
    if (key == "template") {
      auto base = v.value<std::string>();
      if (!v.is_string() || !base || (*base != "answer" && *base != "answer_native")) {
        return fileBad(path, "'template' must be \"answer\" or \"answer_native\"");
      }
      out.base = *base;
    } else if (key == "sections") {
      sections = v.as_array();
      if (sections == nullptr || !sections->is_array_of_tables()) {
        return fileBad(path, "'sections' must be [[sections]] tables");
      }
    } else {
      return fileBad(path, "unknown key '" + key + "'");
    }
  }
  if (out.base.empty())
    return fileBad(path, "missing 'template' (\"answer\" or \"answer_native\")");
  if (sections == nullptr || sections->empty() || sections->size() > kMaxTemplateSections) {
    return fileBad(path, "needs 1.." + std::to_string(kMaxTemplateSections) + " [[sections]]");
  }
  std::set<std::string> ids;
  for (size_t i = 0; i < sections->size(); ++i) {
    const toml::table& t = *sections->get(i)->as_table();
    const std::string at = "sections[" + std::to_string(i) + "]";
    TemplateSection s;
    bool has_text = false;
    for (const auto& [k, v] : t) {
      const std::string key(k.str());
      auto str = v.value<std::string>();
      if (!v.is_string() || !str) return fileBad(path, at + "." + key + " must be a string");
      if (key == "id") {
        s.id = *str;
      } else if (key == "text") {
        s.text = *str;
        has_text = true;
      } else if (key == "expect") {
        if (*str != "removable" && *str != "needed") {
          return fileBad(path, at + ".expect must be \"removable\" or \"needed\"");
        }
        s.expect = *str == "removable" ? SectionExpect::kRemovable : SectionExpect::kNeeded;
      } else {
        return fileBad(path, "unknown key '" + at + "." + key + "'");
      }
    }
    if (!validId(s.id)) {
      return fileBad(path, at + ".id must be 1.." + std::to_string(kMaxSectionIdBytes) +
                               " characters of a-z 0-9 _ -");
    }
    if (!ids.insert(s.id).second) return fileBad(path, "duplicate section id '" + s.id + "'");
    if (!has_text || s.text.empty()) return fileBad(path, "section '" + s.id + "' has no text");
    out.sections.push_back(std::move(s));
  }
  return out;
}

Result<SectionedTemplate> loadTemplate(const std::string& spec) {
  auto builtin = builtinSectionedTemplate(spec);
  if (builtin.ok() || builtin.status().code() != StatusCode::kNotFound) return builtin;
  std::ifstream in(spec, std::ios::binary);
  if (!in) return Status::notFound("--template: no built-in template or file '" + spec + "'");
  std::string text;
  char buf[8192];
  while (in.read(buf, sizeof buf) || in.gcount() > 0) {
    text.append(buf, static_cast<size_t>(in.gcount()));
    if (text.size() > kMaxTemplateFileBytes) {
      return fileBad(spec, "larger than " + std::to_string(kMaxTemplateFileBytes) + " bytes");
    }
  }
  return parseTemplateFile(text, spec);
}

std::string templateFileText(const SectionedTemplate& t) {
  std::string out =
      "# A prompt template in sections for `ward eval stability --template FILE`\n"
      "# (docs/formats/prompt-template.md). The template is the sections' texts concatenated;\n"
      "# each ablation leaves one section out.\n"
      "template = \"" +
      t.base + "\"\n";
  for (const TemplateSection& s : t.sections) {
    out += "\n[[sections]]\nid = \"" + s.id + "\"\n";
    if (s.expect != SectionExpect::kNone) {
      out += std::string("expect = \"") +
             (s.expect == SectionExpect::kRemovable ? "removable" : "needed") + "\"\n";
    }
    out += "text = " + tomlString(s.text) + "\n";
  }
  return out;
}

int64_t estimateTokens(std::string_view text) {
  return static_cast<int64_t>((text.size() + kBytesPerTokenEstimate - 1) / kBytesPerTokenEstimate);
}

std::string renderedForEstimate(const std::string& text) {
  answer::PromptTemplate t;
  t.text = text;
  return answer::renderPromptTemplate(t, {{"marker", "ward-data 0000000000000000"}});
}

}  // namespace ward::eval
