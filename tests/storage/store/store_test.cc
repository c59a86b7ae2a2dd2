// Store semantics: idempotent, order-independent ingest; late events; schema
// conflicts; reopen; metadata; zone-map pruning.
#include "storage/store.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <thread>

#include "storage/store/store_test_util.h"
#include "test_util.h"

namespace kpi::storage {
namespace {

using kpi::testing::CountEvents;
using kpi::testing::CountTickets;
using kpi::testing::DumpStore;
using kpi::testing::RandomEvents;
using kpi::testing::ScratchDir;

StoreOptions SmallSegments() {
  StoreOptions o;
  o.sync = false;
  o.max_tickets_per_segment = 7;  // many segments, so merges cross segment boundaries
  return o;
}

std::unique_ptr<Store> OpenStore(const std::string& dir, StoreOptions o = SmallSegments()) {
  std::unique_ptr<Store> store;
  Status s = Store::Open(dir, o, &store);
  EXPECT_TRUE(s.ok()) << s.ToString();
  return store;
}

void IngestAll(Store* store, const std::vector<RawEvent>& events, size_t chunk, IngestStats* stats) {
  for (size_t i = 0; i < events.size(); i += chunk) {
    std::span<const RawEvent> part(events.data() + i, std::min(chunk, events.size() - i));
    std::vector<EventReject> rejects;
    ASSERT_TRUE(store->Ingest(part, &rejects, stats).ok());
    ASSERT_TRUE(rejects.empty());
  }
}

TEST(StoreTest, SortedShuffledChunkedAndRepeatedGiveTheSameStore) {
  std::vector<RawEvent> events = RandomEvents(1, 300);
  std::vector<RawEvent> sorted = events;
  std::stable_sort(sorted.begin(), sorted.end(), [](const RawEvent& a, const RawEvent& b) { return a.ts_ms < b.ts_ms; });
  std::vector<RawEvent> shuffled = events;
  std::shuffle(shuffled.begin(), shuffled.end(), std::mt19937_64(7));

  ScratchDir d1, d2, d3;
  auto s1 = OpenStore(d1.path());
  IngestStats st1;
  IngestAll(s1.get(), sorted, sorted.size(), &st1);
  EXPECT_EQ(st1.accepted, events.size());
  EXPECT_EQ(st1.duplicates, 0u);

  auto s2 = OpenStore(d2.path());
  IngestStats st2;
  IngestAll(s2.get(), shuffled, 97, &st2);  // many small out-of-order batches
  EXPECT_EQ(st2.accepted, events.size());

  auto s3 = OpenStore(d3.path());
  IngestStats st3;
  IngestAll(s3.get(), events, 500, &st3);
  IngestAll(s3.get(), shuffled, 333, &st3);  // everything again: all duplicates
  EXPECT_EQ(st3.accepted, events.size());
  EXPECT_EQ(st3.duplicates, events.size());

  std::string dump = DumpStore(*s1);
  EXPECT_EQ(dump, DumpStore(*s2));
  EXPECT_EQ(dump, DumpStore(*s3));
  EXPECT_EQ(CountEvents(*s1), events.size());
  EXPECT_EQ(CountTickets(*s1), 300u);
}

TEST(StoreTest, DuplicatesInsideOneBatchCountOnce) {
  ScratchDir dir;
  auto store = OpenStore(dir.path());
  std::vector<RawEvent> events = RandomEvents(2, 20);
  std::vector<RawEvent> doubled = events;
  doubled.insert(doubled.end(), events.begin(), events.end());
  IngestStats stats;
  IngestAll(store.get(), doubled, doubled.size(), &stats);
  EXPECT_EQ(stats.accepted, events.size());
  EXPECT_EQ(stats.duplicates, events.size());
  EXPECT_EQ(CountEvents(*store), events.size());
}

TEST(StoreTest, SameSourceIdIsOneEventEvenWithOtherContent) {
  ScratchDir dir;
  auto store = OpenStore(dir.path());
  RawEvent a;
  a.ts_ms = 1735689600000;
  a.ticket = "T1";
  a.event = "created";
  a.id = "src-1";
  RawEvent b = a;
  b.ts_ms += 1000;  // a re-export that changed the time: still the same source event
  IngestStats stats;
  std::vector<RawEvent> both = {a, b};
  IngestAll(store.get(), both, 1, &stats);
  EXPECT_EQ(stats.accepted, 1u);
  EXPECT_EQ(stats.duplicates, 1u);
  EXPECT_NE(DumpStore(*store).find("1735689600000 created"), std::string::npos);  // first one kept
}

TEST(StoreTest, LateEventForSealedPartitionIsMergedIntoItsTicket) {
  ScratchDir dir;
  auto store = OpenStore(dir.path());
  std::vector<RawEvent> events = RandomEvents(3, 100);
  IngestStats stats;
  IngestAll(store.get(), events, events.size(), &stats);
  // A rating arriving days later for the first ticket.
  RawEvent late;
  late.ticket = events[0].ticket;
  late.ts_ms = events[0].ts_ms + 5 * 86400000LL;
  late.event = "rated";
  late.measures = {{"csat", 5}};
  std::vector<RawEvent> batch = {late};
  IngestAll(store.get(), batch, 1, &stats);
  std::string dump = DumpStore(*store);
  std::string line = dump.substr(dump.find(events[0].ticket + "|"));
  line = line.substr(0, line.find('\n'));
  EXPECT_NE(line.find(std::to_string(late.ts_ms) + " rated  csat=5;"), std::string::npos) << line;
  EXPECT_EQ(CountTickets(*store), 100u);  // merged, not a second ticket row
}

TEST(StoreTest, EarlierLateEventMovesTicketToItsNewCreationDay) {
  ScratchDir dir;
  auto store = OpenStore(dir.path());
  RawEvent reply;
  reply.ticket = "T9";
  reply.ts_ms = 1736000000000;  // 2025-01-04
  reply.event = "agent_reply";
  reply.agent = "a1";
  IngestStats stats;
  std::vector<RawEvent> first = {reply};
  IngestAll(store.get(), first, 1, &stats);
  RawEvent created = reply;
  created.event = "created";
  created.agent.clear();
  created.ts_ms = reply.ts_ms - 3 * 86400000LL;  // 2025-01-01
  std::vector<RawEvent> second = {created};
  IngestAll(store.get(), second, 1, &stats);
  auto snap = store->GetSnapshot();
  auto refs = snap->Plan(ScanSpec(), nullptr);
  ASSERT_EQ(refs.size(), 1u);  // the old segment was emptied and removed
  EXPECT_EQ(refs[0].partition, static_cast<uint32_t>(created.ts_ms / 86400000));
  EXPECT_EQ(refs[0].zone.num_events, 2u);
}

TEST(StoreTest, NameUsedAsDimensionAndMeasureIsRejectedPerEvent) {
  ScratchDir dir;
  auto store = OpenStore(dir.path());
  RawEvent a;
  a.ts_ms = 1735689600000;
  a.ticket = "T1";
  a.event = "rated";
  a.measures = {{"csat", 4}};
  RawEvent b = a;
  b.ticket = "T2";
  b.measures.clear();
  b.dims = {{"csat", "great"}};
  RawEvent c = a;
  c.ticket = "T3";
  std::vector<RawEvent> events = {a, b, c};
  std::vector<EventReject> rejects;
  IngestStats stats;
  ASSERT_TRUE(store->Ingest(events, &rejects, &stats).ok());
  ASSERT_EQ(rejects.size(), 1u);
  EXPECT_EQ(rejects[0].index, 1u);
  EXPECT_NE(rejects[0].reason.find("\"csat\" is a measure"), std::string::npos);
  EXPECT_EQ(stats.accepted, 2u);  // the good events around it landed
}

TEST(StoreTest, ReopenKeepsDataCatalogAndCodes) {
  ScratchDir dir;
  std::vector<RawEvent> events = RandomEvents(4, 80);
  std::string before;
  {
    auto store = OpenStore(dir.path());
    IngestStats stats;
    IngestAll(store.get(), events, 100, &stats);
    before = DumpStore(*store);
  }
  auto store = OpenStore(dir.path());
  EXPECT_EQ(DumpStore(*store), before);
  IngestStats stats;
  IngestAll(store.get(), events, events.size(), &stats);
  EXPECT_EQ(stats.accepted, 0u);
  EXPECT_EQ(stats.duplicates, events.size());
  EXPECT_EQ(DumpStore(*store), before);
}

TEST(StoreTest, StagedButUnsealedBatchIsSealedOnOpen) {
  ScratchDir dir;
  std::vector<RawEvent> events = RandomEvents(5, 30);
  {
    auto store = OpenStore(dir.path());
    IngestStats stats;
    ASSERT_TRUE(store->Stage(events, nullptr, &stats).ok());
    EXPECT_EQ(store->staged_events(), events.size());
    EXPECT_EQ(CountEvents(*store), 0u);  // queries see sealed data only
  }
  auto store = OpenStore(dir.path());
  EXPECT_EQ(CountEvents(*store), events.size());
  EXPECT_EQ(store->staged_events(), 0u);
}

TEST(StoreTest, SnapshotIsStableWhileIngestContinues) {
  ScratchDir dir;
  auto store = OpenStore(dir.path());
  std::vector<RawEvent> events = RandomEvents(6, 60);
  IngestStats stats;
  IngestAll(store.get(), events, events.size(), &stats);
  auto snap = store->GetSnapshot();
  std::string before = DumpStore(*store);
  std::vector<RawEvent> more = RandomEvents(7, 60);
  for (auto& e : more) e.ticket = events[0].ticket;  // rewrites an existing segment
  IngestAll(store.get(), more, more.size(), &stats);
  uint64_t n = 0;
  for (const auto& ref : snap->Plan(ScanSpec(), nullptr)) {
    std::shared_ptr<const Segment> seg;
    ASSERT_TRUE(snap->Load(ref, &seg).ok());
    n += seg->num_events();
  }
  EXPECT_EQ(n, events.size());
  EXPECT_GT(CountEvents(*store), events.size());
}

TEST(StoreTest, AsOfMapsInstantsToBatchPrefixes) {
  ScratchDir dir;
  int64_t now = 1000;
  StoreOptions o = SmallSegments();
  o.clock = [&now] { return now; };
  auto store = OpenStore(dir.path(), o);
  std::vector<RawEvent> events = RandomEvents(8, 10);
  IngestStats stats;
  now = 5000;
  IngestAll(store.get(), events, 5, &stats);  // several batches, each sealed, at 5000
  uint32_t first_batches = store->GetSnapshot()->last_batch();
  ASSERT_GT(first_batches, 2u);
  now = 9000;
  IngestAll(store.get(), RandomEvents(9, 3), 100, &stats);
  auto snap = store->GetSnapshot();
  // A batch's instant is its seal's, and each seal's is after the one
  // before: with the clock standing still, the next millisecond.
  EXPECT_EQ(snap->BatchAtOrBefore(4999), 0u);
  EXPECT_EQ(snap->BatchAtOrBefore(5000), 1u);
  EXPECT_EQ(snap->BatchAtOrBefore(5001), 2u);
  EXPECT_EQ(snap->BatchAtOrBefore(5000 + first_batches - 1), first_batches);
  EXPECT_EQ(snap->BatchAtOrBefore(8999), first_batches);
  EXPECT_EQ(snap->BatchAtOrBefore(9000), snap->last_batch());
}

TEST(StoreTest, ABatchStagedAndNotSealedIsInNoSnapshotAndGetsItsSealsInstant) {
  int64_t now = 1000;
  StoreOptions o;
  o.clock = [&now] { return now; };
  ScratchDir dir;
  auto store = OpenStore(dir.path(), o);
  IngestStats stats;
  std::vector<EventReject> rejects;
  ASSERT_TRUE(store->Ingest(RandomEvents(3, 4), &rejects, &stats).ok());
  now = 2000;
  ASSERT_TRUE(store->Stage(RandomEvents(4, 4), &rejects, &stats).ok());
  now = 3000;
  auto staged = store->GetSnapshot();
  EXPECT_EQ(staged->last_batch(), 1u);
  EXPECT_EQ(staged->last_batch_time_ms(), 1000);
  EXPECT_EQ(staged->instant_ms(), 3000);
  EXPECT_EQ(staged->BatchAtOrBefore(2500), 1u);
  now = 3000;  // the same millisecond as that snapshot's instant
  ASSERT_TRUE(store->Seal(&stats).ok());
  auto sealed = store->GetSnapshot();
  EXPECT_EQ(sealed->last_batch(), 2u);
  EXPECT_EQ(sealed->last_batch_time_ms(), 3001);
  EXPECT_EQ(sealed->BatchAtOrBefore(3000), 1u);
  EXPECT_EQ(sealed->BatchAtOrBefore(3001), 2u);
  staged.reset();
  sealed.reset();
  store.reset();
  auto reopened = OpenStore(dir.path(), o);  // the seal's instant is on disk
  EXPECT_EQ(reopened->GetSnapshot()->BatchAtOrBefore(3000), 1u);
  EXPECT_EQ(reopened->GetSnapshot()->BatchAtOrBefore(3001), 2u);
}

TEST(StoreTest, ZoneMapsSkipSegmentsOutsideTheTimeRangeAndEventSet) {
  ScratchDir dir;
  auto store = OpenStore(dir.path());
  std::vector<RawEvent> events = RandomEvents(10, 200, 60);
  IngestStats stats;
  IngestAll(store.get(), events, events.size(), &stats);
  auto snap = store->GetSnapshot();
  PlanStats all, day;
  snap->Plan(ScanSpec(), &all);
  ScanSpec one_day;
  one_day.min_time_ms = 1735689600000 + 10 * 86400000LL;
  one_day.max_time_ms = one_day.min_time_ms + 86400000LL;
  auto refs = snap->Plan(one_day, &day);
  EXPECT_LT(day.segments_scanned, all.segments_scanned);
  EXPECT_LT(day.partitions_scanned, all.partitions_total);
  // Every event in the range lives in a planned segment.
  uint64_t in_range = 0;
  for (const auto& e : events)
    if (e.ts_ms >= one_day.min_time_ms && e.ts_ms < one_day.max_time_ms) in_range++;
  uint64_t found = 0;
  for (const auto& ref : refs) {
    std::shared_ptr<const Segment> seg;
    ASSERT_TRUE(snap->Load(ref, &seg).ok());
    for (int64_t t : seg->time_ms)
      if (t >= one_day.min_time_ms && t < one_day.max_time_ms) found++;
  }
  EXPECT_EQ(found, in_range);
  ScanSpec none;
  none.event_codes = {12345};
  EXPECT_TRUE(snap->Plan(none, nullptr).empty());
}

TEST(StoreTest, StagingWhileSealingLosesAndDoublesNothing) {
  ScratchDir dir;
  auto store = OpenStore(dir.path());
  std::vector<RawEvent> events = RandomEvents(12, 600);
  std::atomic<bool> done{false};
  IngestStats seal_stats;
  std::thread sealer([&] {
    while (!done.load()) ASSERT_TRUE(store->Seal(&seal_stats).ok());
  });
  IngestStats stage_stats;
  for (size_t i = 0; i < events.size(); i += 37) {
    std::span<const RawEvent> part(events.data() + i, std::min<size_t>(37, events.size() - i));
    ASSERT_TRUE(store->Stage(part, nullptr, &stage_stats).ok());
  }
  done = true;
  sealer.join();
  ASSERT_TRUE(store->Seal(&seal_stats).ok());
  EXPECT_EQ(store->staged_events(), 0u);
  EXPECT_EQ(seal_stats.accepted, events.size());
  EXPECT_EQ(CountEvents(*store), events.size());
  ScratchDir ref_dir;
  auto reference = OpenStore(ref_dir.path());
  IngestStats ref_stats;
  IngestAll(reference.get(), events, events.size(), &ref_stats);
  EXPECT_EQ(DumpStore(*store), DumpStore(*reference));
}

TEST(StoreTest, MetadataRoundTrips) {
  ScratchDir dir;
  auto store = OpenStore(dir.path());
  ASSERT_TRUE(store->PutMeta("kpi", "frt", "duration(created -> agent_reply)").ok());
  ASSERT_TRUE(store->PutMeta("kpi", "aht", "avg(handle_seconds)").ok());
  ASSERT_TRUE(store->PutMeta("other", "x", "y").ok());
  std::vector<std::pair<std::string, std::string>> kpis;
  ASSERT_TRUE(store->ListMeta("kpi", &kpis).ok());
  ASSERT_EQ(kpis.size(), 2u);
  EXPECT_EQ(kpis[0].first, "aht");
  std::string v;
  ASSERT_TRUE(store->GetMeta("kpi", "frt", &v).ok());
  EXPECT_EQ(v, "duration(created -> agent_reply)");
  ASSERT_TRUE(store->DeleteMeta("kpi", "frt").ok());
  EXPECT_EQ(store->GetMeta("kpi", "frt", &v).code(), Status::Code::kNotFound);
  EXPECT_EQ(store->DeleteMeta("kpi", "frt").code(), Status::Code::kNotFound);
  // Several puts and deletes in one write, across namespaces; survives a reopen.
  ASSERT_TRUE(store->WriteMeta({{"kpi", "aht", std::nullopt}, {"kpi_history", "aht\n1", "dropped"},
                                {"kpi", "fcr", "rate(x)"}}).ok());
  store.reset();
  store = OpenStore(dir.path());
  EXPECT_EQ(store->GetMeta("kpi", "aht", &v).code(), Status::Code::kNotFound);
  ASSERT_TRUE(store->GetMeta("kpi_history", "aht\n1", &v).ok());
  EXPECT_EQ(v, "dropped");
  ASSERT_TRUE(store->GetMeta("kpi", "fcr", &v).ok());
  EXPECT_EQ(v, "rate(x)");
  ASSERT_TRUE(store->ListMeta("kpi", &kpis).ok());
  EXPECT_EQ(kpis.size(), 1u);  // "kpi_history" is another namespace, not a prefix match
}

TEST(StoreTest, InfoReportsCountsAndColumns) {
  ScratchDir dir;
  auto store = OpenStore(dir.path());
  std::vector<RawEvent> events = RandomEvents(11, 50);
  IngestStats stats;
  IngestAll(store.get(), events, events.size(), &stats);
  StoreInfo info;
  ASSERT_TRUE(store->GetInfo(&info).ok());
  EXPECT_EQ(info.events, events.size());
  EXPECT_EQ(info.tickets, 50u);
  EXPECT_GT(info.disk_bytes, 0u);
  bool has_time = false, has_channel = false;
  for (const auto& c : info.columns) {
    has_time |= c.column == "time";
    has_channel |= c.column == "dim:channel";
  }
  EXPECT_TRUE(has_time);
  EXPECT_TRUE(has_channel);
}

}  // namespace
}  // namespace kpi::storage
