// A read-only open (StoreOptions::read_only_until_write) keeps the segment
// refs only in the published view, not in the sealer's map
// (storage/store_open.cc, RestoreSegments). Its first write makes it
// writable and must give the sealer every ref: seals that rewrite or append
// to sealed segments, folds and AddLiveCounts then do what they do after a
// writable open, segment for segment.
#include <gtest/gtest.h>

#include <memory>
#include <sstream>
#include <string>

#include "storage/live_counts_fixture.h"
#include "storage/store.h"
#include "storage/store/store_test_util.h"
#include "test_util.h"

namespace kpi::storage {
namespace {

using kpi::testing::CorrectionHistory;
using kpi::testing::ScratchDir;

StoreOptions Options(uint32_t max_deltas, bool create, bool read_only) {
  StoreOptions o = kpi::testing::TickingStoreOptions(8, max_deltas);
  o.create_if_missing = create;
  o.read_only_until_write = read_only;
  return o;
}

std::unique_ptr<Store> Open(const std::string& dir, const StoreOptions& o) {
  std::unique_ptr<Store> store;
  const Status s = Store::Open(dir, o, &store);
  EXPECT_TRUE(s.ok()) << s.ToString();
  return store;
}

void Ingest(Store* store, const std::vector<RawEvent>& batch) {
  std::vector<EventReject> rejects;
  IngestStats stats;
  ASSERT_TRUE(store->Ingest(batch, &rejects, &stats).ok());
  ASSERT_TRUE(rejects.empty()) << rejects[0].reason;
}

// Every segment's ref (but its time bounds) and every row.
std::string Refs(const Store& store) {
  std::ostringstream out;
  for (const SegmentRef& r : store.GetSnapshot()->Plan(ScanSpec(), nullptr))
    out << r.partition << "/" << r.segment << " g" << r.generation << " d" << r.deltas << " t" << r.zone.num_tickets
        << " e" << r.zone.num_events << " live " << r.zone.live_known << " " << r.zone.live_tickets << " "
        << r.zone.live_events << "\n";
  return out.str() + kpi::testing::DumpStore(store);
}

TEST(ReadOnlyOpenTest, WritesAfterAReadOnlyOpenSeeEverySealedSegment) {
  for (uint32_t deltas : {0u, 16u}) {
    SCOPED_TRACE("deltas " + std::to_string(deltas));
    const auto history = CorrectionHistory(21, 60);
    const size_t half = history.size() / 2;
    ScratchDir writable_dir("kpi-ro-w"), read_only_dir("kpi-ro-r");
    for (const std::string& dir : {writable_dir.path(), read_only_dir.path()}) {
      auto store = Open(dir, Options(deltas, true, false));
      for (size_t b = 0; b < half; ++b) Ingest(store.get(), history[b]);
    }
    auto writable = Open(writable_dir.path(), Options(deltas, false, false));
    auto read_only = Open(read_only_dir.path(), Options(deltas, false, true));
    ASSERT_NE(Refs(*writable).find(" g"), std::string::npos);
    EXPECT_EQ(Refs(*read_only), Refs(*writable));
    // Corrections of sealed tickets rewrite (or append to) sealed segments.
    for (size_t b = half; b < history.size(); ++b) {
      Ingest(writable.get(), history[b]);
      Ingest(read_only.get(), history[b]);
    }
    EXPECT_EQ(Refs(*read_only), Refs(*writable));
    ASSERT_TRUE(writable->FoldDeltas(SIZE_MAX, nullptr).ok());
    ASSERT_TRUE(read_only->FoldDeltas(SIZE_MAX, nullptr).ok());
    EXPECT_EQ(Refs(*read_only), Refs(*writable));
    const std::string expected = Refs(*writable);
    writable.reset();
    read_only.reset();
    EXPECT_EQ(Refs(*Open(read_only_dir.path(), Options(deltas, false, true))), expected);
  }
}

TEST(ReadOnlyOpenTest, AddLiveCountsFromAReadOnlyOpen) {
  ScratchDir dir("kpi-ro-live");
  size_t segments = 0;
  {
    auto store = Open(dir.path(), Options(0, true, false));
    for (const auto& batch : CorrectionHistory(22, 60)) Ingest(store.get(), batch);
    segments = store->GetSnapshot()->Plan(ScanSpec(), nullptr).size();
  }
  ASSERT_GT(segments, 1u);
  ASSERT_TRUE(kpi::testing::DowngradeToFormat3(dir.path()));
  auto store = Open(dir.path(), Options(0, false, true));
  uint64_t added = 0;
  ASSERT_TRUE(store->AddLiveCounts(&added).ok());
  EXPECT_EQ(added, segments);
  for (const SegmentRef& r : store->GetSnapshot()->Plan(ScanSpec(), nullptr)) EXPECT_TRUE(r.zone.live_known);
}

}  // namespace
}  // namespace kpi::storage
