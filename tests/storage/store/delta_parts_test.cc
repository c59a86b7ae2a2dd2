// Delta parts (storage/segment_parts.h): small seals append to a segment
// instead of re-encoding it, and a segment with deltas reads back exactly as
// the segment a full rewrite would have written: same layout, same rows,
// batches and correction marks included, before and after a reopen (the
// first read comes from what the seal left in the cache, the second from
// disk through MergeSegmentParts).
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <map>
#include <memory>
#include <random>

#include "storage/segment_codec.h"
#include "storage/store.h"
#include "storage/store/store_test_util.h"
#include "test_util.h"

namespace kpi::storage {
namespace {

using kpi::testing::Chunks;
using kpi::testing::DumpStore;
using kpi::testing::RandomEvents;
using kpi::testing::ScratchDir;

StoreOptions Options(uint32_t max_deltas) { return kpi::testing::TickingStoreOptions(24, max_deltas); }

// Small batches in arrival order, then corrections and retractions of some
// id'd events, then duplicates: every kind of change a seal merges.
std::vector<std::vector<RawEvent>> Batches(uint64_t seed) {
  std::vector<RawEvent> events = RandomEvents(seed, 300, 20);
  std::mt19937_64 rng(seed);
  std::shuffle(events.begin(), events.end(), rng);
  for (size_t i = 0; i < events.size(); i += 3) events[i].id = "e" + std::to_string(i);
  std::vector<std::vector<RawEvent>> out = Chunks(events, 29);
  std::vector<RawEvent> fixes;
  for (size_t i = 0; i < events.size(); i += 21) {
    if (events[i].id.empty()) continue;
    RawEvent fix = events[i];
    fix.revision = 2;
    if (i % 2 == 0) {
      fix.retract = true;
    } else {
      fix.ts_ms += 60'000;
    }
    fixes.push_back(fix);
  }
  for (auto& b : Chunks(fixes, 5)) out.push_back(std::move(b));
  out.emplace_back(events.begin(), events.begin() + 40);  // duplicates
  // Late events of the same tickets.
  for (auto& b : Chunks(RandomEvents(seed + 100, 300, 20), 29)) out.push_back(std::move(b));
  return out;
}

void IngestBatches(Store* store, const std::vector<std::vector<RawEvent>>& batches) {
  for (const auto& b : batches) {
    std::vector<EventReject> rejects;
    IngestStats stats;
    ASSERT_TRUE(store->Ingest(b, &rejects, &stats).ok());
    ASSERT_TRUE(rejects.empty()) << rejects[0].reason;
  }
}

// (partition, segment) -> every row of the segment, all columns.
std::map<std::pair<uint32_t, uint32_t>, std::string> Rows(const Store& store) {
  std::map<std::pair<uint32_t, uint32_t>, std::string> out;
  auto snap = store.GetSnapshot();
  for (const SegmentRef& ref : snap->Plan(ScanSpec(), nullptr)) {
    std::shared_ptr<const Segment> s;
    EXPECT_TRUE(snap->Load(ref, &s).ok());
    std::string& text = out[{ref.partition, ref.segment}];
    for (uint32_t t = 0; t < s->num_tickets(); ++t) {
      text += s->ticket_ids[t] + ":";
      for (uint32_t e = s->event_begin[t]; e < s->event_begin[t + 1]; ++e)
        text += " " + std::to_string(s->time_ms[e]) + "/" + std::to_string(s->event_code[e]) + "/" +
                std::to_string(s->agent_code[e]) + "/" + std::to_string(s->batch[e]);
      text += "\n";
    }
    auto add = [&](const char* name, const auto& rows, const auto& values) {
      text += name;
      for (size_t i = 0; i < rows.size(); ++i) text += " " + std::to_string(rows[i]) + "=" + std::to_string(values[i]);
      text += "\n";
    };
    add("id", s->id_rows, s->id_hashes);
    add("revision", s->revision_rows, s->revisions);
    add("dead", s->dead_rows, s->dead_since);
    for (const SparseCodes& d : s->dims) add(("dim" + std::to_string(d.column)).c_str(), d.rows, d.codes);
    for (const SparseNumbers& m : s->measures) add(("m" + std::to_string(m.column)).c_str(), m.rows, m.values);
    // The zone map covers the merged segment as ComputeZoneMap would.
    const ZoneMap z = ComputeZoneMap(*s, 0);
    EXPECT_EQ(ref.zone.num_tickets, z.num_tickets);
    EXPECT_EQ(ref.zone.num_events, z.num_events);
    EXPECT_EQ(ref.zone.min_time_ms, z.min_time_ms);
    EXPECT_EQ(ref.zone.max_time_ms, z.max_time_ms);
    EXPECT_EQ(ref.zone.min_batch, z.min_batch);
    EXPECT_EQ(ref.zone.max_batch, z.max_batch);
    EXPECT_EQ(ref.zone.lists.events(), z.lists.events());
    EXPECT_EQ(ref.zone.lists.agents(), z.lists.agents());
    if (ref.zone.live_known) {  // a delta may leave them unknown (zone_map.h), never wrong
      EXPECT_EQ(ref.zone.live_tickets, z.live_tickets);
      EXPECT_EQ(ref.zone.live_events, z.live_events);
    }
    for (const auto& [column, codes] : ref.zone.lists.dims())
      for (const auto& [zcolumn, zcodes] : z.lists.dims())
        if (zcolumn == column) {
          EXPECT_TRUE(std::includes(codes.begin(), codes.end(), zcodes.begin(), zcodes.end()));
        }
  }
  return out;
}

uint32_t SegmentsWithDeltas(const Store& store) {
  uint32_t n = 0;
  for (const SegmentRef& ref : store.GetSnapshot()->Plan(ScanSpec(), nullptr)) n += ref.deltas > 0;
  return n;
}

TEST(DeltaPartsTest, SmallSealsReadExactlyAsFullRewrites) {
  for (uint64_t seed : {41, 42, 43}) {
    SCOPED_TRACE("seed " + std::to_string(seed));
    const auto batches = Batches(seed);
    ScratchDir rewrite_dir, delta_dir;
    std::unique_ptr<Store> rewrite, delta;
    ASSERT_TRUE(Store::Open(rewrite_dir.path(), Options(0), &rewrite).ok());
    ASSERT_TRUE(Store::Open(delta_dir.path(), Options(16), &delta).ok());
    IngestBatches(rewrite.get(), batches);
    IngestBatches(delta.get(), batches);
    EXPECT_EQ(SegmentsWithDeltas(*rewrite), 0u);
    EXPECT_GT(SegmentsWithDeltas(*delta), 0u);
    for (const SegmentRef& ref : delta->GetSnapshot()->Plan(ScanSpec(), nullptr)) EXPECT_LE(ref.deltas, 16u);
    const auto expected = Rows(*rewrite);
    EXPECT_EQ(Rows(*delta), expected);  // as the seals left them in the cache
    EXPECT_EQ(DumpStore(*delta), DumpStore(*rewrite));
    delta.reset();
    ASSERT_TRUE(Store::Open(delta_dir.path(), Options(16), &delta).ok());
    EXPECT_GT(SegmentsWithDeltas(*delta), 0u);
    EXPECT_EQ(Rows(*delta), expected);  // read from disk, parts merged
    // Seals after the reopen go on from the stored parts.
    IngestBatches(rewrite.get(), batches);
    IngestBatches(delta.get(), batches);
    const auto after = Rows(*rewrite);
    EXPECT_EQ(Rows(*delta), after);
    // Folding changes nothing a reader sees, in the cache or on disk.
    uint64_t folded = 0;
    ASSERT_TRUE(delta->FoldDeltas(SIZE_MAX, &folded).ok());
    EXPECT_GT(folded, 0u);
    EXPECT_EQ(delta->SegmentsWithDeltas(), 0u);
    EXPECT_EQ(Rows(*delta), after);
    delta.reset();
    ASSERT_TRUE(Store::Open(delta_dir.path(), Options(16), &delta).ok());
    EXPECT_EQ(delta->SegmentsWithDeltas(), 0u);
    EXPECT_EQ(Rows(*delta), after);
  }
}

TEST(DeltaPartsTest, DeltasFoldBeforeOutgrowingTheirShareOfTheBase) {
  const std::vector<RawEvent> events = RandomEvents(44, 200, 3);
  uint64_t rewritten[2] = {0, 0};
  for (uint32_t max_deltas : {0u, 4u}) {
    ScratchDir dir;
    std::unique_ptr<Store> store;
    ASSERT_TRUE(Store::Open(dir.path(), Options(max_deltas), &store).ok());
    IngestStats total;
    for (const RawEvent& e : events) {  // one event per seal
      std::vector<EventReject> rejects;
      ASSERT_TRUE(store->Ingest(std::span<const RawEvent>(&e, 1), &rejects, &total).ok());
    }
    uint32_t most = 0;
    for (const SegmentRef& ref : store->GetSnapshot()->Plan(ScanSpec(), nullptr)) most = std::max(most, ref.deltas);
    EXPECT_EQ(most, max_deltas);  // reached, never passed
    rewritten[max_deltas != 0] = total.events_rewritten;
  }
  // Appending instead of rewriting: a fifth of the re-encoding, or less.
  EXPECT_LT(rewritten[1] * 5, rewritten[0]);
}

}  // namespace
}  // namespace kpi::storage
