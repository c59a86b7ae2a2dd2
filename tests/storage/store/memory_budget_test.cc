// MemoryBudget (storage/memory_budget.h): the size syntax, and every split
// fits its limit.
#include <gtest/gtest.h>

#include "storage/memory_budget.h"
#include "storage/store.h"

namespace kpi::storage {
namespace {

TEST(MemoryBudgetTest, ParsesSizes) {
  size_t b = 0;
  ASSERT_TRUE(ParseMemorySize("512M", &b).ok());
  EXPECT_EQ(b, size_t{512} << 20);
  ASSERT_TRUE(ParseMemorySize("1.5G", &b).ok());
  EXPECT_EQ(b, size_t{3} << 29);
  ASSERT_TRUE(ParseMemorySize("2GiB", &b).ok());
  EXPECT_EQ(b, size_t{2} << 30);
  ASSERT_TRUE(ParseMemorySize("800MB", &b).ok());
  EXPECT_EQ(b, size_t{800} << 20);
  ASSERT_TRUE(ParseMemorySize("1048576", &b).ok());
  EXPECT_EQ(b, size_t{1} << 20);
  for (const char* bad : {"", "G", "12X", "-1G", "0", "1.5 G", "nan"}) EXPECT_FALSE(ParseMemorySize(bad, &b).ok()) << bad;
}

TEST(MemoryBudgetTest, EverySplitFitsItsLimit) {
  for (size_t limit : {kMinMemoryLimit, size_t{256} << 20, size_t{1} << 30, size_t{8} << 30}) {
    for (const MemoryBudget& b : {IngestBudget(limit), ServeBudget(limit)}) {
      const size_t caches = b.segment_cache_bytes + b.ticket_cache_bytes + b.dictionary_cache_bytes +
                            b.value_cache_bytes + 2 * b.write_buffer_bytes;
      EXPECT_LT(caches, limit) << limit;
      EXPECT_GT(b.segment_cache_bytes, 0u);
      StoreOptions o;
      ApplyBudget(b, &o);
      EXPECT_EQ(o.cache_bytes, b.segment_cache_bytes);
      EXPECT_EQ(o.write_buffer_bytes, b.write_buffer_bytes);
      EXPECT_EQ(o.dictionaries.value_cache_bytes, b.value_cache_bytes);
      EXPECT_EQ(o.dictionaries.ingest_resident_max_codes, b.ingest_resident_codes);
      EXPECT_LE(uint64_t{b.ingest_resident_codes} * 80, limit / 16);
      EXPECT_EQ(o.seal_group_events, b.seal_group_events);
    }
    EXPECT_EQ(ServeBudget(limit).seal_group_events, 0u) << "a server's seals are small: one group";
    const MemoryBudget ingest = IngestBudget(limit);
    EXPECT_GT(ingest.seal_events, 0u);
    EXPECT_EQ(ingest.max_staged_events, 2 * ingest.seal_events);
    EXPECT_GT(ingest.batch_events, 0u);
    EXPECT_GT(ingest.seal_group_events, 0u);
    EXPECT_GT(ingest.spilled_seal_bytes, 0u) << "spilled seals are bounded";
  }
  EXPECT_GT(IngestBudget(size_t{1} << 30).seal_events, IngestBudget(kMinMemoryLimit).seal_events);
  EXPECT_GE(DefaultMemoryLimit(), kMinMemoryLimit);
  EXPECT_LE(DefaultMemoryLimit(), size_t{1} << 30);
}

}  // namespace
}  // namespace kpi::storage
