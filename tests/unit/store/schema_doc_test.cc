// docs/formats/ward-db.md states the schema version this ward writes; the code is the truth.
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <string>

#include "ward/store/schema_versions.h"

namespace ward::store {
namespace {

TEST(StoreDocs, TheSchemaVersionIsTheCodes) {
  std::ifstream in(WARD_WARD_DB_DOC);
  ASSERT_TRUE(in) << WARD_WARD_DB_DOC;
  std::stringstream ss;
  ss << in.rdbuf();
  const std::string doc = ss.str();
  const std::string v = std::to_string(sqliteSchemaVersion());
  for (const std::string& phrase :
       {"`kSchemaVersion` is " + v + ".", "`meta.schema` is set to " + v + ".",
        "newer than this ward (" + v + ")"}) {
    EXPECT_NE(doc.find(phrase), std::string::npos) << "ward-db.md should say: " << phrase;
  }
}

}  // namespace
}  // namespace ward::store
