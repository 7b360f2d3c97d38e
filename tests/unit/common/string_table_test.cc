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

// A hole keeps its position but is never found, also after the table grows and rehashes.
TEST(StringTable, HolesKeepTheirPositionAndAreNeverFound) {
  StringTable<uint32_t> table;
  table.insert("alpha", StringTable<uint32_t>::hash("alpha"), 0);
  table.appendHole(1);
  for (uint32_t i = 2; i < 500; ++i) {
    const std::string key = "k" + std::to_string(i);
    ASSERT_TRUE(table.insert(key, StringTable<uint32_t>::hash(key), i).second);
  }
  ASSERT_EQ(table.size(), 500u);
  EXPECT_EQ(table.entries()[1].value, 1u);
  EXPECT_EQ(table.find(""), nullptr);
  ASSERT_NE(table.find("alpha"), nullptr);
  EXPECT_EQ(table.find("k499")->value, 499u);
}

}  // namespace
}  // namespace ward
