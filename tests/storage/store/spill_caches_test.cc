// The caches of a spilled load (issue 13). While staged events are spilled
// and no seal runs, the dictionaries' value index cache has its own share
// plus a quarter of the spilled seal's (Store::SpillStaged); the seal that
// reads the events back takes that back and drops the cached blocks (it looks
// no value up); a store asked to cache nothing
// still caches nothing. A spilled run keeps no ticket index blocks past its
// one lookup pass (only pinned ones), where an in-memory seal keeps what it
// read. The answers are the same either way.
#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <span>

#include "storage/store.h"
#include "storage/store/store_test_util.h"
#include "test_util.h"

namespace kpi::storage {
namespace {

using kpi::testing::CountTickets;
using kpi::testing::DumpStore;
using kpi::testing::RandomEvents;
using kpi::testing::ScratchDir;

constexpr size_t kMiB = size_t{1} << 20;
constexpr size_t kSpilledSealBytes = 8 * kMiB;

std::unique_ptr<Store> OpenStore(const std::string& dir, size_t value_cache_bytes) {
  StoreOptions o;
  o.sync = false;
  o.max_tickets_per_segment = 64;
  o.dictionaries.value_cache_bytes = value_cache_bytes;
  o.dictionaries.resident_max_codes = 20;  // customers are paged: staging looks them up
  o.dictionaries.ingest_resident_max_codes = 20;
  o.spilled_seal_bytes = kSpilledSealBytes;
  o.clock = [] { return int64_t{1735689600000}; };
  std::unique_ptr<Store> store;
  Status s = Store::Open(dir, o, &store);
  EXPECT_TRUE(s.ok()) << s.ToString();
  return store;
}

uint64_t ValueCacheCapacity(const Store& store) { return store.catalog().Stats().value_blocks.capacity_bytes; }

void Stage(Store* store, std::span<const RawEvent> events) {
  IngestStats stats;
  Status s = store->Stage(events, nullptr, &stats);
  ASSERT_TRUE(s.ok()) << s.ToString();
}

TEST(SpillCachesTest, SpillingLendsAQuarterOfTheSealsShareToTheValueCacheUntilTheSeal) {
  // Every ticket names a customer; the second half's are the first half's
  // again, which a reopened store (its customers paged) finds in the value
  // index's files.
  std::vector<RawEvent> events = RandomEvents(3, 6000);
  const size_t half = events.size() / 2;
  int created = 0;
  for (size_t i = 0; i < events.size(); ++i) {
    if (events[i].event != "created") continue;
    std::erase_if(events[i].dims, [](const auto& d) { return d.first == "customer"; });
    events[i].dims.push_back({"customer", "C" + std::to_string(i < half ? created++ : (created++ * 7) % 1000)});
  }
  ScratchDir dir;
  IngestStats stats;
  {
    auto first = OpenStore(dir.path(), kMiB);
    ASSERT_TRUE(first->Ingest(std::span(events).first(half), nullptr, &stats).ok());
    ASSERT_TRUE(first->Flush().ok());
  }
  auto store = OpenStore(dir.path(), kMiB);
  EXPECT_EQ(ValueCacheCapacity(*store), kMiB);
  Stage(store.get(), std::span(events).subspan(half, 1000));
  store->SpillStaged();
  EXPECT_EQ(ValueCacheCapacity(*store), kMiB + kSpilledSealBytes / 4);
  Stage(store.get(), std::span(events).subspan(half + 1000));
  store->SpillStaged();
  EXPECT_EQ(ValueCacheCapacity(*store), kMiB + kSpilledSealBytes / 4);
  const CacheStats staged = store->catalog().Stats().value_blocks;
  EXPECT_GT(staged.misses, 0u) << "staging read value index blocks";
  ASSERT_TRUE(store->Seal(&stats).ok());
  const CacheStats sealed = store->catalog().Stats().value_blocks;
  EXPECT_EQ(sealed.capacity_bytes, kMiB) << "the seal takes its share back";
  EXPECT_EQ(sealed.misses + sealed.hits, staged.misses + staged.hits) << "and looks no value up";
  EXPECT_LT(sealed.bytes, staged.bytes) << "so it drops the blocks staging read";
  EXPECT_EQ(CountTickets(*store), 6000u);
}

TEST(SpillCachesTest, AStoreAskedToCacheNoValueBlockCachesNoneWhileSpilling) {
  ScratchDir dir;
  auto store = OpenStore(dir.path(), 0);
  const std::vector<RawEvent> events = RandomEvents(4, 200);
  Stage(store.get(), events);
  store->SpillStaged();
  EXPECT_EQ(ValueCacheCapacity(*store), 0u);
}

TEST(SpillCachesTest, ASpilledRunKeepsNoTicketIndexBlocksPastItsLookups) {
  // Shuffled: most of the second part's tickets were sealed by the first,
  // so both second seals look them up in the index's files.
  std::vector<RawEvent> events = RandomEvents(5, 3000);
  std::mt19937_64 rng(5);
  std::shuffle(events.begin(), events.end(), rng);
  const size_t half = events.size() / 2;
  TicketIndexStats kept[2];
  std::string dumps[2];
  for (int spill = 0; spill < 2; ++spill) {
    ScratchDir dir;
    auto store = OpenStore(dir.path(), kMiB);
    IngestStats stats;
    ASSERT_TRUE(store->Ingest(std::span(events).first(half), nullptr, &stats).ok());
    ASSERT_TRUE(store->Flush().ok());  // lookups read the index's table files
    Stage(store.get(), std::span(events).subspan(half));
    if (spill) store->SpillStaged();
    ASSERT_TRUE(store->Seal(&stats).ok());
    kept[spill] = store->TicketIndexCacheStats();
    dumps[spill] = DumpStore(*store);
  }
  EXPECT_GT(kept[0].found, 0u);
  EXPECT_EQ(kept[1].found, kept[0].found) << "the same lookups";
  EXPECT_GT(kept[1].blocks.misses, 0u) << "the spilled run read index blocks";
  EXPECT_LT(kept[1].blocks.bytes, kept[0].blocks.bytes) << "and kept only the pinned ones";
  EXPECT_EQ(dumps[1], dumps[0]);
}

}  // namespace
}  // namespace kpi::storage
