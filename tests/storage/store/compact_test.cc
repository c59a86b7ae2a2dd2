// Store::Compact: after scattered loads (a shuffled copy ingested in small
// sealed chunks, so seals rewrite segments that already sit in table files)
// it gives back disk space, changes nothing a reader sees, and the store
// reopens with the same content.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <random>

#include "storage/compact.h"
#include "storage/store.h"
#include "storage/store/store_test_util.h"
#include "test_util.h"

namespace kpi::storage {
namespace {

using kpi::testing::CountEvents;
using kpi::testing::DumpStore;
using kpi::testing::RandomEvents;
using kpi::testing::ScratchDir;

StoreOptions Options() {
  StoreOptions o;
  o.sync = false;
  o.max_tickets_per_segment = 16;  // many segments, each touched by many chunks
  o.max_deltas_per_segment = 0;    // every seal rewrites what it touches (deltas: delta_parts_test)
  return o;
}

// Ingests `events` in chunks of `chunk`, flushing after each so every seal's
// rewritten segments land in new table files beside the versions they replace.
void IngestFlushed(Store* store, const std::vector<RawEvent>& events, size_t chunk, IngestStats* stats) {
  for (size_t i = 0; i < events.size(); i += chunk) {
    std::span<const RawEvent> part(events.data() + i, std::min(chunk, events.size() - i));
    std::vector<EventReject> rejects;
    ASSERT_TRUE(store->Ingest(part, &rejects, stats).ok());
    ASSERT_TRUE(rejects.empty());
    ASSERT_TRUE(store->Flush().ok());
  }
}

// Bytes of the store's table files.
uint64_t TableBytes(const std::string& db) {
  uint64_t bytes = 0;
  for (const auto& e : std::filesystem::directory_iterator(db))
    if (e.path().extension() == ".sst") bytes += e.file_size();
  return bytes;
}

TEST(CompactTest, ReclaimsReplacedSegmentsAndKeepsTheData) {
  ScratchDir dir;
  const std::string db = dir / "db";
  std::vector<RawEvent> events = RandomEvents(7, 400);
  std::string before;
  {
    std::unique_ptr<Store> store;
    ASSERT_TRUE(Store::Open(db, Options(), &store).ok());
    // The first half sorted, then the whole set shuffled: the second pass adds
    // the other half scattered over the segments the first pass wrote.
    IngestStats stats;
    IngestFlushed(store.get(), std::vector<RawEvent>(events.begin(), events.begin() + events.size() / 2), 500,
                  &stats);
    std::shuffle(events.begin(), events.end(), std::mt19937(11));
    IngestFlushed(store.get(), events, 100, &stats);
    ASSERT_GT(stats.events_rewritten, 0u) << "the setup must make seals rewrite segments";
    before = DumpStore(*store);

    CompactStats compact;
    const uint64_t tables_before = TableBytes(db);
    ASSERT_TRUE(store->Compact(&compact).ok());
    EXPECT_EQ(compact.events, CountEvents(*store));
    EXPECT_GT(compact.disk_bytes_before, 0u);
    // The table files shrink. (The directory as a whole may not, on a store
    // this small: each compacted family adds to the info log and manifest.)
    EXPECT_LT(TableBytes(db), tables_before);
    EXPECT_EQ(compact.disk_bytes_after, DirectoryBytes(db));
    EXPECT_GE(compact.seconds, 0.0);
    EXPECT_EQ(DumpStore(*store), before);

    // A second run finds nothing more to drop.
    CompactStats again;
    ASSERT_TRUE(store->Compact(&again).ok());
    EXPECT_LE(again.disk_bytes_after, compact.disk_bytes_after + compact.disk_bytes_after / 10);
    EXPECT_EQ(DumpStore(*store), before);
  }
  std::unique_ptr<Store> reopened;
  StoreOptions o = Options();
  o.create_if_missing = false;
  ASSERT_TRUE(Store::Open(db, o, &reopened).ok());
  EXPECT_EQ(DumpStore(*reopened), before);
}

TEST(CompactTest, SealsWhatIsStagedFirst) {
  ScratchDir dir;
  std::unique_ptr<Store> store;
  ASSERT_TRUE(Store::Open(dir / "db", Options(), &store).ok());
  const std::vector<RawEvent> events = RandomEvents(3, 50);
  IngestStats stats;
  ASSERT_TRUE(store->Stage(events, nullptr, &stats).ok());
  CompactStats compact;
  ASSERT_TRUE(store->Compact(&compact).ok());
  EXPECT_EQ(store->staged_events(), 0u);
  EXPECT_EQ(compact.events, CountEvents(*store));
  EXPECT_GT(compact.events, 0u);
}

TEST(CompactTest, FoldsEveryDeltaPart) {
  ScratchDir dir;
  StoreOptions o = Options();
  o.max_deltas_per_segment = 16;
  std::unique_ptr<Store> store;
  ASSERT_TRUE(Store::Open(dir / "db", o, &store).ok());
  std::vector<RawEvent> events = RandomEvents(9, 300);
  std::shuffle(events.begin(), events.end(), std::mt19937(5));
  IngestStats stats;
  for (size_t i = 0; i < events.size(); i += 40) {
    std::vector<EventReject> rejects;
    ASSERT_TRUE(store->Ingest(std::span<const RawEvent>(events.data() + i, std::min<size_t>(40, events.size() - i)),
                              &rejects, &stats).ok());
  }
  ASSERT_GT(store->SegmentsWithDeltas(), 0u) << "the setup must leave delta parts";
  const std::string before = DumpStore(*store);
  CompactStats compact;
  ASSERT_TRUE(store->Compact(&compact).ok());
  EXPECT_GT(compact.segments_folded, 0u);
  EXPECT_EQ(store->SegmentsWithDeltas(), 0u);
  EXPECT_EQ(DumpStore(*store), before);
}

}  // namespace
}  // namespace kpi::storage
