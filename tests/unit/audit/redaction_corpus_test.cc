// Data-driven check of the default rules against tests/cases/redaction/: every secret in
// secrets.tsv must be gone from the output with a placeholder of its type, and the near misses in
// near_misses.tsv must come out unchanged (false positives are counted, printed and bounded).
#include <gtest/gtest.h>

#include <fstream>
#include <iostream>
#include <map>
#include <string>
#include <vector>

#include "ward/audit/redaction.h"

namespace ward::audit {
namespace {

// The most near misses the default rules may redact (each listed as accepted in the file).
constexpr int kMaxFalsePositives = 3;

std::string unescape(const std::string& s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '\\' && i + 1 < s.size() && s[i + 1] == 'n') {
      out.push_back('\n');
      ++i;
    } else {
      out.push_back(s[i]);
    }
  }
  return out;
}

std::vector<std::vector<std::string>> readTsv(const std::string& name) {
  std::ifstream in(std::string(WARD_REDACTION_CASES_DIR) + "/" + name);
  EXPECT_TRUE(in.good()) << name;
  std::vector<std::vector<std::string>> rows;
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    std::vector<std::string> cols;
    size_t start = 0;
    for (size_t tab; (tab = line.find('\t', start)) != std::string::npos; start = tab + 1) {
      cols.push_back(unescape(line.substr(start, tab - start)));
    }
    cols.push_back(unescape(line.substr(start)));
    rows.push_back(std::move(cols));
  }
  return rows;
}

std::unique_ptr<trace::Redactor> defaultRedactor() {
  RedactorOptions options;
  options.key = std::string(32, 'k');
  auto r = loadRedactor(options);
  EXPECT_TRUE(r.ok()) << r.status().toString();
  return std::move(r).value();
}

TEST(RedactionCorpus, EverySecretIsRedactedWithItsType) {
  auto redactor = defaultRedactor();
  auto rows = readTsv("secrets.tsv");
  ASSERT_GE(rows.size(), 80u);
  std::map<std::string, int> per_type;
  for (const auto& row : rows) {
    ASSERT_EQ(row.size(), 3u) << "bad line: " << row[0];
    const std::string& type = row[0];
    const std::string& secret = row[1];
    std::string text = row[2];
    size_t at = text.find("{S}");
    ASSERT_NE(at, std::string::npos) << "no {S} in: " << text;
    text.replace(at, 3, secret);
    trace::RedactionStats stats;
    std::string out = redactor->redactText(text, &stats);
    EXPECT_EQ(out.find(secret), std::string::npos)
        << "secret survived (" << type << "): " << secret << "\n  in: " << out;
    EXPECT_NE(out.find("[REDACTED:" + type + ":"), std::string::npos)
        << "no " << type << " placeholder for " << secret << "\n  out: " << out;
    EXPECT_GE(stats.by_type[type], 1);
    ++per_type[type];
  }
  for (const auto& [type, n] : per_type) std::cout << "  " << type << ": " << n << "\n";
}

TEST(RedactionCorpus, NearMissesStayAndFalsePositivesAreBounded) {
  auto redactor = defaultRedactor();
  auto rows = readTsv("near_misses.tsv");
  ASSERT_GE(rows.size(), 80u);
  int false_positives = 0;
  for (const auto& row : rows) {
    ASSERT_GE(row.size(), 2u) << "bad line: " << row[0];
    const std::string& text = row[0];
    bool accepted = row.size() >= 3 && row[2].rfind("accepted:", 0) == 0;
    std::string out = redactor->redactText(text);
    if (out == text) {
      EXPECT_FALSE(accepted) << "marked accepted but not redacted any more: " << text;
      continue;
    }
    ++false_positives;
    std::cout << "  false positive" << (accepted ? " (accepted)" : "") << ": " << text
              << "\n    -> " << out << "\n";
    EXPECT_TRUE(accepted) << "unexpected false positive: " << text << " -> " << out;
  }
  std::cout << "near misses: " << rows.size() << ", false positives: " << false_positives << "\n";
  EXPECT_LE(false_positives, kMaxFalsePositives);
}

TEST(RedactionCorpus, RedactingTwiceChangesNothing) {
  auto redactor = defaultRedactor();
  for (const auto& row : readTsv("secrets.tsv")) {
    std::string text = row[2];
    text.replace(text.find("{S}"), 3, row[1]);
    std::string once = redactor->redactText(text);
    EXPECT_EQ(redactor->redactText(once), once) << "placeholder re-redacted: " << once;
  }
}

}  // namespace
}  // namespace ward::audit
