// Private to the ingest module: running one parse in a forked child process under hard limits.
//
// poppler, cmark-gfm and libxml2 allocate and loop as their input tells them: a 1.6 MB PDF made
// poppler use 11.7 GB for 179 s, and nothing inside them can be told to stop. So extractDocument
// runs them in a child (fork) with RLIMIT_AS = what the process already maps + memory_bytes and
// RLIMIT_CPU = cpu_seconds; the parent waits at most wall_seconds for the child's answer on a
// pipe, then kills it. A child that dies (out of memory, CPU limit, a crash in the library)
// becomes one per-file error naming the likely limit; the parent is never at risk.
//
// Fork safety: the child runs only the parse (the libraries, malloc, our code) on the calling
// thread, then _exit()s without running destructors or atexit handlers. glibc keeps malloc usable
// across fork; the parsing libraries' own locks are only taken by parsing threads, and a child
// that deadlocks on a lock another thread held at fork time is killed at the wall-clock limit.
#pragma once

#include <functional>
#include <string>

#include "ward/common/status.h"
#include "ward/ingest/extracted_document.h"
#include "ward/ingest/parse_limits.h"

namespace ward::ingest {

using ParseFn = std::function<Result<ExtractedDocument>()>;

// Runs `parse` in a child under `limits`; `format` prefixes the errors ("pdf: ...").
Result<ExtractedDocument> parseInChild(std::string_view format, const ParseLimits& limits,
                                       const ParseFn& parse);

// The wire form of a parse's answer between the child and the parent (exposed for tests).
std::string encodeParseResult(const Result<ExtractedDocument>& result);
Result<ExtractedDocument> decodeParseResult(std::string_view bytes);

}  // namespace ward::ingest
