// Snippets: the best window of a chunk for the query, with matched words marked «like this».
#pragma once

#include <string>
#include <vector>

namespace ward::search {

// `terms` are analyzed query terms, sorted. Returns at most about `max_chars` bytes of `text`,
// cut at word boundaries, with "…" where it was cut.
std::string makeSnippet(const std::string& text, const std::vector<std::string>& terms,
                        size_t max_chars = 240);

}  // namespace ward::search
