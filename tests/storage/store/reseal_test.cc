// Seals rewrite only what changed: events already stored (a file ingested
// again, an upload re-sent) leave every segment, zone map and generation as
// it was, down to the bytes in RocksDB; a late event rewrites only its
// ticket's segment.
#include <gtest/gtest.h>
#include <rocksdb/db.h>

#include <algorithm>
#include <map>
#include <random>

#include "storage/store.h"
#include "storage/store/store_test_util.h"
#include "test_util.h"

namespace kpi::storage {
namespace {

using kpi::testing::DumpStore;
using kpi::testing::RandomEvents;
using kpi::testing::ScratchDir;

StoreOptions SmallSegments() {
  StoreOptions o;
  o.sync = false;
  o.max_tickets_per_segment = 7;  // many segments
  return o;
}

void IngestAll(Store* store, const std::vector<RawEvent>& events, size_t chunk, IngestStats* stats) {
  for (size_t i = 0; i < events.size(); i += chunk) {
    std::span<const RawEvent> part(events.data() + i, std::min(chunk, events.size() - i));
    std::vector<EventReject> rejects;
    ASSERT_TRUE(store->Ingest(part, &rejects, stats).ok());
    ASSERT_TRUE(rejects.empty());
  }
}

// (partition, segment) -> generation of every sealed segment.
std::map<std::pair<uint32_t, uint32_t>, uint64_t> Generations(const Store& store) {
  std::map<std::pair<uint32_t, uint32_t>, uint64_t> out;
  for (const SegmentRef& r : store.GetSnapshot()->Plan(ScanSpec(), nullptr))
    out[{r.partition, r.segment}] = r.generation;
  return out;
}

// Every key and value of the segments and zones families, read from the
// closed store's directory.
std::map<std::string, std::string> SealedBytes(const std::string& dir) {
  std::vector<rocksdb::ColumnFamilyDescriptor> families;
  std::vector<std::string> names;
  EXPECT_TRUE(rocksdb::DB::ListColumnFamilies(rocksdb::DBOptions(), dir, &names).ok());
  for (const std::string& n : names) families.emplace_back(n, rocksdb::ColumnFamilyOptions());
  std::vector<rocksdb::ColumnFamilyHandle*> handles;
  rocksdb::DB* raw = nullptr;
  EXPECT_TRUE(rocksdb::DB::OpenForReadOnly(rocksdb::DBOptions(), dir, families, &handles, &raw).ok());
  std::map<std::string, std::string> out;
  if (raw == nullptr) return out;
  for (size_t i = 0; i < names.size(); ++i) {
    if (names[i] != "segments" && names[i] != "zones") continue;
    std::unique_ptr<rocksdb::Iterator> it(raw->NewIterator(rocksdb::ReadOptions(), handles[i]));
    for (it->SeekToFirst(); it->Valid(); it->Next()) out[names[i] + "/" + it->key().ToString()] = it->value().ToString();
  }
  for (auto* h : handles) raw->DestroyColumnFamilyHandle(h);
  delete raw;
  return out;
}

TEST(ResealTest, IngestingEverythingAgainRewritesNoSegment) {
  std::vector<RawEvent> events = RandomEvents(21, 400);
  ScratchDir dir;
  std::map<std::pair<uint32_t, uint32_t>, uint64_t> generations;
  std::string dump;
  {
    std::unique_ptr<Store> store;
    ASSERT_TRUE(Store::Open(dir.path(), SmallSegments(), &store).ok());
    IngestStats first;
    IngestAll(store.get(), events, 250, &first);
    generations = Generations(*store);
    dump = DumpStore(*store);
  }
  const std::map<std::string, std::string> before = SealedBytes(dir.path());
  ASSERT_FALSE(before.empty());
  {
    std::unique_ptr<Store> store;
    ASSERT_TRUE(Store::Open(dir.path(), SmallSegments(), &store).ok());
    std::vector<RawEvent> again = events;
    std::shuffle(again.begin(), again.end(), std::mt19937_64(3));
    IngestStats stats;
    IngestAll(store.get(), again, again.size(), &stats);  // one seal over every ticket
    IngestAll(store.get(), again, 61, &stats);            // many small ones
    EXPECT_EQ(stats.accepted, 0u);
    EXPECT_EQ(stats.duplicates, 2 * events.size());
    EXPECT_EQ(stats.segments_written, 0u);
    EXPECT_EQ(Generations(*store), generations);
    EXPECT_EQ(DumpStore(*store), dump);
  }
  const std::map<std::string, std::string> after = SealedBytes(dir.path());
  EXPECT_EQ(after.size(), before.size());
  size_t differing = 0;  // counted, not printed: the values are binary
  for (const auto& [key, value] : before) differing += !after.contains(key) || after.at(key) != value;
  EXPECT_EQ(differing, 0u);
}

TEST(ResealTest, LateEventAmongDuplicatesRewritesOnlyItsTicketsSegment) {
  std::vector<RawEvent> events = RandomEvents(22, 300);
  ScratchDir dir;
  std::unique_ptr<Store> store;
  ASSERT_TRUE(Store::Open(dir.path(), SmallSegments(), &store).ok());
  IngestStats stats;
  IngestAll(store.get(), events, events.size(), &stats);
  const auto before = Generations(*store);

  RawEvent late;  // a rating days later, same creation day: the ticket stays where it is
  late.ticket = events[0].ticket;
  late.ts_ms = events[0].ts_ms + 5 * 86400000LL;
  late.event = "rated";
  late.measures = {{"csat", 4}};
  std::vector<RawEvent> batch = events;
  batch.push_back(late);
  IngestStats again;
  IngestAll(store.get(), batch, batch.size(), &again);
  EXPECT_EQ(again.accepted, 1u);
  EXPECT_EQ(again.segments_written, 1u);
  const auto after = Generations(*store);
  ASSERT_EQ(after.size(), before.size());
  int rewritten = 0;
  for (const auto& [key, generation] : after) rewritten += generation != before.at(key);
  EXPECT_EQ(rewritten, 1);
}

}  // namespace
}  // namespace kpi::storage
