// StringTable (common/string_table.h): the hash table behind the stem cache and the term
// dictionary. Checked against std::map on many keys, across growth and clear().
#include "ward/common/string_table.h"

#include <gtest/gtest.h>

#include <map>
#include <random>

namespace ward {
namespace {

TEST(StringTable, AgreesWithAMapAcrossGrowthAndClear) {
  StringTable<uint32_t> table;
  std::map<std::string, uint32_t> model;
  std::mt19937 rng(3);
  for (int round = 0; round < 2; ++round) {
    for (int i = 0; i < 20000; ++i) {
      std::string key = "k" + std::to_string(rng() % 30000);
      const uint32_t next = static_cast<uint32_t>(table.size());
      auto [entry, added] = table.insert(key, StringTable<uint32_t>::hash(key), next);
      auto [it, model_added] = model.emplace(key, next);
      ASSERT_EQ(added, model_added) << key;
      ASSERT_EQ(entry->value, it->second) << key;
    }
    ASSERT_EQ(table.size(), model.size());
    for (const auto& [key, value] : model) {
      const auto* e = table.find(key);
      ASSERT_NE(e, nullptr) << key;
      EXPECT_EQ(e->value, value);
      EXPECT_EQ(table.entries()[value].key, key);  // insertion order = value here
    }
    EXPECT_EQ(table.find("absent"), nullptr);
    EXPECT_EQ(table.find(""), nullptr);
    table.clear();
    model.clear();
    EXPECT_TRUE(table.empty());
    EXPECT_EQ(table.find("k1"), nullptr);
  }
}

}  // namespace
}  // namespace ward
