// Catalog dictionaries: dense codes from 1, lookups by value and by code,
// and the restore path refusing pages that are out of order or repeat a value
// (which Store::Open reports as corruption instead of shifting every code).
#include "storage/catalog.h"

#include <gtest/gtest.h>

namespace kpi::storage {
namespace {

uint32_t Column(Catalog* c) {
  uint32_t id = 0;
  ColumnKind existing;
  bool added = false;
  EXPECT_TRUE(c->GetOrAddColumn("channel", ColumnKind::kDimension, &id, &existing, &added));
  return id;
}

uint32_t Add(Catalog* c, uint32_t column, std::string_view value, bool* added) {
  uint32_t code = 0;
  EXPECT_TRUE(c->GetOrAddCode(column, value, &code, added).ok());
  return code;
}

TEST(CatalogDictionary, CodesAreDenseFromOne) {
  Catalog c;
  const uint32_t col = Column(&c);
  bool added = false;
  EXPECT_EQ(Add(&c, col, "chat", &added), 1u);
  EXPECT_TRUE(added);
  EXPECT_EQ(Add(&c, col, "email", &added), 2u);
  EXPECT_EQ(Add(&c, col, "chat", &added), 1u);
  EXPECT_FALSE(added);
  EXPECT_EQ(c.FindCode(col, "email"), 2u);
  EXPECT_EQ(c.FindCode(col, "phone"), 0u);
  EXPECT_EQ(c.DictionarySize(col), 2u);
  EXPECT_EQ(c.DictionaryRange(col, 2, 5), std::vector<std::string>{"email"});
  EXPECT_EQ(c.DictionaryValues(col), (std::vector<std::string>{"chat", "email"}));
}

TEST(CatalogDictionary, RestoreAcceptsOnlyTheNextCodeAndNewValues) {
  Catalog c;
  const uint32_t col = Column(&c);
  EXPECT_TRUE(c.RestoreCode(col, 1, "chat"));
  EXPECT_FALSE(c.RestoreCode(col, 3, "phone"));  // gap
  EXPECT_FALSE(c.RestoreCode(col, 1, "email"));  // code again
  EXPECT_FALSE(c.RestoreCode(col, 2, "chat"));   // value again
  EXPECT_TRUE(c.RestoreCode(col, 2, "email"));
  EXPECT_EQ(c.FindCode(col, "email"), 2u);
  bool added = false;
  EXPECT_EQ(Add(&c, col, "phone", &added), 3u);
}

}  // namespace
}  // namespace kpi::storage
