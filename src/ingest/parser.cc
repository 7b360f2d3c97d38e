// Format detection and dispatch. Each format registers one row in kFormats; extensions map to
// formats in kExtensions. Adding a format is a parser function plus a row in each table.
#include "ward/ingest/parser.h"

#include <algorithm>
#include <exception>
#include <new>

#include "parse_sandbox.h"
#include "parsers.h"

namespace ward::ingest {

namespace {

using FormatParser = Result<ExtractedDocument> (*)(std::string_view, std::string_view,
                                                   ParseBudget&);

// Where a format's parser runs (parse_sandbox.h): the formats whose libraries cannot be bounded
// from inside run in a child process, always or from ParseLimits::sandbox_min_bytes on.
enum class Isolation { kInProcess, kChildWhenLarge, kChild };

struct FormatEntry {
  std::string_view name;
  FormatParser parse;
  bool binary;          // the parser gets the raw bytes (it repairs its own text output)
  bool detect_clauses;  // prose formats: split numbered clauses
  Isolation isolation;
};

constexpr FormatEntry kFormats[] = {
    {"markdown", parseMarkdown, false, true, Isolation::kChildWhenLarge},
    {"text", parseText, false, true, Isolation::kInProcess},
    {"html", parseHtml, false, true, Isolation::kChildWhenLarge},
    {"pdf", parsePdf, true, true, Isolation::kChild},
    {"csv", parseCsv, false, false, Isolation::kInProcess},
    {"tsv", parseTsv, false, false, Isolation::kInProcess},
    {"code", parseCode, false, false, Isolation::kInProcess},
};

struct ExtensionEntry {
  std::string_view extension;  // lowercase, without the dot
  std::string_view format;
};

constexpr ExtensionEntry kExtensions[] = {
    {"md", "markdown"}, {"markdown", "markdown"}, {"txt", "text"},   {"text", "text"},
    {"rst", "text"},    {"html", "html"},         {"htm", "html"},   {"pdf", "pdf"},
    {"csv", "csv"},     {"tsv", "tsv"},           {"c", "code"},     {"h", "code"},
    {"cc", "code"},     {"cpp", "code"},          {"cxx", "code"},   {"hpp", "code"},
    {"hh", "code"},     {"hxx", "code"},          {"py", "code"},    {"js", "code"},
    {"mjs", "code"},    {"cjs", "code"},          {"jsx", "code"},   {"ts", "code"},
    {"tsx", "code"},    {"go", "code"},           {"java", "code"},  {"rs", "code"},
    {"sh", "code"},     {"bash", "code"},         {"rb", "code"},    {"kt", "code"},
    {"swift", "code"},  {"cs", "code"},           {"scala", "code"}, {"php", "code"},
};

const FormatEntry* findFormat(std::string_view name) {
  for (const auto& f : kFormats) {
    if (f.name == name) return &f;
  }
  return nullptr;
}

std::string joinedFormats() {
  std::string out;
  for (const auto& f : kFormats) {
    if (!out.empty()) out += ", ";
    out += f.name;
  }
  return out;
}

// Drops blocks that fall outside the text or out of order, so a parser bug cannot hand the
// chunker ranges it would have to distrust.
void sanitizeBlocks(ExtractedDocument& doc) {
  size_t last_end = 0;
  auto bad = [&](const Block& b) {
    bool ok = b.start <= b.end && b.end <= doc.text.size() && b.start >= last_end;
    if (ok) last_end = b.end;
    return !ok;
  };
  doc.blocks.erase(std::remove_if(doc.blocks.begin(), doc.blocks.end(), bad), doc.blocks.end());
}

}  // namespace

std::optional<std::string> detectFormat(std::string_view filename) {
  size_t slash = filename.find_last_of("/\\");
  if (slash != std::string_view::npos) filename.remove_prefix(slash + 1);
  size_t dot = filename.rfind('.');
  if (dot == std::string_view::npos || dot + 1 >= filename.size()) return std::nullopt;
  std::string ext(filename.substr(dot + 1));
  for (char& c : ext) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  for (const auto& e : kExtensions) {
    if (e.extension == ext) return std::string(e.format);
  }
  return std::nullopt;
}

std::vector<std::string> supportedFormats() {
  std::vector<std::string> out;
  for (const auto& f : kFormats) out.emplace_back(f.name);
  return out;
}

Result<ExtractedDocument> extractDocument(std::string_view format, std::string_view bytes,
                                          std::string_view filename, const ParseLimits& limits) {
  const FormatEntry* entry = findFormat(format);
  if (entry == nullptr) {
    return Status::invalidArgument("unsupported format '" + std::string(format) +
                                   "'; supported: " + joinedFormats());
  }
  const bool in_child =
      entry->isolation == Isolation::kChild ||
      (entry->isolation == Isolation::kChildWhenLarge && bytes.size() >= limits.sandbox_min_bytes);
  auto parse = [&]() -> Result<ExtractedDocument> {
    try {
      ParseBudget budget(format, limits);
      Result<ExtractedDocument> result = Status::internal("unreachable");
      if (entry->binary) {
        result = entry->parse(bytes, filename, budget);
      } else {
        std::string repaired = repairUtf8(bytes);
        result = entry->parse(repaired, filename, budget);
      }
      if (budget.exhausted()) return budget.status();
      return result;
    } catch (const std::bad_alloc&) {
      if (in_child) {
        return Status::resourceExhausted(std::string(format) + ": needs more than " +
                                         describeBytes(limits.memory_bytes) +
                                         " of memory (the parse limit); not ingested");
      }
      return Status::resourceExhausted(std::string(format) + ": out of memory while parsing");
    } catch (const std::exception& e) {
      return Status::invalidArgument(std::string(format) + ": cannot parse: " + e.what());
    } catch (...) {
      return Status::invalidArgument(std::string(format) + ": cannot parse");
    }
  };
  Result<ExtractedDocument> result = in_child ? parseInChild(format, limits, parse) : parse();
  if (!result.ok()) return result;
  // Whatever a parser counted, its whole output stays within the limits.
  ParseBudget check(format, limits);
  if (!check.addOutput(result->text.size()) || !check.addBlocks(result->blocks.size())) {
    return check.status();
  }
  try {
    if (entry->detect_clauses) splitClauses(result.value());
    sanitizeBlocks(result.value());
  } catch (const std::bad_alloc&) {
    return Status::resourceExhausted(std::string(format) + ": out of memory while parsing");
  }
  return result;
}

}  // namespace ward::ingest
