// A prompt template split into named sections, for `ward eval stability` (docs/formats/
// prompt-template.md): the built-in answer templates with their sections, a template file (TOML)
// read strictly and written back, and the variants that drop sections. The template's text is
// its sections' texts concatenated, verbatim, so the built-in split renders the built-in text
// byte for byte. Pure functions.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "ward/answer/prompt_templates.h"
#include "ward/common/status.h"

namespace ward::eval {

// Limits (docs/formats/prompt-template.md "Limits").
constexpr size_t kMaxTemplateFileBytes = 64 * 1024;  // a template file
constexpr size_t kMaxTemplateSections = 32;          // [[sections]] in one template
constexpr size_t kMaxSectionIdBytes = 64;            // a section id ([a-z0-9_-])
// Bytes per token of the estimate Ward's token budgets reserve at admission (prompt bytes / 4,
// include/ward/models/token_budgets.h); tokens saved are counted with it.
constexpr size_t kBytesPerTokenEstimate = 4;

// What the template's author says removing a section should do; `ward eval stability` exits 1
// when the measured verdict contradicts it.
enum class SectionExpect { kNone, kRemovable, kNeeded };

struct TemplateSection {
  std::string id;
  std::string text;  // verbatim, with {{placeholders}}
  SectionExpect expect = SectionExpect::kNone;
};

struct SectionedTemplate {
  std::string base;    // the built-in template it stands in for: "answer" or "answer_native"
  std::string source;  // "built-in" or the file's path
  std::vector<TemplateSection> sections;

  // The sections' texts concatenated, leaving out the ids in `drop`.
  std::string text(const std::set<std::string>& drop = {}) const;
  // The same as a template the answer loop takes (AnswerRequest::template_override): named
  // `base`, version 0, with the SHA-256 of its text.
  std::shared_ptr<const answer::PromptTemplate> variant(const std::set<std::string>& drop) const;
};

// The built-in template `name` ("answer", "answer_native"; "default" = "answer") split into its
// sections: role, fence (the untrusted-content notice), format (the output-format
// instructions), citations (the citation instructions), no_answer. NotFound for another name;
// Internal when the built-in text no longer splits (a test keeps it true).
Result<SectionedTemplate> builtinSectionedTemplate(std::string_view name);

// Parses a template file: `template = "answer" | "answer_native"` and 1..kMaxTemplateSections
// `[[sections]]` of {id, text, expect?}. InvalidArgument naming the file and the problem (an
// unknown key, a duplicate or malformed id, an empty text, a limit exceeded).
Result<SectionedTemplate> parseTemplateFile(const std::string& toml_text, const std::string& path);

// `--template T`: a built-in name (as builtinSectionedTemplate), else a file path.
Result<SectionedTemplate> loadTemplate(const std::string& spec);

// The template as a file parseTemplateFile reads back to the same sections (`--dump`).
std::string templateFileText(const SectionedTemplate& t);

// Tokens of `text` by the budget estimate: ceil(bytes / kBytesPerTokenEstimate).
int64_t estimateTokens(std::string_view text);

// The template text as the model receives it: {{marker}} replaced by a marker of the real
// length ("ward-data " and 16 hex digits), other placeholders as they are.
std::string renderedForEstimate(const std::string& text);

}  // namespace ward::eval
