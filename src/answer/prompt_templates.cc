// Built-in prompt templates; the contract is in include/ward/answer/prompt_templates.h.
#include "ward/answer/prompt_templates.h"

#include "ward/common/hash.h"

namespace ward::answer {

namespace internal {
extern const char kAnswerTemplateV1[];
extern const char kAnswerNativeTemplateV1[];
}  // namespace internal

const std::vector<PromptTemplate>& builtinPromptTemplates() {
  static const std::vector<PromptTemplate> templates = [] {
    std::vector<PromptTemplate> out;
    auto add = [&out](std::string name, int version, std::string text) {
      std::string hash = sha256Hex(text);
      out.push_back(PromptTemplate{std::move(name), version, std::move(text), std::move(hash)});
    };
    add("answer", 1, internal::kAnswerTemplateV1);
    add("answer_native", 1, internal::kAnswerNativeTemplateV1);
    return out;
  }();
  return templates;
}

const PromptTemplate* findPromptTemplate(std::string_view name) {
  std::string_view base = name;
  int version = 0;
  size_t at = name.find('@');
  if (at != std::string_view::npos) {
    base = name.substr(0, at);
    std::string_view v = name.substr(at + 1);
    if (v.empty() || v.size() > 6) return nullptr;
    for (char c : v) {
      if (c < '0' || c > '9') return nullptr;
      version = version * 10 + (c - '0');
    }
  }
  const PromptTemplate* best = nullptr;
  for (const PromptTemplate& t : builtinPromptTemplates()) {
    if (t.name != base) continue;
    if (version != 0 ? t.version == version : (best == nullptr || t.version > best->version)) {
      best = &t;
    }
  }
  return best;
}

std::string renderPromptTemplate(const PromptTemplate& tpl,
                                 const std::map<std::string, std::string>& vars) {
  std::string out;
  out.reserve(tpl.text.size());
  size_t pos = 0;
  while (pos < tpl.text.size()) {
    size_t open = tpl.text.find("{{", pos);
    if (open == std::string::npos) break;
    size_t close = tpl.text.find("}}", open + 2);
    if (close == std::string::npos) break;
    out.append(tpl.text, pos, open - pos);
    auto it = vars.find(tpl.text.substr(open + 2, close - open - 2));
    if (it != vars.end()) {
      out += it->second;
    } else {
      out.append(tpl.text, open, close + 2 - open);
    }
    pos = close + 2;
  }
  out.append(tpl.text, pos, std::string::npos);
  return out;
}

}  // namespace ward::answer
