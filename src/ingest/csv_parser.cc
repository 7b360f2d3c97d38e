// CSV (RFC 4180) and TSV. Quoted fields may hold the delimiter, line breaks and doubled quotes;
// an unterminated quote runs to the end of the file. The first row is the header; ragged rows are
// kept as they are (missing cells read as empty). The extracted text is the header line followed by
// one "column: value; column: value" line per row, all in one kTable block.
#include <string>
#include <utility>

#include "parsers.h"

namespace ward::ingest {

namespace {

std::vector<std::vector<std::string>> splitRecords(std::string_view in, char delim,
                                                   ParseBudget& budget) {
  std::vector<std::vector<std::string>> records;
  std::vector<std::string> row;
  std::string field;
  bool quoted = false;
  bool field_started = false;
  auto endField = [&] {
    budget.addCells(1);
    row.push_back(std::move(field));
    field.clear();
    field_started = false;
  };
  auto endRow = [&] {
    endField();
    bool blank = row.size() == 1 && row[0].empty();
    if (!blank) records.push_back(std::move(row));
    row.clear();
  };
  size_t i = 0;
  while (i < in.size() && !budget.exhausted()) {
    char c = in[i];
    if (quoted) {
      if (c == '"') {
        if (i + 1 < in.size() && in[i + 1] == '"') {
          field.push_back('"');
          i += 2;
          continue;
        }
        quoted = false;
      } else {
        field.push_back(c);
      }
      ++i;
      continue;
    }
    if (c == '"' && !field_started) {
      quoted = true;
      field_started = true;
    } else if (c == delim) {
      endField();
    } else if (c == '\n') {
      endRow();
    } else {
      field.push_back(c);
      field_started = true;
    }
    ++i;
  }
  if (field_started || !field.empty() || !row.empty()) endRow();
  return records;
}

Result<ExtractedDocument> parseDelimited(std::string_view bytes, char delim,
                                         std::string_view format, ParseBudget& budget) {
  std::vector<std::vector<std::string>> records = splitRecords(bytes, delim, budget);
  if (budget.exhausted()) return ExtractedDocument();
  if (records.empty()) {
    return Status::invalidArgument(std::string(format) + ": no header row (file is empty)");
  }
  std::vector<std::string> header = std::move(records.front());
  bool any_name = false;
  for (const auto& h : header) any_name = any_name || !trimView(h).empty();
  if (!any_name) return Status::invalidArgument(std::string(format) + ": header row is empty");
  std::vector<std::vector<std::string>> rows;
  rows.reserve(records.size() - 1);
  for (size_t i = 1; i < records.size(); ++i) rows.push_back(std::move(records[i]));

  DocumentBuilder builder(budget);
  builder.addTable(std::move(header), std::move(rows), DocumentBuilder::TableStyle::kKeyValue);
  return builder.finish();
}

}  // namespace

Result<ExtractedDocument> parseCsv(std::string_view bytes, std::string_view filename,
                                   ParseBudget& budget) {
  return parseDelimited(bytes, ',', "csv", budget);
}

Result<ExtractedDocument> parseTsv(std::string_view bytes, std::string_view filename,
                                   ParseBudget& budget) {
  return parseDelimited(bytes, '\t', "tsv", budget);
}

}  // namespace ward::ingest
