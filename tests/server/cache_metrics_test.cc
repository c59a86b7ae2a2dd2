// The store's cache gauges in GET /metrics (server/cache_metrics.h): what the
// segment cache (decoded columns and derived values) and the dictionaries
// hold, and their hit counts, follow the store's use.
#include "server/cache_metrics.h"

#include <gtest/gtest.h>

#include "server_test_util.h"

namespace kpi::server {
namespace {

bool Has(const std::string& text, const std::string& line) { return text.find(line) != std::string::npos; }

TEST(CacheMetricsTest, FollowTheStoresCaches) {
  testing::ScratchStore s;
  std::vector<RawEvent> events(3);
  for (int i = 0; i < 3; ++i) {
    events[i].ts_ms = 1'700'000'000'000 + i;
    events[i].ticket = "T" + std::to_string(i);
    events[i].event = "created";
    events[i].dims = {{"channel", i == 0 ? "chat" : "email"}};
  }
  std::vector<storage::EventReject> rejects;
  storage::IngestStats stats;
  ASSERT_TRUE(s.store->Ingest(events, &rejects, &stats).ok());
  std::string text = RenderCacheMetrics(*s.store);
  EXPECT_TRUE(Has(text, "# TYPE kpi_segment_cache_hits_total counter\nkpi_segment_cache_hits_total 0\n"));
  // A small seal leaves the segment it built in the cache (storage/sealer.h).
  EXPECT_TRUE(Has(text, "kpi_segment_cache_entries 1\n"));
  EXPECT_TRUE(Has(text, "kpi_segment_cache_capacity_bytes " + std::to_string(size_t{2} << 30) + "\n"));

  auto snap = s.store->GetSnapshot();
  const std::vector<storage::SegmentRef> refs = snap->Plan(storage::ScanSpec(), nullptr);
  ASSERT_EQ(refs.size(), 1u);
  std::shared_ptr<const storage::Segment> seg;
  ASSERT_TRUE(snap->Load(refs[0], &seg).ok());
  ASSERT_TRUE(snap->Load(refs[0], &seg).ok());
  text = RenderCacheMetrics(*s.store);
  EXPECT_TRUE(Has(text, "kpi_segment_cache_entries 1\n"));
  EXPECT_TRUE(Has(text, "kpi_segment_cache_misses_total 0\n"));
  EXPECT_TRUE(Has(text, "kpi_segment_cache_hits_total 2\n"));
  EXPECT_TRUE(Has(text, "kpi_segment_cache_bytes " + std::to_string(seg->MemoryBytes()) + "\n"));
  // The values derived from it have an entry of their own (storage/segment_cache.h).
  EXPECT_TRUE(Has(text, "kpi_segment_memo_cache_entries 1\n")) << text;
  EXPECT_TRUE(Has(text, "# TYPE kpi_segment_memo_cache_hits_total counter\nkpi_segment_memo_cache_hits_total 0\n"));
  // Ingest coded event names and channels: those dictionaries are in memory.
  EXPECT_TRUE(Has(text, "kpi_dictionaries{state=\"resident\"} 3\n")) << text;  // event, agent (empty), channel
  EXPECT_TRUE(Has(text, "kpi_dictionaries{state=\"paged\"} 0\n"));
  EXPECT_TRUE(Has(text, "# TYPE kpi_dictionary_page_scans_total counter\nkpi_dictionary_page_scans_total 0\n"));
  // The dictionaries' value index (a writable store has it): its block cache and lookups.
  EXPECT_TRUE(Has(text, "# TYPE kpi_dictionary_value_index_cache_hits_total counter\n")) << text;
  EXPECT_TRUE(Has(text, "kpi_dictionary_value_lookups_total 0\n")) << "small dictionaries are looked up in memory";
}

}  // namespace
}  // namespace kpi::server
