// count() from zone maps (query/execution/zone_counts.h) answers exactly
// what the full scan answers: `count()` against `count(ticket)` (never null,
// so the same rows, but read from the segments) on stores holding
// corrections, retractions, duplicates and delta parts, `as of` every batch,
// under a scope, and on a store written before live counts existed (which
// falls back to reading the segments). And it reads no segment when every
// zone map has its live counts.
#include <gtest/gtest.h>

#include <cstdio>
#include <ctime>
#include <memory>
#include <string>
#include <vector>

#include "query/engine.h"
#include "query/execution/scope.h"
#include "storage/live_counts_fixture.h"
#include "storage/store.h"
#include "storage/zone_map.h"
#include "test_util.h"

namespace kpi::query {
namespace {

std::string Rfc3339(int64_t ms) {
  const std::time_t secs = static_cast<std::time_t>(ms / 1000);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[64];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
                tm.tm_hour, tm.tm_min, tm.tm_sec, static_cast<int>(ms % 1000));
  return buf;
}

class ZoneCountsTest : public ::testing::Test {
 protected:
  storage::StoreOptions Options() {
    storage::StoreOptions o;
    o.sync = false;
    o.cache_bytes = 64 << 20;
    o.max_tickets_per_segment = 8;
    o.create_if_missing = !store_dir_made_;
    o.clock = [this] { return now_ms_; };
    return o;
  }

  void Build(uint64_t seed) {
    dir_ = std::make_unique<kpi::testing::ScratchDir>("kpi-zone-counts");
    store_dir_made_ = false;
    Reopen();
    store_dir_made_ = true;
    for (const auto& batch : kpi::testing::CorrectionHistory(seed, 80)) {
      now_ms_ += 1000;
      batch_times_.push_back(now_ms_);
      std::vector<storage::EventReject> rejects;
      storage::IngestStats stats;
      ASSERT_TRUE(store_->Ingest(batch, &rejects, &stats).ok());
      ASSERT_TRUE(rejects.empty()) << rejects[0].reason;
    }
  }

  void Reopen() {
    engine_.reset();
    store_.reset();
    ASSERT_TRUE(storage::Store::Open(dir_->path(), Options(), &store_).ok());
    engine_ = std::make_unique<Engine>(store_.get());
  }

  void Close() {
    engine_.reset();
    store_.reset();
  }

  double Count(const std::string& q, const ExecOptions& options = ExecOptions{}) {
    Result r;
    QueryError err;
    const Status st = engine_->Execute(q, options, &r, &err);
    EXPECT_TRUE(st.ok()) << q << "\n" << st.ToString() << "\n" << err.ToString();
    if (!st.ok() || r.rows.size() != 1 || r.rows[0].empty()) return -1;
    return r.rows[0][0].number;
  }

  // count() equals count(ticket) on both sources, at every `as of`.
  void ExpectSameAsScan() {
    std::vector<std::string> as_of = {""};
    for (int64_t t : batch_times_)
      for (int64_t d : {-1, 0}) as_of.push_back(" as of " + Rfc3339(t + d));
    for (const char* source : {"tickets", "events"}) {
      for (const std::string& a : as_of) {
        const std::string from = std::string(" from ") + source + a;
        const double scan = Count("select count(ticket)" + from);
        EXPECT_EQ(Count("select count()" + from), scan) << from;
        EXPECT_EQ(Count("select count() as a, count() as b" + from), scan) << from;
      }
    }
  }

  std::unique_ptr<kpi::testing::ScratchDir> dir_;
  bool store_dir_made_ = false;
  std::unique_ptr<storage::Store> store_;
  std::unique_ptr<Engine> engine_;
  int64_t now_ms_ = 1'750'000'000'000;
  std::vector<int64_t> batch_times_;
};

TEST_F(ZoneCountsTest, CountEqualsTheScanWithCorrectionsDeltasAndAsOf) {
  for (uint64_t seed : {3, 4}) {
    SCOPED_TRACE("seed " + std::to_string(seed));
    batch_times_.clear();
    Build(seed);
    ExpectSameAsScan();
    Reopen();  // zone maps from disk
    ExpectSameAsScan();
  }
}

TEST_F(ZoneCountsTest, CountReadsNoSegmentWhenEveryZoneMapHasLiveCounts) {
  Build(5);
  ASSERT_TRUE(store_->FoldDeltas(SIZE_MAX, nullptr).ok());  // no delta left to make a count unknown
  Reopen();
  const double tickets = Count("select count() from tickets");
  const double events = Count("select count() from events");
  EXPECT_EQ(store_->SegmentCacheStats().misses, 0u);
  EXPECT_GT(tickets, 80);  // the fixture's tickets and its retraction-only one revived
  EXPECT_EQ(tickets, Count("select count(ticket) from tickets"));
  EXPECT_EQ(events, Count("select count(ticket) from events"));
  EXPECT_GT(store_->SegmentCacheStats().misses, 0u);
}

TEST_F(ZoneCountsTest, StoreWithoutLiveCountsReadsTheSegments) {
  Build(6);
  Reopen();
  const double tickets = Count("select count() from tickets"), events = Count("select count() from events");
  Close();
  ASSERT_TRUE(kpi::testing::DowngradeToFormat3(dir_->path()));
  Reopen();
  EXPECT_EQ(Count("select count() from tickets"), tickets);
  EXPECT_EQ(Count("select count() from events"), events);
  EXPECT_GT(store_->SegmentCacheStats().misses, 0u);
  ExpectSameAsScan();
  uint64_t added = 0;
  ASSERT_TRUE(store_->AddLiveCounts(&added).ok());
  EXPECT_GT(added, 0u);
  ExpectSameAsScan();
}

// Statements decode no zone map code list, from the store's open on
// (storage/zone_map.h: the lists stay encoded; plans that test them test
// them in place): count(), a scan of every row, a time window, and a
// filter on a dimension, which prunes with the lists.
TEST_F(ZoneCountsTest, AStatementThatTestsNoCodeListDecodesNone) {
  Build(8);
  Close();
  const uint64_t before = storage::ZoneLists::Decodings();
  Reopen();
  const double tickets = Count("select count() from tickets");
  EXPECT_GT(tickets, 0);
  EXPECT_EQ(Count("select count(ticket) from tickets"), tickets);
  EXPECT_GT(Count("select count() from events"), tickets);
  EXPECT_GE(Count("select count(ticket) from events during 2000-01-01 .. 2100-01-01"), 0);
  EXPECT_EQ(storage::ZoneLists::Decodings(), before);
  EXPECT_LT(Count("select count(ticket) from tickets where channel = \"chat\""), tickets);
  EXPECT_EQ(storage::ZoneLists::Decodings(), before);
}

TEST_F(ZoneCountsTest, ScopedCountIsTheScopesTickets) {
  Build(7);
  ExecOptions scoped;
  std::shared_ptr<const Scope> scope;
  ASSERT_TRUE(Scope::Parse("channel = \"chat\"", &scope).ok());
  scoped.scope = scope;
  const double all = Count("select count() from tickets");
  const double chat = Count("select count() from tickets", scoped);
  EXPECT_LT(chat, all);
  EXPECT_EQ(chat, Count("select count(ticket) from tickets where channel = \"chat\""));
}

}  // namespace
}  // namespace kpi::query
