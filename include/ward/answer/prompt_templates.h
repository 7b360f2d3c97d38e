// Versioned prompt templates built into Ward (docs/design/answer.md, "Prompt templates"): files
// under src/answer/templates/ compiled in, each with a name, a version and the SHA-256 of its
// text, which every model-backed answer records. `ward prompts list|show NAME` prints them.
// Immutable after first use; thread-safe.
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace ward::answer {

struct PromptTemplate {
  std::string name;
  int version = 0;
  std::string text;    // with {{placeholders}}
  std::string sha256;  // of text, hex
};

// Every built-in template, sorted by name then version.
const std::vector<PromptTemplate>& builtinPromptTemplates();
// "answer" (the newest version) or "answer@1"; null when there is none.
const PromptTemplate* findPromptTemplate(std::string_view name);
// The template's text with each {{key}} of `vars` replaced (unknown placeholders stay).
std::string renderPromptTemplate(const PromptTemplate& tpl,
                                 const std::map<std::string, std::string>& vars);

}  // namespace ward::answer
