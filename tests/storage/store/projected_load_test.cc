// Snapshot::Load with a column set (storage/segment.h, SegmentColumns):
// every column asked for equals what a full decode gives, the others are
// empty, the ticket structure and corrections are always there, batches
// whenever the segment holds corrections; the cache serves a load whose
// columns it holds and widens an entry that lacks some; reading a column
// that was not decoded aborts instead of reading as null.
#include <gtest/gtest.h>

#include <map>

#include "storage/store.h"
#include "storage/store/store_test_util.h"
#include "test_util.h"

namespace kpi::storage {
namespace {

using kpi::testing::RandomEvents;
using kpi::testing::ScratchDir;

StoreOptions Options() {
  StoreOptions o;
  o.sync = false;
  o.max_tickets_per_segment = 50;
  return o;
}

// A store of random tickets plus a correction and a retraction, so that
// some segments are written with corrections.
void Fill(const std::string& dir) {
  StoreOptions o = Options();
  std::unique_ptr<Store> store;
  Status s = Store::Open(dir, o, &store);
  ASSERT_TRUE(s.ok()) << s.ToString();
  std::vector<RawEvent> events = RandomEvents(11, 400);
  std::vector<EventReject> rejects;
  IngestStats stats;
  ASSERT_TRUE(store->Ingest(events, &rejects, &stats).ok());
  std::vector<RawEvent> corrections;
  for (const RawEvent& e : events) {
    if (e.id.empty() || corrections.size() == 2) continue;
    RawEvent c = e;
    c.revision = 2;
    c.retract = corrections.size() == 1;
    corrections.push_back(c);
  }
  ASSERT_EQ(corrections.size(), 2u);
  ASSERT_TRUE(store->Ingest(corrections, &rejects, &stats).ok());
  ASSERT_TRUE(rejects.empty());
}

std::unique_ptr<Store> Reopen(const std::string& dir) {
  StoreOptions o = Options();
  o.create_if_missing = false;
  std::unique_ptr<Store> store;
  Status s = Store::Open(dir, o, &store);
  EXPECT_TRUE(s.ok()) << s.ToString();
  return store;
}

void ExpectProjection(const Segment& full, const Segment& got, const SegmentColumns& want) {
  EXPECT_EQ(got.event_begin, full.event_begin);
  EXPECT_EQ(got.num_tickets(), full.num_tickets());
  EXPECT_EQ(got.num_events(), full.num_events());
  EXPECT_EQ(got.dead_rows, full.dead_rows);
  EXPECT_EQ(got.dead_since, full.dead_since);
  EXPECT_EQ(got.revision_rows, full.revision_rows);
  EXPECT_EQ(got.ticket_ids, want.ticket_ids ? full.ticket_ids : std::vector<std::string>());
  EXPECT_EQ(got.time_ms, want.times ? full.time_ms : std::vector<int64_t>());
  EXPECT_EQ(got.event_code, want.events ? full.event_code : std::vector<uint32_t>());
  EXPECT_EQ(got.agent_code, want.agents ? full.agent_code : std::vector<uint32_t>());
  EXPECT_EQ(got.batch, want.batches || full.has_corrections() ? full.batch : std::vector<uint32_t>());
  EXPECT_EQ(got.id_hashes, want.ids ? full.id_hashes : std::vector<uint64_t>());
  for (const SparseCodes& d : full.dims) {
    if (!want.HasDim(d.column)) continue;
    ASSERT_NE(got.FindDim(d.column), nullptr);
    EXPECT_EQ(got.FindDim(d.column)->codes, d.codes);
    EXPECT_EQ(got.FindDim(d.column)->rows, d.rows);
  }
  size_t dims = 0;
  for (const SparseCodes& d : full.dims) dims += want.HasDim(d.column);
  EXPECT_EQ(got.dims.size(), dims);
  for (const SparseNumbers& m : full.measures) {
    if (!want.HasMeasure(m.column)) continue;
    ASSERT_NE(got.FindMeasure(m.column), nullptr);
    EXPECT_EQ(got.FindMeasure(m.column)->values, m.values);
  }
}

TEST(ProjectedLoadTest, DecodesWhatIsAskedAndNothingElse) {
  ScratchDir dir;
  Fill(dir.path());
  auto store = Reopen(dir.path());
  const uint32_t team = store->catalog().FindColumn("team")->id;
  const uint32_t csat = store->catalog().FindColumn("csat")->id;
  std::vector<SegmentColumns> sets(5);
  sets[1].times = sets[1].events = true;
  sets[2].agents = sets[2].ticket_ids = true;
  sets[2].AddDim(team);
  sets[3].batches = sets[3].ids = true;
  sets[3].AddMeasure(csat);
  sets[4].all_dims = sets[4].all_measures = true;
  int with_corrections = 0;
  std::vector<std::pair<SegmentRef, std::shared_ptr<const Segment>>> full;
  {
    auto snap = store->GetSnapshot();
    for (const SegmentRef& ref : snap->Plan(ScanSpec(), nullptr)) {
      full.emplace_back(ref, nullptr);
      ASSERT_TRUE(snap->Load(ref, &full.back().second).ok());
      with_corrections += full.back().second->has_corrections();
    }
  }
  EXPECT_GE(with_corrections, 1);
  store.reset();
  for (const SegmentColumns& want : sets) {
    auto fresh = Reopen(dir.path());  // nothing cached
    auto snap = fresh->GetSnapshot();
    for (const auto& [ref, segment] : full) {
      std::shared_ptr<const Segment> got;
      ASSERT_TRUE(snap->Load(ref, want, &got).ok());
      ExpectProjection(*segment, *got, want);
    }
  }
}

TEST(ProjectedLoadTest, CacheServesCoveredLoadsAndWidensOthers) {
  ScratchDir dir;
  Fill(dir.path());
  auto store = Reopen(dir.path());
  auto snap = store->GetSnapshot();
  const SegmentRef ref = snap->Plan(ScanSpec(), nullptr).front();
  SegmentColumns times, agents, both;
  times.times = true;
  agents.agents = true;
  both.times = both.agents = true;
  std::shared_ptr<const Segment> a, b, c;
  ASSERT_TRUE(snap->Load(ref, times, &a).ok());
  EXPECT_TRUE(a->agent_code.empty());
  ASSERT_TRUE(snap->Load(ref, agents, &b).ok());  // a miss: decodes times and agents
  EXPECT_FALSE(b->time_ms.empty());
  EXPECT_FALSE(b->agent_code.empty());
  const CacheStats before = store->SegmentCacheStats();
  ASSERT_TRUE(snap->Load(ref, both, &c).ok());
  EXPECT_EQ(c, b) << "the widened entry serves both";
  EXPECT_EQ(store->SegmentCacheStats().hits, before.hits + 1);
  EXPECT_EQ(store->SegmentCacheStats().entries, 1u);
}

TEST(ProjectedLoadDeathTest, ReadingAColumnNotDecodedAborts) {
  GTEST_FLAG_SET(death_test_style, "threadsafe");  // RocksDB runs threads
  ScratchDir dir;
  Fill(dir.path());
  auto store = Reopen(dir.path());
  auto snap = store->GetSnapshot();
  std::shared_ptr<const Segment> seg;
  ASSERT_TRUE(snap->Load(snap->Plan(ScanSpec(), nullptr).front(), SegmentColumns(), &seg).ok());
  const uint32_t team = store->catalog().FindColumn("team")->id;
  EXPECT_DEATH(seg->FindDim(team), "dimension column .* not decoded");
}

}  // namespace
}  // namespace kpi::storage
