// The on-disk ticket index (storage/ticket_index.h): with no block cache at
// all, sealed in many small seals, re-ingested and corrected, a store holds
// exactly what one big seal with the default cache gives; a store sealed
// before the index existed gets it built on its first seal; a store without
// segments looks no ticket up.
#include <gtest/gtest.h>
#include <rocksdb/db.h>

#include <span>

#include "storage/keys.h"
#include "storage/store.h"
#include "storage/store/store_test_util.h"
#include "test_util.h"

namespace kpi::storage {
namespace {

using kpi::testing::CountTickets;
using kpi::testing::DumpStore;
using kpi::testing::RandomEvents;

constexpr int kTickets = 3000;

std::unique_ptr<Store> OpenStore(const std::string& dir, size_t ticket_cache_bytes) {
  StoreOptions o;
  o.sync = false;
  o.max_tickets_per_segment = 64;
  o.ticket_cache_bytes = ticket_cache_bytes;
  o.clock = [] { return int64_t{1735689600000}; };
  std::unique_ptr<Store> store;
  Status s = Store::Open(dir, o, &store);
  EXPECT_TRUE(s.ok()) << s.ToString();
  return store;
}

// Ingests events[begin, end) in `seals` equal parts, one seal each, each
// flushed to table files (so that lookups read the index's files).
void IngestInParts(Store* store, const std::vector<RawEvent>& events, size_t begin, size_t end, int seals,
                   IngestStats* stats) {
  const size_t part = (end - begin + seals - 1) / seals;
  for (size_t b = begin; b < end; b += part) {
    const size_t e = std::min(end, b + part);
    ASSERT_TRUE(store->Ingest(std::span(events).subspan(b, e - b), nullptr, stats).ok());
    ASSERT_TRUE(store->Flush().ok());
  }
}

// The same events in one seal, default options: what every other store must hold.
std::string Reference(const std::vector<RawEvent>& events) {
  kpi::testing::ScratchDir dir;
  auto store = OpenStore(dir.path(), size_t{32} << 20);
  IngestStats stats;
  EXPECT_TRUE(store->Ingest(events, nullptr, &stats).ok());
  return DumpStore(*store);
}

TEST(TicketIndexTest, NoCacheManySealsReingestAndCorrectionsGiveTheSameStore) {
  // Events are in time order, so most seals find tickets sealed before.
  std::vector<RawEvent> events = RandomEvents(7, kTickets);
  std::sort(events.begin(), events.end(), [](const RawEvent& a, const RawEvent& b) { return a.ts_ms < b.ts_ms; });
  for (size_t i = 0; i < events.size(); ++i) events[i].id = "e" + std::to_string(i);
  // Corrections of some events (a higher revision replaces), arriving last.
  std::vector<RawEvent> all = events;
  for (size_t i = 0; i < events.size(); i += 97) {
    RawEvent fixed = events[i];
    fixed.revision = 1;
    fixed.dims = {{"channel", "corrected"}};
    all.push_back(fixed);
  }
  const std::string want = Reference(all);

  kpi::testing::ScratchDir dir;
  {
    auto store = OpenStore(dir.path(), 0);
    IngestStats stats;
    IngestInParts(store.get(), all, 0, all.size(), 25, &stats);
    EXPECT_EQ(DumpStore(*store), want);
    const TicketIndexStats index = store->TicketIndexCacheStats();
    EXPECT_GT(index.found, uint64_t{kTickets / 10}) << "tickets spread over several seals are found again";
    EXPECT_EQ(index.blocks.capacity_bytes, 0u);
    EXPECT_GT(index.blocks.misses, 0u);
  }
  // Reopened (the index is on disk now), everything again: all duplicates.
  auto store = OpenStore(dir.path(), 0);
  IngestStats again;
  IngestInParts(store.get(), all, 0, all.size(), 7, &again);
  EXPECT_EQ(again.accepted, 0u);
  EXPECT_EQ(again.duplicates, all.size());
  EXPECT_EQ(DumpStore(*store), want);
  EXPECT_EQ(CountTickets(*store), uint64_t{kTickets});
}

TEST(TicketIndexTest, AStoreWithoutSegmentsLooksNoTicketUp) {
  // A first seal (every ticket new: a store with no segment holds none)
  // looks up nothing; the next seal looks up its tickets and finds the
  // sealed ones, and the store is what one seal gives.
  std::vector<RawEvent> events = RandomEvents(13, kTickets);
  std::sort(events.begin(), events.end(), [](const RawEvent& a, const RawEvent& b) { return a.ts_ms < b.ts_ms; });
  const std::string want = Reference(events);
  kpi::testing::ScratchDir dir;
  auto store = OpenStore(dir.path(), size_t{32} << 20);
  IngestStats stats;
  const size_t half = events.size() / 2;
  ASSERT_TRUE(store->Ingest(std::span(events).subspan(0, half), nullptr, &stats).ok());
  EXPECT_EQ(store->TicketIndexCacheStats().lookups, 0u);
  ASSERT_TRUE(store->Ingest(std::span(events).subspan(half), nullptr, &stats).ok());
  const TicketIndexStats index = store->TicketIndexCacheStats();
  EXPECT_GT(index.lookups, 0u);
  EXPECT_GT(index.found, 0u) << "tickets open across the two halves are found in their segments";
  EXPECT_EQ(stats.accepted, events.size());
  EXPECT_EQ(DumpStore(*store), want);
}

TEST(TicketIndexTest, AStoreSealedBeforeTheIndexGetsItBuilt) {
  std::vector<RawEvent> events = RandomEvents(11, kTickets);
  std::sort(events.begin(), events.end(), [](const RawEvent& a, const RawEvent& b) { return a.ts_ms < b.ts_ms; });
  const std::string want = Reference(events);
  kpi::testing::ScratchDir dir;
  {
    auto store = OpenStore(dir.path(), 0);
    IngestStats stats;
    IngestInParts(store.get(), events, 0, events.size() / 2, 3, &stats);
  }
  {
    // Make it look like a store from before the index: no tickets family,
    // no state key.
    std::vector<std::string> names;
    ASSERT_TRUE(rocksdb::DB::ListColumnFamilies(rocksdb::DBOptions(), dir.path(), &names).ok());
    std::vector<rocksdb::ColumnFamilyDescriptor> families;
    for (const std::string& n : names) families.emplace_back(n, rocksdb::ColumnFamilyOptions());
    std::vector<rocksdb::ColumnFamilyHandle*> handles;
    rocksdb::DB* raw = nullptr;
    ASSERT_TRUE(rocksdb::DB::Open(rocksdb::DBOptions(), dir.path(), families, &handles, &raw).ok());
    for (size_t i = 0; i < names.size(); ++i) {
      if (names[i] == "tickets") {
        ASSERT_TRUE(raw->DropColumnFamily(handles[i]).ok());
      }
      if (names[i] == "catalog") {
        ASSERT_TRUE(raw->Delete(rocksdb::WriteOptions(), handles[i], kTicketIndexKey).ok());
      }
    }
    for (auto* h : handles) raw->DestroyColumnFamilyHandle(h);
    delete raw;
  }
  auto store = OpenStore(dir.path(), size_t{1} << 20);
  IngestStats stats;
  IngestInParts(store.get(), events, events.size() / 2, events.size(), 3, &stats);
  EXPECT_EQ(DumpStore(*store), want) << "tickets of the first half were found in their segments";
  EXPECT_EQ(CountTickets(*store), uint64_t{kTickets});
  EXPECT_GT(store->TicketIndexCacheStats().found, 0u);
}

}  // namespace
}  // namespace kpi::storage
