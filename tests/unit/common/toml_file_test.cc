// common/toml_file.h: reading ward.toml and the shape checks every module's loader shares.
#include "ward/common/toml_file.h"

#include <gtest/gtest.h>
#include <stdlib.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

namespace ward {
namespace {

class TomlFileTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/ward_toml_file_XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  std::string file(const std::string& text) {
    const std::string path = dir_ + "/ward.toml";
    std::ofstream(path) << text;
    return path;
  }

  std::string dir_;
};

TEST_F(TomlFileTest, AnAbsentFileIsAnEmptyTable) {
  auto t = readTomlFile(dir_ + "/missing.toml");
  ASSERT_TRUE(t.ok()) << t.status().toString();
  EXPECT_TRUE(t->empty());
}

TEST_F(TomlFileTest, ASyntaxErrorNamesTheFileAndTheLine) {
  auto t = readTomlFile(file("[search]\nmax_k = 5\nbroken = \n"));
  ASSERT_EQ(t.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(t.status().message().rfind("ward.toml: ", 0), 0u) << t.status().message();
  EXPECT_NE(t.status().message().find("at line 3"), std::string::npos) << t.status().message();
  auto other = readTomlFile(file("x = [\n"), "suite.toml");
  EXPECT_EQ(other.status().message().rfind("suite.toml: ", 0), 0u) << other.status().message();
}

TEST_F(TomlFileTest, SectionsAreTablesOrAbsent) {
  auto t = readTomlFile(file("answer = 3\n[store]\nurl = \"x\"\n"));
  ASSERT_TRUE(t.ok()) << t.status().toString();
  auto store = tomlSection(*t, "store");
  ASSERT_TRUE(store.ok());
  ASSERT_NE(*store, nullptr);
  EXPECT_EQ((*store)->get("url")->value<std::string>(), "x");
  auto absent = tomlSection(*t, "models");
  ASSERT_TRUE(absent.ok());
  EXPECT_EQ(*absent, nullptr);
  auto wrong = tomlSection(*t, "answer");
  EXPECT_EQ(wrong.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(wrong.status().message(), "ward.toml: 'answer' must be a table");
}

TEST_F(TomlFileTest, ArraysOfTablesAreCheckedForShapeAndCount) {
  const struct {
    const char* text;
    const char* error;  // "" = ok
    size_t count;
  } kCases[] = {
      {"", "", 0},
      {"[[models]]\nname = \"a\"\n[[models]]\nname = \"b\"\n", "", 2},
      {"[[models]]\n[[models]]\n[[models]]\n", "ward.toml: at most 2 models", 0},
      {"models = 3\n", "ward.toml: 'models' must be an array of tables ([[models]])", 0},
      {"models = [{name = \"a\"}, 4]\n", "ward.toml: models[1] must be a table", 0},
  };
  for (const auto& c : kCases) {
    auto t = readTomlFile(file(c.text));
    ASSERT_TRUE(t.ok()) << c.text;
    auto list = tomlArrayOfTables(*t, "models", 2);
    if (*c.error == '\0') {
      ASSERT_TRUE(list.ok()) << c.text << ": " << list.status().toString();
      EXPECT_EQ(list->size(), c.count) << c.text;
    } else {
      EXPECT_EQ(list.status().code(), StatusCode::kInvalidArgument) << c.text;
      EXPECT_EQ(list.status().message(), c.error) << c.text;
    }
  }
  auto t = readTomlFile(file("[[models]]\nname = \"first\"\n[[models]]\nname = \"second\"\n"));
  auto list = tomlArrayOfTables(*t, "models", 8);
  ASSERT_TRUE(list.ok());
  EXPECT_EQ((*list)[1]->get("name")->value<std::string>(), "second");
}

}  // namespace
}  // namespace ward
