// Rendered prompts, kept apart from the trace spans that refer to them (format:
// docs/formats/prompt-store.md). A model_call span carries only the prompt's template id and
// SHA-256; the (already redacted) text lives here, one content-addressed file per prompt and
// tenant, readable through TraceService only by members of the auditors group.
//
// Thread-safe: put() writes via a temporary file and rename, so concurrent puts of the same
// prompt leave one complete file.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "ward/common/json.h"
#include "ward/common/status.h"
#include "ward/io/file_system.h"

namespace ward::audit {

inline constexpr size_t kMaxPromptBytes = 256 * 1024;

struct StoredPrompt {
  std::string tenant;
  std::string template_id;
  std::string sha256;  // lowercase hex SHA-256 of `text`
  std::string text;    // redacted rendered prompt
  int64_t created_us = 0;
  Json toJson() const;
};

class PromptStore {
 public:
  // `dir` is <data>/prompts (created on first put). `fs` must outlive the store (null: POSIX).
  explicit PromptStore(std::string dir, io::FileSystem* fs = nullptr);

  // Stores `text` (already redacted) and returns its SHA-256; an existing equal prompt is kept.
  // InvalidArgument past kMaxPromptBytes.
  Result<std::string> put(const std::string& tenant, const std::string& template_id,
                          const std::string& text, int64_t now_us);
  // NotFound if absent; Corruption if the file does not match its name or format.
  Result<StoredPrompt> get(const std::string& tenant, const std::string& sha256) const;

 private:
  std::string pathOf(const std::string& tenant, const std::string& sha256) const;
  std::string dir_;
  io::FileSystem* fs_;
};

}  // namespace ward::audit
